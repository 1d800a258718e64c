"""The classes of a 亩产效益 year for other systems (land, energy, credit): officials only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router

from onevisit.evaluation import access
from onevisit.evaluation.models import Entry, Year
from onevisit.evaluation.schemas import ResultsIn, ResultsPage
from onevisit.registry.models import District

PROGRESS: list[str] = [Year.Status.COLLECTING, Year.Status.PUBLISHED, Year.Status.FINAL]

router = Router(tags=["evaluation"])


@router.get("/{year}/results", response=ResultsPage)
def list_results(request: HttpRequest, year: int, params: Query[ResultsIn]) -> dict[str, Any]:
    """A year's scored enterprises by class, of every area the caller sees (a province's cities
    each evaluate their own) or of one; provisional while an evaluation is published (公示)."""
    found = access.years_for_official(request.user).filter(year=year)
    entries = Entry.objects.exclude(klass="")
    if params.area:
        within = District.objects.area_codes(params.area)
        parent = District.objects.filter(code=params.area).values("parent")
        found = found.filter(Q(area__in=within) | Q(area__in=parent))
        entries = entries.filter(enterprise__district__in=within)
    evaluations = list(found.order_by("area"))
    if not evaluations:
        raise Http404("No evaluation of this year here.")
    entries = entries.filter(year__in=evaluations).select_related("enterprise__district")
    if params.klass:
        entries = entries.filter(klass=params.klass)
    page = entries.order_by("klass", "-score", "id")[params.offset : params.offset + params.limit]
    return {
        "year": year,
        "status": min((e.status for e in evaluations), key=PROGRESS.index),
        "areas": [
            {"code": e.area_id, "name": e.area.name, "status": e.status} for e in evaluations
        ],
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
