"""API routers for enterprises, bodies and inspectors. Handlers call the access getters first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from onevisit.audit.actions import Actor
from onevisit.lib.api import identify
from onevisit.lib.fields import Id
from onevisit.registry import access
from onevisit.registry.actions import (
    do_create_body,
    do_create_enterprise,
    do_create_inspector,
    do_update_body,
    do_update_enterprise,
    do_update_inspector,
)
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.industries import check_enterprise_code
from onevisit.registry.models import Body, District, Industry
from onevisit.registry.queries import EnterpriseFilters, search_enterprises
from onevisit.registry.schemas import (
    BodyIn,
    BodyOut,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    EnterpriseSearchIn,
    InspectorIn,
    InspectorOut,
    InspectorPatch,
)

enterprises_router = Router(tags=["enterprises"])
bodies_router = Router(tags=["bodies"])
inspectors_router = Router(tags=["inspectors"])


def _district(code: str, field: str = "district") -> District:
    found = District.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: [f"unknown district code {code!r} (GB/T 2260)"]})
    return found


def _industry_fields(code: str) -> dict[str, Any]:
    try:
        division, full = check_enterprise_code(code)
    except InvalidIdentifier as error:
        raise ValidationError({"industry": [str(error)]}) from None
    return {"industry": Industry.objects.get(code=division), "industry_code": full}


def _enterprise_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "uscc" in fields:
        try:
            fields["uscc"] = validate_uscc(fields["uscc"], District.objects.local_codes())
        except InvalidIdentifier as error:
            raise ValidationError({"uscc": [str(error)]}) from None
    if "district" in fields:
        fields["district"] = _district(fields["district"])
    if "industry" in fields:
        fields.update(_industry_fields(fields.pop("industry")))
    if "former_names" in fields:
        fields["former_names"] = "\n".join(n.strip() for n in fields["former_names"] if n.strip())
    return fields


@enterprises_router.get("/", response=EnterprisePage)
def list_enterprises(request: HttpRequest, params: Query[EnterpriseSearchIn]) -> dict[str, Any]:
    """Search by credit code (prefix), name fragment, district, industry (section or division)."""
    base = access.enterprises_for_user(request.user)
    filters = EnterpriseFilters(
        q=params.q, district=params.district, industry=params.industry, status=params.status
    )
    search = search_enterprises(base, filters, getattr(request.user, "reach_codes", None))
    count, exact = search.count()
    return {
        "count": count,
        "count_is_exact": exact,
        "results": search.page(params.page, params.size),
    }


@enterprises_router.get("/{enterprise_id}", response=EnterpriseOut)
def get_enterprise(request: HttpRequest, enterprise_id: Id) -> Any:
    return access.get_enterprise_for_user(request.user, enterprise_id)


@enterprises_router.post("/", response={201: EnterpriseOut})
def create_enterprise(request: HttpRequest, payload: EnterpriseIn) -> Status[Any]:
    user = access.require_enterprise_editor(request.user)
    fields = _enterprise_fields(payload.dict())
    access.require_in_reach(user, fields.get("district"))
    enterprise = do_create_enterprise(actor=Actor.of(user), fields=fields)
    return Status(201, access.get_enterprise_for_user(user, enterprise.pk))


@enterprises_router.patch("/{enterprise_id}", response=EnterpriseOut)
def update_enterprise(request: HttpRequest, enterprise_id: Id, payload: EnterprisePatch) -> Any:
    user = access.require_enterprise_editor(request.user)
    enterprise = access.get_enterprise_for_user(user, enterprise_id)
    fields = _enterprise_fields(payload.dict(exclude_unset=True))
    if "district" in fields:
        access.require_in_reach(user, fields["district"])
    do_update_enterprise(actor=Actor.of(user), enterprise=enterprise, fields=fields)
    return access.get_enterprise_for_user(user, enterprise_id)


@bodies_router.get("/", response=list[BodyOut], auth=None)
def list_bodies(request: HttpRequest) -> Any:
    """The published list of inspecting bodies (主体清单); staff also see their own unpublished."""
    identify(request)
    return list(access.bodies_for_user(request.user))


@bodies_router.get("/{body_id}", response=BodyOut, auth=None)
def get_body(request: HttpRequest, body_id: Id) -> Any:
    identify(request)
    return access.get_body_for_user(request.user, body_id)


def _body(pk: int, field: str) -> Body:
    found = Body.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [f"no body with id {pk}"]})
    return found


def _body_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "district" in fields:
        fields["district"] = _district(fields["district"])
    if fields.get("entrusted_by_id") is not None:
        fields["entrusted_by"] = _body(fields.pop("entrusted_by_id"), "entrusted_by_id")
    else:
        fields.pop("entrusted_by_id", None)
        fields["entrusted_by"] = None
    return fields


@bodies_router.post("/", response={201: BodyOut})
def create_body(request: HttpRequest, payload: BodyIn) -> Status[Any]:
    user = access.require_body_editor(request.user)
    fields = _body_fields(payload.dict())
    access.require_in_area(user, fields.get("district"))
    body = do_create_body(actor=Actor.of(user), fields=fields)
    return Status(201, access.get_body_for_user(user, body.pk))


@bodies_router.put("/{body_id}", response=BodyOut)
def update_body(request: HttpRequest, body_id: Id, payload: BodyIn) -> Any:
    user = access.require_body_editor(request.user)
    body = access.get_body_for_user(user, body_id)
    fields = _body_fields(payload.dict())
    access.require_in_area(user, body.district_id)
    access.require_in_area(user, fields.get("district"))
    do_update_body(actor=Actor.of(user), body=body, fields=fields)
    return access.get_body_for_user(user, body_id)


@inspectors_router.get("/", response=list[InspectorOut])
def list_inspectors(request: HttpRequest, body_id: Id | None = None) -> Any:
    qs = access.inspectors_for_user(request.user)
    if body_id is not None:
        qs = qs.filter(body_id=body_id)
    return list(qs[:1000])


@inspectors_router.get("/{inspector_id}", response=InspectorOut)
def get_inspector(request: HttpRequest, inspector_id: Id) -> Any:
    return access.get_inspector_for_user(request.user, inspector_id)


def _districts(codes: list[str]) -> list[District]:
    return [_district(code, "districts") for code in codes]


@inspectors_router.post("/", response={201: InspectorOut})
def create_inspector(request: HttpRequest, payload: InspectorIn) -> Status[Any]:
    body = _body(payload.body_id, "body_id")
    user = access.require_inspector_editor(request.user, body)
    data = payload.dict()
    districts = _districts(data.pop("districts"))
    data["body"] = body
    data.pop("body_id")
    inspector = do_create_inspector(actor=Actor.of(user), fields=data, districts=districts)
    return Status(201, access.get_inspector_for_user(user, inspector.pk))


@inspectors_router.patch("/{inspector_id}", response=InspectorOut)
def update_inspector(request: HttpRequest, inspector_id: Id, payload: InspectorPatch) -> Any:
    inspector = access.get_inspector_for_user(request.user, inspector_id)
    user = access.require_inspector_editor(request.user, inspector.body)
    data = payload.dict(exclude_unset=True)
    codes = data.pop("districts", None)
    districts = _districts(codes) if codes is not None else None
    do_update_inspector(actor=Actor.of(user), inspector=inspector, fields=data, districts=districts)
    return access.get_inspector_for_user(user, inspector_id)
