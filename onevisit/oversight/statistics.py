"""The supervisor's dashboard figures, each with what its chart needs (plain SVG, no CDN)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import ExtractMonth

from onevisit.accounts.models import User
from onevisit.inspections.models import Evaluation, Visit
from onevisit.inspections.recognition import recognition_savings
from onevisit.liaison.queries import answer_figures
from onevisit.oversight.models import ABSENT, OVERSTEPPING, Kind, Warning

CHART_HEIGHT = 120
BUCKETS = ["1", "2", "3", "4", "5+"]


@dataclass(frozen=True)
class MonthBar:
    month: int
    this_year: int
    last_year: int
    this_height: int
    last_height: int
    x: int


def _per_month(year: int, area: Q, until: dt.date | None = None) -> dict[int, int]:
    """Visits per month of the year, up to `until` when given."""
    happened = Visit.objects.happened().inspections().filter(area, date__year=year)
    if until is not None:
        happened = happened.filter(date__lte=until)
    rows = (
        happened.annotate(month=ExtractMonth("date")).values_list("month").annotate(n=Count("id"))
    )
    return dict(rows)


def months(today: dt.date, area: Q) -> list[MonthBar]:
    """This year's months against last year's, like with like: the month under way against the
    same days of last year's month, not all of it."""
    year = today.year
    now, before = _per_month(year, area, today), _per_month(year - 1, area)
    before[today.month] = _per_month(year - 1, area, same_day_last_year(today)).get(today.month, 0)
    top = max([*now.values(), *before.values(), 1])
    return [
        MonthBar(
            m,
            now.get(m, 0),
            before.get(m, 0),
            round(CHART_HEIGHT * now.get(m, 0) / top),
            round(CHART_HEIGHT * before.get(m, 0) / top),
            (m - 1) * 40,
        )
        for m in range(1, 13)
    ]


def per_enterprise(year: int, area: Q) -> list[tuple[str, int, int]]:
    """How many enterprises were visited once, twice, …, five times or more this year."""
    counts = (
        Visit.objects.happened()
        .inspections()
        .filter(area, date__year=year)
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    histogram = Counter(BUCKETS[min(n, 5) - 1] for n in counts)
    top = max([*histogram.values(), 1])
    return [(b, histogram.get(b, 0), round(100 * histogram.get(b, 0) / top)) for b in BUCKETS]


def same_day_last_year(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def dashboard_figures(today: dt.date, user: User) -> dict[str, Any]:
    """This year so far against the same days of last year, in the supervisor's area."""
    year = today.year
    area = user.in_area("enterprise__district")
    happened = Visit.objects.happened().inspections().filter(area, date__year=year, date__lte=today)
    total = happened.count()
    joint = happened.annotate(n=Count("bodies")).filter(n__gt=1).count()
    last_total = (
        Visit.objects.happened()
        .inspections()
        .filter(area, date__year=year - 1, date__lte=same_day_last_year(today))
        .count()
    )
    bodies = (
        Evaluation.objects.filter(user.in_area("visit__enterprise__district"))
        .values("visit__lead_body__name")
        .annotate(n=Count("id"), c=Avg("conduct"), p=Avg("professionalism"), b=Avg("burden"))
        .order_by("visit__lead_body__name")
    )
    open_warnings = dict(
        Warning.objects.filter(area)
        .exclude(status=Warning.Status.CLOSED)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    return {
        "year": year,
        "months": months(today, area),
        "total": total,
        "last_total": last_total,
        "change": round(100 * (total - last_total) / last_total) if last_total else None,
        "joint": joint,
        "joint_share": round(100 * joint / total) if total else 0,
        "per_enterprise": per_enterprise(year, area),
        "evaluations": list(bodies),
        "overstepping": [(Kind(k).label, open_warnings.get(k, 0), k) for k in OVERSTEPPING],
        "absent": [(Kind(k).label, open_warnings.get(k, 0), k) for k in ABSENT],
        "other_warnings": [
            (label, open_warnings.get(kind, 0), kind)
            for kind, label in Kind.choices
            if kind not in OVERSTEPPING and kind not in ABSENT
        ],
        "savings": recognition_savings(year, area=area),
        "requests": answer_figures(today, user.in_area("body__district")),
        "chart_height": CHART_HEIGHT,
    }
