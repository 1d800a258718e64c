"""举报 as Open311 GeoReport v2 (`/api/open311/v2/`): services are the tip categories, requests
the tips. Two deliberate differences, because a tip's reporter must stay protected: there is no
public list of requests, and reading one needs the `secret` returned at creation."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Form, Router, Status
from ninja.params import HeaderEx, P

from onevisit.lib.fields import one_line
from onevisit.lib.ratelimit import too_many
from onevisit.tips.access import find_own_tip
from onevisit.tips.actions import Report, TipRefused, do_submit_tip
from onevisit.tips.models import Category, Tip
from onevisit.tips.schemas import (
    CreatedOut,
    ErrorOut,
    RequestIn,
    RequestOut,
    ServiceDefinitionOut,
    ServiceOut,
)

router = Router(tags=["open311"], auth=None)


def _service(category: Category) -> ServiceOut:
    return ServiceOut(
        service_code=category.code,
        service_name=category.name,
        description=category.description,
        metadata=False,
        type="realtime",
        keywords=category.keywords,
        group=category.group,
    )


@router.get("/services.json", response=list[ServiceOut])
def services(request: HttpRequest) -> list[ServiceOut]:
    return [_service(c) for c in Category.objects.filter(active=True)]


@router.get("/services/{service_code}.json", response={200: ServiceDefinitionOut, 404: ErrorOut})
def service_definition(request: HttpRequest, service_code: str) -> Any:
    if not Category.objects.filter(code=service_code, active=True).exists():
        return Status(404, ErrorOut(code=404, description="service_code not found"))
    return Status(200, ServiceDefinitionOut(service_code=service_code, attributes=[]))


def _decimal(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TipRefused(_("lat and long are decimal degrees.")) from None
    return value.quantize(Decimal("0.000001"))


@router.post(
    "/requests.json", response={201: list[CreatedOut], 400: list[ErrorOut], 429: list[ErrorOut]}
)
def create_request(
    request: HttpRequest,
    form: Form[RequestIn],
) -> Any:
    """Submit a tip (form-encoded, as GeoReport v2 asks). Give a name and phone, or neither to
    stay anonymous; the identity is sealed and only the handling body reads it."""
    if too_many(request, "tip", settings.ONEVISIT_TIPS_PER_MINUTE):
        return Status(429, [ErrorOut(code=429, description="too many requests from this address")])
    category = Category.objects.filter(code=form.service_code, active=True).first()
    if category is None:
        return Status(400, [ErrorOut(code=400, description="service_code not found")])
    try:
        report = Report(
            category=category,
            description=form.description,
            enterprise_name=form.enterprise_name,
            uscc=form.uscc,
            address=form.address_string,
            latitude=_decimal(form.lat),
            longitude=_decimal(form.long),
            name=f"{form.last_name}{form.first_name}".strip(),
            phone=form.phone,
        )
        tip, secret = do_submit_tip(report=report, files=request.FILES.getlist("media"))
    except TipRefused as error:
        return Status(400, [ErrorOut(code=400, description=str(error))])
    notice = f"{tip.body.name}; acknowledged by {tip.ack_due}, handled by {tip.handle_due}"
    return Status(
        201, [CreatedOut(service_request_id=tip.receipt, service_notice=notice, secret=secret)]
    )


def _request(tip: Tip) -> RequestOut:
    notes = [u.note for u in tip.updates.filter(public=True)]
    return RequestOut(
        service_request_id=tip.receipt,
        status=tip.open311_status,
        status_notes=notes[-1] if notes else "",
        service_name=tip.category.name,
        service_code=tip.category.code,
        description=tip.description,
        agency_responsible=tip.body.name,
        requested_datetime=tip.created,
        updated_datetime=tip.updated,
        expected_datetime=tip.handle_due,
        address=tip.address,
        lat=float(tip.latitude) if tip.latitude is not None else None,
        long=float(tip.longitude) if tip.longitude is not None else None,
    )


@router.get(
    "/requests/{service_request_id}.json",
    response={200: list[RequestOut], 404: list[ErrorOut], 429: list[ErrorOut]},
)
def get_request(
    request: HttpRequest,
    service_request_id: Annotated[str, one_line(40)],
    secret: HeaderEx[Annotated[str, one_line(100)], P(alias="X-Secret")],
) -> Any:
    """One request, for its reporter: the `secret` returned at creation is required, in the
    `X-Secret` header (a header, so that it stays out of access logs). Lookups are limited per
    address and minute."""
    if too_many(request, "open311-lookup", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
        return Status(429, [ErrorOut(code=429, description="too many requests from this address")])
    tip = find_own_tip(service_request_id, secret)
    if tip is None:
        return Status(404, [ErrorOut(code=404, description="no request with this id and secret")])
    return Status(200, [_request(tip)])
