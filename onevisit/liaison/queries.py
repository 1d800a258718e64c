"""The dashboard's figures of 政企沟通: per body, requests received this year, how fast they
were answered, how many are overdue, and how the requesters rated the answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q

from onevisit.liaison.models import Concern


@dataclass(frozen=True)
class BodyFigures:
    body: str
    received: int
    answered: int
    on_time: int
    average_days: float | None
    overdue: int
    rated: int
    average_rating: float | None

    @property
    def on_time_share(self) -> int | None:
        return round(100 * self.on_time / self.answered) if self.answered else None


def answer_figures(today: dt.date, area: Q | None = None) -> list[BodyFigures]:
    """Each body's answers this year; `area` limits the bodies (a city's supervisor)."""
    area = area or Q()
    concerns = Concern.objects.filter(area, created__year=today.year, body__isnull=False)
    rows = (
        concerns.values("body__name")
        .annotate(
            received=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            on_time=Count("id", filter=Q(answered_at__date__lte=F("answer_due"))),
            rated=Count("rating"),
            average_rating=Avg("rating"),
        )
        .order_by("body__name")
    )
    overdue = dict(
        Concern.objects.overdue(today)
        .filter(area)
        .values_list("body__name")
        .annotate(n=Count("id"))
    )
    days: dict[str, list[float]] = {}
    for name, created, answered in concerns.filter(answered_at__isnull=False).values_list(
        "body__name", "created", "answered_at"
    ):
        if answered is not None:
            days.setdefault(name, []).append((answered - created).total_seconds() / 86400)
    return [
        BodyFigures(
            body=row["body__name"],
            received=row["received"],
            answered=row["answered"],
            on_time=row["on_time"],
            average_days=round(sum(days[row["body__name"]]) / len(days[row["body__name"]]), 1)
            if row["body__name"] in days
            else None,
            overdue=overdue.get(row["body__name"], 0),
            rated=row["rated"],
            average_rating=round(row["average_rating"], 1) if row["average_rating"] else None,
        )
        for row in rows
    ]
