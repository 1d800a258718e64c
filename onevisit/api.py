"""The JSON API under /api/: one router per resource, authenticated by token or session."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import ValidationError as InputError
from ninja.security import HttpBearer, django_auth

from onevisit.accounts.actions import user_for_token
from onevisit.accounts.models import User
from onevisit.lib.api import OnevisitAPI


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ovt_…`: a per-user token, stored hashed."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = OnevisitAPI(
    title="onevisit API",
    version="1",
    description="涉企行政检查协同平台 onevisit: registry of enterprises, bodies and inspectors.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(InputError)
def invalid_input(request: HttpRequest, exc: InputError) -> HttpResponse:
    """422 with the errors per field; GeoReport v2 answers 400 with a list of errors."""
    if request.path.startswith("/api/open311/"):
        from onevisit.tips.api import georeport_errors

        errors = [
            {"code": 400, "description": f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}"}
            for e in exc.errors
        ]
        return georeport_errors(request, errors, 400)
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(MultiPartParserError)
def broken_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """Django would answer 400 too, but as an HTML page with a logged traceback."""
    description = f"The request body cannot be read: {exc}"
    if request.path.startswith("/api/open311/"):  # GeoReport v2 answers errors as a list
        from onevisit.tips.api import georeport_errors

        return georeport_errors(request, [{"code": 400, "description": description}], 400)
    return api.create_response(request, {"detail": description}, status=400)


def _add_routers() -> None:
    from onevisit.draws.api import public_router
    from onevisit.evaluation.api import router as evaluation_router
    from onevisit.registry.api import bodies_router, enterprises_router, inspectors_router
    from onevisit.tips.api import discovery_router
    from onevisit.tips.api import router as open311_router

    api.add_router("/enterprises", enterprises_router)
    api.add_router("/bodies", bodies_router)
    api.add_router("/inspectors", inspectors_router)
    api.add_router("/public", public_router)
    api.add_router("/open311/v2", open311_router)
    api.add_router("/open311", discovery_router)
    api.add_router("/evaluation", evaluation_router)


_add_routers()
