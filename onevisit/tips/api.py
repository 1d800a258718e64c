"""举报 as Open311 GeoReport v2 (`/api/open311/v2/`, discovery at `/api/open311/discovery.json`
or `.xml`): services are the tip categories, requests the tips; JSON and XML, errors as GeoReport
lists in English. Two deliberate differences, because a tip's reporter must stay protected:
`GET requests` answers 403 (there is no public list), and reading one request, or its media,
needs the `secret` returned at creation in the `X-Secret` header."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from xml.etree import ElementTree

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Form, Router, Status
from ninja.params import HeaderEx, P

from onevisit.lib.fields import one_line
from onevisit.lib.ratelimit import seconds_left_in_window, too_many
from onevisit.tips.access import find_own_tip
from onevisit.tips.actions import (
    Report,
    TipRefused,
    check_attachments,
    do_submit_tip,
    validate_report,
)
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
discovery_router = Router(tags=["open311"], auth=None)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+08:00"  # when the endpoints last changed
XML = "text/xml; charset=utf-8"


def _xml_answer(
    root: str, item: str | None, rows: list[dict[str, Any]], status: int = 200
) -> HttpResponse:
    """GeoReport's XML: `<root><item><field>…</field>…</item>…</root>` (or the fields directly
    under root when item is None)."""
    tree = ElementTree.Element(root)
    for row in rows:
        parent = ElementTree.SubElement(tree, item) if item else tree
        _xml_fields(parent, row)
    body = ElementTree.tostring(tree, encoding="unicode", xml_declaration=True)
    return HttpResponse(body, content_type=XML, status=status)


def _xml_fields(parent: ElementTree.Element, row: dict[str, Any]) -> None:
    for name, value in row.items():
        _xml_value(ElementTree.SubElement(parent, name), value)


def _xml_value(element: ElementTree.Element, value: Any) -> None:
    """A list becomes one child per entry, named in the singular (`formats` > `format`)."""
    if isinstance(value, dict):
        _xml_fields(element, value)
    elif isinstance(value, list):
        for entry in value:
            _xml_value(ElementTree.SubElement(element, element.tag.removesuffix("s")), entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = value.isoformat() if isinstance(value, dt.date) else str(value)


def _xml_doc(description: str, *errors: int, ok: int = 200) -> dict[str, Any]:
    """The OpenAPI answers of an XML operation: its success and its errors, all in XML."""
    content = {"text/xml": {"schema": {"type": "string"}}}
    answers = {ok: {"description": description, "content": content}}
    for code in errors:
        answers[code] = {"description": "GeoReport v2 errors, as XML.", "content": content}
    return {"responses": answers}


def georeport_errors(
    request: HttpRequest, errors: list[dict[str, Any]], status: int
) -> HttpResponse:
    """Errors as GeoReport v2 gives them: a list, in XML for an `.xml` operation."""
    if request.path.endswith(".xml"):
        return _xml_answer("errors", "error", errors, status)
    return JsonResponse(errors, status=status, safe=False)


def _errors(code: int, description: str) -> list[ErrorOut]:
    return [ErrorOut(code=code, description=description)]


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


@router.get("/services.xml", openapi_extra=_xml_doc("The services, as GeoReport v2 XML."))
def services_xml(request: HttpRequest) -> Any:
    rows = [_service(c).model_dump() for c in Category.objects.filter(active=True)]
    return _xml_answer("services", "service", rows)


@router.get(
    "/services/{service_code}.json", response={200: ServiceDefinitionOut, 404: list[ErrorOut]}
)
def service_definition(request: HttpRequest, service_code: Annotated[str, one_line(40)]) -> Any:
    if not Category.objects.filter(code=service_code, active=True).exists():
        return Status(404, _errors(404, "service_code not found"))
    return Status(200, ServiceDefinitionOut(service_code=service_code, attributes=[]))


@router.get(
    "/services/{service_code}.xml",
    openapi_extra=_xml_doc("The service definition, as GeoReport v2 XML.", 400, 404),
)
def service_definition_xml(request: HttpRequest, service_code: Annotated[str, one_line(40)]) -> Any:
    if not Category.objects.filter(code=service_code, active=True).exists():
        return _xml_answer(
            "errors", "error", [{"code": 404, "description": "service_code not found"}], 404
        )
    return _xml_answer(
        "service_definition", None, [{"service_code": service_code, "attributes": []}]
    )


def _decimal(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TipRefused(_("lat and long are decimal degrees.")) from None
    if not value.is_finite() or abs(value) > 180:
        raise TipRefused(_("lat and long are decimal degrees."))
    return value.quantize(Decimal("0.000001"))


@router.post(
    "/requests.json",
    response={
        201: list[CreatedOut],
        400: list[ErrorOut],
        404: list[ErrorOut],
        429: list[ErrorOut],
    },
)
def create_request(
    request: HttpRequest,
    form: Form[RequestIn],
) -> Any:
    """Submit a tip (form-encoded, as GeoReport v2 asks). A location is required: `lat` and
    `long`, or `address_string`, or `address_id`. Give a name and phone, or neither to stay
    anonymous; the identity is sealed and only the handling body reads it."""
    return _create(request, form)


@router.post(
    "/requests.xml",
    openapi_extra=_xml_doc("The new request's id and secret, as XML.", 400, 404, 429, ok=201),
)
def create_request_xml(request: HttpRequest, form: Form[RequestIn]) -> Any:
    """As `requests.json`, answered in XML."""
    return _as_xml(_create(request, form), "service_requests", "request")


def _too_many(request: HttpRequest) -> HttpResponse:
    """429 as a GeoReport error, with Retry-After: the seconds until the limit's minute ends."""
    errors = [{"code": 429, "description": "too many requests from this address"}]
    answer = georeport_errors(request, errors, 429)
    answer["Retry-After"] = str(seconds_left_in_window())
    return answer


