"""结果互认: a compliant result of one body stands for the same point of the other bodies for the
item's recognition window, so their planned checks need no visit of their own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from onevisit.audit.actions import Actor, record
from onevisit.catalog.models import CheckPoint
from onevisit.inspections.models import Finding, PointResult, Visit
from onevisit.planning.models import Task
from onevisit.registry.models import Body, Enterprise


@dataclass(frozen=True)
class Evidence:
    """A compliant result: on which day, for how long, by which bodies."""

    visit_id: int
    day: dt.date
    days: int
    bodies: frozenset[int]

    def covers(self, task: Task) -> bool:
        """Valid at the end of the task's window, found no later than that, by another body."""
        return (
            task.body_id not in self.bodies
            and self.day <= task.window_end <= self.day + dt.timedelta(days=self.days)
        )


def _bodies_of_closed_visits(enterprise: Enterprise) -> dict[int, frozenset[int]]:
    pairs = Visit.bodies.through.objects.filter(
        visit__enterprise=enterprise, visit__status=Visit.Status.CLOSED
    ).values_list("visit_id", "body_id")
    grouped: dict[int, set[int]] = defaultdict(set)
    for visit_id, body_id in pairs:
        grouped[visit_id].add(body_id)
    return {visit_id: frozenset(ids) for visit_id, ids in grouped.items()}


def _evidence(
    enterprise: Enterprise,
) -> tuple[dict[int, list[Evidence]], dict[str, list[Evidence]]]:
    rows = PointResult.objects.filter(
        visit__enterprise=enterprise,
        visit__status=Visit.Status.CLOSED,
        outcome=PointResult.Outcome.COMPLIANT,
    ).values_list(
        "visit_id", "visit__date", "point_id", "point__topic", "point__item__recognition_days"
    )
    bodies = _bodies_of_closed_visits(enterprise)
    by_point: dict[int, list[Evidence]] = defaultdict(list)
    by_topic: dict[str, list[Evidence]] = defaultdict(list)
    for visit_id, day, point_id, topic, days in rows:
        evidence = Evidence(visit_id, day, days, bodies[visit_id])
        by_point[point_id].append(evidence)
        if topic:
            by_topic[topic].append(evidence)
    return by_point, by_topic


def _covering(
    task: Task, by_point: dict[int, list[Evidence]], by_topic: dict[str, list[Evidence]]
) -> set[int] | None:
    """The visits whose results cover every point of the task, or None if a point is uncovered."""
    visits: set[int] = set()
    points = [p for item in task.items.all() for p in item.points.all()]
    if not points:
        return None
    for point in points:
        found = [e for e in by_point.get(point.pk, []) if e.covers(task)]
        if point.topic:
            found += [e for e in by_topic.get(point.topic, []) if e.covers(task)]
        if not found:
            return None
        visits.add(max(found, key=lambda e: e.day).visit_id)
    return visits


def do_apply_recognition(*, enterprise: Enterprise, today: dt.date) -> int:
    """Mark the enterprise's open tasks that other bodies' results fully cover as recognised
    (they leave the next planning run). Returns how many."""
    by_point, by_topic = _evidence(enterprise)
    if not by_point:
        return 0
    in_visit = Visit.tasks.through.objects.filter(task_id=OuterRef("pk")).exclude(
        visit__status=Visit.Status.CANCELLED
    )
    tasks = (
        Task.objects.filter(enterprise=enterprise, status=Task.Status.OPEN, window_end__gte=today)
        .exclude(Exists(in_visit))
        .prefetch_related("items__points")
    )
    recognised = 0
    with transaction.atomic():
        for task in tasks:
            visits = _covering(task, by_point, by_topic)
            if visits is None:
                continue
            task.status = Task.Status.RECOGNISED
            task.save(update_fields=["status"])
            record(
                actor=Actor.system("recognition"),
                action="recognise",
                obj=task,
                changes={"by_visits": sorted(visits)},
            )
            recognised += 1
    return recognised


@dataclass(frozen=True)
class Savings:
    recognised_tasks: int
    visits_saved: int


def recognition_savings(year: int, body_id: int | None = None, area: Q | None = None) -> Savings:
    """Tasks of the year recognised, and of those the ones whose enterprise has no other check
    due in that window: a visit that no longer has to happen. `area` is a filter on the
    task's `enterprise__district`."""
    tasks = Task.objects.in_year(year).filter(status=Task.Status.RECOGNISED).filter(area or Q())
    if body_id is not None:
        tasks = tasks.filter(body_id=body_id)
    still_due = Task.objects.filter(
        enterprise_id=OuterRef("enterprise_id"),
        window_start__lte=OuterRef("window_end"),
        window_end__gte=OuterRef("window_start"),
    ).filter(Q(status=Task.Status.OPEN) | Q(status=Task.Status.DONE))
    return Savings(
        recognised_tasks=tasks.count(),
        visits_saved=tasks.exclude(Exists(still_due)).count(),
    )


def finding_counts(enterprise_ids: Sequence[int], body: Body) -> dict[int, dict[str, int]]:
    """Findings of the body in the last 12 months per enterprise, for its risk tiers."""
    since = timezone.localdate() - dt.timedelta(days=365)
    rows = (
        Finding.objects.filter(
            visit__enterprise_id__in=enterprise_ids, body=body, visit__date__gte=since
        )
        .values_list("visit__enterprise_id")
        .annotate(n=Count("id"), serious=Count("id", filter=Q(severity="serious")))
    )
    return {e: {"findings": n, "serious_findings": serious} for e, n, serious in rows}


def recognisable_points(
    enterprise_ids: Sequence[int], points: Sequence[CheckPoint], on: dt.date
) -> dict[int, dict[int, tuple[dt.date, int]]]:
    """For each enterprise, the points (of those given) that a compliant result still valid on
    `on` covers, by the point itself or its shared topic: point id -> (day found, visit)."""
    by_id = {p.pk: p for p in points}
    topics: dict[str, list[int]] = defaultdict(list)
    for point in points:
        if point.topic:
            topics[point.topic].append(point.pk)
    rows = PointResult.objects.filter(
        Q(point_id__in=by_id) | Q(point__topic__in=list(topics)),
        visit__enterprise_id__in=enterprise_ids,
        visit__status=Visit.Status.CLOSED,
        outcome=PointResult.Outcome.COMPLIANT,
    ).values_list(
        "visit__enterprise_id",
        "visit_id",
        "visit__date",
        "point_id",
        "point__topic",
        "point__item__recognition_days",
    )
    covered: dict[int, dict[int, tuple[dt.date, int]]] = defaultdict(dict)
    for enterprise_id, visit_id, day, point_id, topic, days in rows:
        if not day <= on <= day + dt.timedelta(days=days):
            continue
        for pk in {point_id} & set(by_id) | set(topics.get(topic, []) if topic else []):
            known = covered[enterprise_id].get(pk)
            if known is None or known[0] < day:
                covered[enterprise_id][pk] = (day, visit_id)
    return covered
