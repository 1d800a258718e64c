from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class ResultsIn(Schema):
    klass: Literal["A", "B", "C", "D"] | None = Field(
        None, description="only this class (A, B, C or D)"
    )
    area: str | None = Field(
        None,
        max_length=6,
        description="only the evaluations of this area: a city, or one of its counties (code)",
    )
    limit: int = Field(200, ge=1, le=2000)
    offset: int = Field(0, ge=0)


class ResultOut(Schema):
    uscc: str
    name: str
    district: str
    industry_code: str
    score: Decimal | None
    klass: str


class AreaOut(Schema):
    code: str
    name: str
    status: str = Field(..., description="collecting, published (公示, provisional) or final")


class ResultsPage(Schema):
    year: int
    status: str = Field(
        ...,
        description="collecting, published (公示, provisional) or final: of the least advanced "
        "evaluation when the year holds several areas'",
    )
    areas: list[AreaOut] = Field(..., description="the areas evaluated that year")
    count: int
    results: list[ResultOut]