def _as_xml(answer: Any, root: str, item: str) -> Any:
    """A JSON answer (a Status of a list of schemas) in GeoReport's XML, errors included."""
    if isinstance(answer, HttpResponse):  # already in the form the path asks for
        return answer
    rows = [row.model_dump() for row in answer.value]
    if answer.status_code >= 400:
        return _xml_answer("errors", "error", rows, answer.status_code)
    return _xml_answer(root, item, rows, answer.status_code)


def _create(request: HttpRequest, form: RequestIn) -> Any:
    if too_many(request, "tip", settings.ONEVISIT_TIPS_PER_MINUTE):
        return _too_many(request)
    category = Category.objects.filter(code=form.service_code, active=True).first()
    if category is None:
        return Status(404, _errors(404, "service_code not found"))
    files = request.FILES.getlist("media")
    with translation.override("en"):  # GeoReport errors are in English
        if not (form.lat and form.long) and not form.address_string and not form.address_id:
            return Status(
                400,
                _errors(400, "a location is required: lat and long, address_string or address_id"),
            )
        try:
            report = Report(
                category=category,
                description=form.description,
                enterprise_name=form.enterprise_name,
                uscc=form.uscc,
                address=form.address_string or form.address_id,
                latitude=_decimal(form.lat),
                longitude=_decimal(form.long),
                name=f"{form.last_name}{form.first_name}".strip(),
                phone=form.phone,
            )
            validate_report(report)
            check_attachments(files)
        except TipRefused as error:
            return Status(400, _errors(400, str(error)))
    for upload in files:
        upload.seek(0)
    try:
        tip, secret = do_submit_tip(report=report, files=files)
    except TipRefused as error:
        return Status(400, _errors(400, str(error)))
    return Status(
        201,
        [CreatedOut(service_request_id=tip.receipt, service_notice=_notice(tip), secret=secret)],
    )


def _notice(tip: Tip) -> str:
    """GeoReport's service_notice: who handles the request and by when."""
    return f"{tip.body.name}; acknowledged by {tip.ack_due}, handled by {tip.handle_due}"


@router.get("/requests.json", response={403: list[ErrorOut]})
def list_requests(request: HttpRequest) -> Any:
    """Not offered: a list of tips would expose who reported whom. Each reporter reads their own
    request with its id and `X-Secret`."""
    return Status(403, _errors(403, NO_PUBLIC_LIST))


@router.get("/requests.xml", openapi_extra=_xml_doc("Never: there is no public list.", 403))
def list_requests_xml(request: HttpRequest) -> Any:
    """As `requests.json`: not offered, answered as a GeoReport XML error."""
    return _as_xml(Status(403, _errors(403, NO_PUBLIC_LIST)), "service_requests", "request")


NO_PUBLIC_LIST = (
    "there is no public list of requests, to protect reporters: read one request with "
    "its service_request_id and the X-Secret header"
)


