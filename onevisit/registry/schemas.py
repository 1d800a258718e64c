from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class DistrictOut(Schema):
    code: str
    name: str


class IndustryOut(Schema):
    code: str
    name: str


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    former_names: list[str] = Field(..., alias="former_name_list")
    district: DistrictOut
    industry: IndustryOut
    industry_code: str
    address: str
    legal_representative: str
    land_area_mu: Decimal | None
    employees: int | None
    status: str
    latitude: Decimal | None
    longitude: Decimal | None


class EnterpriseIn(Schema):
    uscc: str
    name: str = Field(..., min_length=1, max_length=200)
    district: str = Field(..., description="GB/T 2260 code")
    industry: str = Field(..., description="GB/T 4754-2017 code, e.g. C3451 or 3451")
    address: str = Field("", max_length=300)
    legal_representative: str = Field("", max_length=100)
    former_names: list[str] = []
    land_area_mu: Decimal | None = Field(None, ge=0)
    employees: int | None = Field(None, ge=0)
    status: str = "active"
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)


class EnterprisePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    district: str | None = None
    industry: str | None = None
    address: str | None = Field(None, max_length=300)
    legal_representative: str | None = Field(None, max_length=100)
    former_names: list[str] | None = None
    land_area_mu: Decimal | None = Field(None, ge=0)
    employees: int | None = Field(None, ge=0)
    status: str | None = None


class EnterprisePage(Schema):
    count: int
    count_is_exact: bool
    results: list[EnterpriseOut]


class BodyOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    entrusted_by_id: int | None
    level: str
    district: DistrictOut
    published: bool
    duties: str
    phone: str


class BodyIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field(..., min_length=1, max_length=30)
    kind: str
    entrusted_by_id: int | None = None
    level: str
    district: str
    published: bool = False
    duties: str = ""
    phone: str = Field("", max_length=30)


class InspectorOut(Schema):
    id: int
    name: str
    body_id: int
    certificate_number: str
    certificate_valid_from: dt.date
    certificate_valid_until: dt.date
    districts: list[str] = Field(..., alias="district_codes")
    active: bool
    can_inspect_today: bool


class InspectorIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    body_id: int
    certificate_number: str = Field(..., min_length=1, max_length=30)
    certificate_valid_from: dt.date
    certificate_valid_until: dt.date
    districts: list[str] = Field(..., min_length=1)
    active: bool = True
    phone: str = Field("", max_length=30)


class InspectorPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    certificate_valid_from: dt.date | None = None
    certificate_valid_until: dt.date | None = None
    districts: list[str] | None = None
    active: bool | None = None
    phone: str | None = Field(None, max_length=30)


class EnterpriseSearchIn(Schema):
    q: str = Field("", max_length=100, description="credit code (prefix) or part of the name")
    district: str = Field("", description="GB/T 2260 code")
    industry: str = Field("", description="GB/T 4754 section letter or two-digit division")
    status: str = Field("", description="active, deregistered or revoked")
    page: int = Field(1, ge=1)
    size: int = Field(50, ge=1, le=200)
