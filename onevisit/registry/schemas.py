from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from onevisit.lib.api import Input
from onevisit.lib.fields import (
    Count,
    Day,
    DistrictCode,
    Id,
    IndustryCode,
    Omittable,
    Phone,
    multi_line,
    one_line,
)


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
    above_scale: bool = Field(..., description="规上: above designated size")
    status: str
    latitude: Decimal | None
    longitude: Decimal | None


EnterpriseStatus = Literal["active", "deregistered", "revoked"]
Uscc = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{18}$")]
Name = Annotated[str, one_line(200, min_length=1)]
Address = Annotated[str, one_line(300)]
Person = Annotated[str, one_line(100)]
FormerNames = Annotated[list[Annotated[str, one_line(200)]], Field(max_length=50)]
Area = Annotated[Decimal, Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]


class EnterpriseIn(Input):
    uscc: Uscc = Field(..., description="统一社会信用代码 (GB 32100), 18 characters")
    name: Name
    district: DistrictCode = Field(..., description="GB/T 2260 code")
    industry: IndustryCode = Field(..., description="GB/T 4754-2017 code, e.g. C3451 or 3451")
    address: Address = ""
    legal_representative: Person = ""
    former_names: FormerNames = []
    land_area_mu: Area | None = None
    employees: Count | None = None
    above_scale: bool = False
    status: EnterpriseStatus = "active"
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class EnterprisePatch(Input):
    """Only the fields given change; text fields take text (send "" to clear), never null."""

    name: Omittable[Name] = None
    district: Omittable[DistrictCode] = None
    industry: Omittable[IndustryCode] = None
    address: Omittable[Address] = None
    legal_representative: Omittable[Person] = None
    former_names: Omittable[FormerNames] = None
    land_area_mu: Area | None = None
    employees: Count | None = None
    above_scale: Omittable[bool] = None
    status: Omittable[EnterpriseStatus] = None


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


class BodyIn(Input):
    name: Annotated[str, one_line(100, min_length=1)]
    code: Annotated[str, one_line(30, min_length=1)]
    kind: Literal["administrative", "authorized", "entrusted"]
    entrusted_by_id: Id | None = None
    level: Literal["city", "county"]
    district: DistrictCode
    published: bool = False
    duties: Annotated[str, multi_line(2000)] = ""
    phone: Phone = ""


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


InspectorName = Annotated[str, one_line(50, min_length=1)]
Districts = Annotated[list[DistrictCode], Field(min_length=1, max_length=50)]


class InspectorIn(Input):
    name: InspectorName
    body_id: Id
    certificate_number: Annotated[str, one_line(30, min_length=1)]
    certificate_valid_from: Day
    certificate_valid_until: Day
    districts: Districts
    active: bool = True
    phone: Phone = ""


class InspectorPatch(Input):
    """Only the fields given change; none of them takes null."""

    name: Omittable[InspectorName] = None
    certificate_valid_from: Omittable[Day] = None
    certificate_valid_until: Omittable[Day] = None
    districts: Omittable[Districts] = None
    active: Omittable[bool] = None
    phone: Omittable[Phone] = None


class EnterpriseSearchIn(Schema):
    q: Annotated[str, one_line(100)] = Field(
        "", description="credit code (prefix) or part of the name"
    )
    district: Annotated[str, StringConstraints(pattern=r"^([0-9]{6})?$")] = Field(
        "", description="GB/T 2260 code; a city's stands for all its counties and zones"
    )
    industry: Annotated[str, StringConstraints(pattern=r"^([A-Ta-t]|[0-9]{2})?$")] = Field(
        "", description="GB/T 4754 section letter or two-digit division"
    )
    status: EnterpriseStatus | Literal[""] = Field(
        "", description="active, deregistered or revoked"
    )
    page: int = Field(1, ge=1, le=100_000)
    size: int = Field(50, ge=1, le=200)
