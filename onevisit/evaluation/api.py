"""The classes of a 亩产效益 year for other systems (land, energy, credit): officials only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from onevisit.evaluation import access
from onevisit.evaluation.schemas import ResultsIn, ResultsPage

router = Router(tags=["evaluation"])


@router.get("/{year}/results", response=ResultsPage)
def list_results(request: HttpRequest, year: int, params: Query[ResultsIn]) -> dict[str, Any]:
    """A year's scored enterprises by class; provisional while the year is published (公示)."""
    found = get_object_or_404(access.years_for_official(request.user), year=year)
    entries = found.entries.exclude(klass="").select_related("enterprise__district")
    if params.klass:
        entries = entries.filter(klass=params.klass)
    page = entries.order_by("klass", "-score", "id")[params.offset : params.offset + params.limit]
    return {
        "year": found.year,
        "status": found.status,
        "count": entries.count(),
        "results": [
            {
                "uscc": e.enterprise.uscc,
                "name": e.enterprise.name,
                "district": e.enterprise.district_id,
                "industry_code": e.enterprise.industry_code,
                "score": e.score,
                "klass": e.klass,
            }
            for e in page
        ],
    }
