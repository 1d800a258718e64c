"""What every API router shares: the error shape, its documentation, and bounded pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from ninja import Field, NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict, model_validator

from onevisit.accounts.actions import user_for_token


class Input(Schema):
    """A request body: a JSON object (ninja's Schema would read any value's attributes, so that
    `[null]` became an empty update), whose fields are all known (a misspelt field is an error,
    not a silent no-op)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):  # ninja wraps it in a getter
            raise ValueError("the body must be a JSON object")
        return data


class ApiError(Schema):
    detail: Any = Field(..., description="what was wrong: a message, or the errors per field")


ERRORS = {
    400: "The request body is not well-formed JSON or form data.",
    401: "No valid token (Authorization: Bearer ovt_…) and no session.",
    403: "The caller may not read or change this.",
    404: "Nothing with this id, or nothing the caller may see.",
    414: "The request line is longer than the server takes (8,190 bytes).",
    422: "A parameter or field is missing or invalid; `detail` names each one.",
}


def identify(request: HttpRequest) -> None:
    """On an open endpoint, a token, if sent, still identifies the caller (staff see more)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(header.removeprefix("Bearer ").strip())
        if user is not None:
            request.user = user


class OnevisitAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 404 in JSON under /api/ (also for paths no route matches), the 404 page elsewhere."""
    if request.path.startswith("/api/open311/"):  # GeoReport v2: errors as a list, even here
        from onevisit.tips.api import georeport_errors

        errors = [{"code": 404, "description": "no such path in GeoReport v2"}]
        return georeport_errors(request, errors, 404)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return defaults.page_not_found(request, exception)


def document_errors(schema: dict[str, Any]) -> None:
    """Add the error answers each operation can give to the OpenAPI document: 422 wherever it
    takes input, 400 where it takes a body, 401/403 where it needs a caller, 404 where a path
    names an object, 414 where a query string can grow. Answers an operation documents itself
    stay as they are."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    schema.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = (
        ApiError.model_json_schema()
    )
    for path, operations in schema["paths"].items():
        if path.startswith("/api/open311/"):
            _document_open311(operations)
            continue
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            codes = []
            if parameters or "requestBody" in operation:
                codes.append(422)
            if "requestBody" in operation:
                codes.append(400)
            if operation.get("security"):
                codes += [401, 403]
            if any(p["in"] == "path" for p in parameters):
                codes.append(404)
            if any(p["in"] == "query" for p in parameters):
                codes.append(414)
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": ERRORS[code], "content": content}
                )


def _document_open311(operations: dict[str, Any]) -> None:
    """GeoReport v2 answers every error as a list of {code, description}: bad input is a 400."""
    content = {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                    "required": ["code", "description"],
                },
            }
        }
    }
    for operation in operations.values():
        answers = operation["responses"]
        if "text/xml" in answers.get(200, answers.get(201, {})).get("content", {}):
            continue  # an XML operation documents its own errors
        if operation.get("parameters") or "requestBody" in operation:
            operation["responses"].setdefault(
                400,
                {"description": "A parameter or field is missing or invalid.", "content": content},
            )
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            operation["responses"].setdefault(414, {"description": ERRORS[414]})


class BoundedPagination(LimitOffsetPagination):
    """limit and offset within what a page and the database can hold."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)