def _request(request: HttpRequest, tip: Tip) -> RequestOut:
    notes = [u.note for u in tip.updates.filter(public=True)]
    return RequestOut(
        service_request_id=tip.receipt,
        status=tip.open311_status,
        status_notes=notes[-1] if notes else "",
        service_name=tip.category.name,
        service_code=tip.category.code,
        description=tip.description,
        agency_responsible=tip.body.name,
        service_notice=_notice(tip),
        requested_datetime=tip.created,
        updated_datetime=tip.updated,
        expected_datetime=_end_of(tip.handle_due),
        address=tip.address,
        address_id=None,
        zipcode=None,
        lat=float(tip.latitude) if tip.latitude is not None else None,
        long=float(tip.longitude) if tip.longitude is not None else None,
        media_url=_media_url(request, tip),
    )


def _end_of(day: dt.date) -> dt.datetime:
    """The handling deadline as GeoReport wants it: a datetime with its zone (the day's end)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())


def _media_url(request: HttpRequest, tip: Tip) -> str | None:
    """The first photo or document sent with the tip; fetching it needs the X-Secret too."""
    first = tip.attachments.order_by("pk").first()
    if first is None:
        return None
    return request.build_absolute_uri(reverse("api:tip_media", args=[tip.receipt, 1]))


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
    return _own_request(request, service_request_id, secret)


@router.get(
    "/requests/{service_request_id}.xml",
    openapi_extra=_xml_doc("The request, as GeoReport v2 XML.", 400, 404, 429),
)
def get_request_xml(
    request: HttpRequest,
    service_request_id: Annotated[str, one_line(40)],
    secret: HeaderEx[Annotated[str, one_line(100)], P(alias="X-Secret")],
) -> Any:
    """As `requests/{id}.json`, answered in XML."""
    answer = _own_request(request, service_request_id, secret)
    return _as_xml(answer, "service_requests", "request")


def _own_request(request: HttpRequest, service_request_id: str, secret: str) -> Any:
    if too_many(request, "open311-lookup", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
        return _too_many(request)
    tip = find_own_tip(service_request_id, secret)
    if tip is None:
        return Status(404, _errors(404, "no request with this id and secret"))
    return Status(200, [_request(request, tip)])


@router.get(
    "/requests/{service_request_id}/media/{number}",
    url_name="tip_media",
    response={404: list[ErrorOut], 429: list[ErrorOut]},
    openapi_extra={
        "responses": {
            200: {
                "description": "The attachment, as sent.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def get_media(
    request: HttpRequest,
    service_request_id: Annotated[str, one_line(40)],
    number: Annotated[int, P(ge=1, le=10)],
    secret: HeaderEx[Annotated[str, one_line(100)], P(alias="X-Secret")],
) -> Any:
    """An attachment of one request (numbered from 1), for its reporter, with `X-Secret`."""
    if too_many(request, "open311-lookup", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
        return _too_many(request)
    tip = find_own_tip(service_request_id, secret)
    found = tip.attachments.order_by("pk")[number - 1 : number].first() if tip else None
    if found is None:
        return Status(404, _errors(404, "no such media for this id and secret"))
    return FileResponse(found.file.open("rb"), content_type=found.content_type, filename=found.name)


@discovery_router.get("/discovery.json")
def discovery(request: HttpRequest) -> dict[str, Any]:
    """GeoReport v2 service discovery: where the endpoint is and what it speaks."""
    return _discovery(request)


@discovery_router.get("/discovery.xml", openapi_extra=_xml_doc("Service discovery, as XML."))
def discovery_xml(request: HttpRequest) -> Any:
    return _xml_answer("discovery", None, [_discovery(request)])


# Where onevisit answers otherwise than GeoReport v2, and why: said in the discovery document
# (an extension field) and in docs/tips.md.
DEVIATIONS = [
    "GET requests answers 403: there is no public list of requests, to protect reporters",
    "GET requests/{id} and its media need the X-Secret header returned at creation",
    "POST requests returns a secret beside service_request_id (an extension)",
    "429 with Retry-After when an address sends too many requests or lookups in a minute",
]


def _contact(request: HttpRequest) -> str:
    """The deployment's own contact, or where a person can reach the platform's people: the
    tip page, which every deployment has."""
    return settings.ONEVISIT_OPEN311_CONTACT or (
        f"the platform's administrators, through {request.build_absolute_uri('/tips/new/')}"
    )


def _discovery(request: HttpRequest) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": _contact(request),
        "key_service": "none: requests need no API key; reading one needs its X-Secret",
        "deviations": DEVIATIONS,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/api/open311/v2/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
