"""一公开 of results: what became of each enterprise drawn, published when its visit closes
(well within the 20 working days the rules allow), without findings' details or names of
people — the body, the day and whether problems were found and ordered to be rectified."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from onevisit.draws.models import HEAVY_DRAW_FIELDS
from onevisit.inspections.models import Finding, Visit
from onevisit.planning.models import Task
from onevisit.workdays.calendar import add_working_days

PUBLISH_WITHIN_WORKING_DAYS = 20


@dataclass(frozen=True)
class PublicResult:
    draw_id: int
    draw_title: str
    enterprise: str
    uscc: str
    body: str
    status: str  # pending, checked, recognised, cancelled
    checked_on: dt.date | None
    problems: int
    published_on: dt.date | None
    publish_by: dt.date | None


def drawn_tasks(q: str = "", draw_id: int | None = None) -> QuerySet[Task]:
    tasks = (
        Task.objects.filter(draw__isnull=False)
        .select_related("enterprise", "body", "draw")
        .defer(*(f"draw__{name}" for name in HEAVY_DRAW_FIELDS))
    )
    if draw_id is not None:
        tasks = tasks.filter(draw_id=draw_id)
    q = q.strip()
    if q:
        tasks = tasks.filter(
            Q(enterprise__name__icontains=q)
            | Q(enterprise__uscc__startswith=q.upper())
            | Q(body__name__icontains=q)
            | Q(draw__title__icontains=q)
        )
    return tasks.order_by("-draw_id", "enterprise__uscc")


def public_results(tasks: list[Task]) -> list[PublicResult]:
    """The published line of each task (one query for the visits, one for the findings)."""
    visits: dict[int, Visit] = {}
    for visit in (
        Visit.objects.filter(tasks__in=tasks, status=Visit.Status.CLOSED)
        .prefetch_related("tasks")
        .order_by("date")
    ):
        for task in visit.tasks.all():
            visits[task.pk] = visit
    problems = Counter(
        Finding.objects.filter(visit__in=set(visits.values())).values_list("visit_id", "body_id")
    )
    return [_line(task, visits.get(task.pk), problems) for task in tasks]


def _line(task: Task, visit: Visit | None, problems: Counter[tuple[int, int]]) -> PublicResult:
    assert task.draw is not None
    status = {
        Task.Status.RECOGNISED: "recognised",
        Task.Status.CANCELLED: "cancelled",
    }.get(task.status, "checked" if visit else "pending")  # type: ignore[call-overload]
    closed = visit.closed_at.date() if visit and visit.closed_at else None
    return PublicResult(
        draw_id=task.draw.pk,
        draw_title=task.draw.title,
        enterprise=task.enterprise.name,
        uscc=task.enterprise.uscc,
        body=task.body.name,
        status=status,
        checked_on=visit.date if visit else None,
        problems=problems.get((visit.pk, task.body_id), 0) if visit else 0,
        published_on=closed,
        publish_by=add_working_days(closed, PUBLISH_WITHIN_WORKING_DAYS) if closed else None,
    )
