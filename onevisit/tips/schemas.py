"""Open311 GeoReport v2 shapes (field names as the standard spells them)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema

from onevisit.lib.fields import Phone, multi_line, one_line


class ServiceOut(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceDefinitionOut(Schema):
    service_code: str
    attributes: list[dict[str, str]]


class RequestIn(Schema):
    """A new request, form-encoded as GeoReport v2 asks; photos go in `media` files."""

    service_code: Annotated[str, one_line(40, min_length=1)]
    description: Annotated[str, multi_line(4000)] = ""
    address_string: Annotated[str, one_line(300)] = ""
    lat: Annotated[str, one_line(20)] = ""
    long: Annotated[str, one_line(20)] = ""
    address_id: Annotated[str, one_line(100)] = ""
    first_name: Annotated[str, one_line(50)] = ""
    last_name: Annotated[str, one_line(50)] = ""
    phone: Phone = ""
    enterprise_name: Annotated[str, one_line(200)] = ""
    uscc: Annotated[str, one_line(30)] = ""


class CreatedOut(Schema):
    service_request_id: str
    service_notice: str
    account_id: str | None = None
    # An extension: the secret that, with the id, lets the reporter read the request later.
    secret: str


class RequestOut(Schema):
    """Every field of GeoReport v2's request answer; what onevisit does not collect (a postal
    code, an address id) is present and empty."""

    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    expected_datetime: dt.datetime
    address: str
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None = None


class ErrorOut(Schema):
    code: int
    description: str
