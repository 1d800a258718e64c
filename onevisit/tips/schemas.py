"""Open311 GeoReport v2 shapes (field names as the standard spells them)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


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


class CreatedOut(Schema):
    service_request_id: str
    service_notice: str
    account_id: str | None = None
    # An extension: the secret that, with the id, lets the reporter read the request later.
    secret: str


class RequestOut(Schema):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    expected_datetime: dt.date
    address: str
    lat: float | None
    long: float | None


class ErrorOut(Schema):
    code: int
    description: str
