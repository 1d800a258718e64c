"""The facts an approver needs about each enterprise of an assessment, filled in by the
platform: its visits this year by body, the points of the items that recognised results
already cover, its open tasks, and its monitoring devices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from onevisit.assessments.models import Assessment, Target
from onevisit.catalog.models import CheckPoint
from onevisit.inspections.models import Visit
from onevisit.inspections.recognition import recognisable_points
from onevisit.monitoring.models import Device
from onevisit.planning.models import Task


@dataclass
class Facts:
    target: Target
    visits_by_body: list[tuple[str, int]] = field(default_factory=list)
    covered_points: int = 0
    points: int = 0
    open_tasks: list[Task] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)

    @property
    def visits(self) -> int:
        return sum(n for _body, n in self.visits_by_body)

    @property
    def fully_recognised(self) -> bool:
        return self.points > 0 and self.covered_points == self.points


def facts_for(assessment: Assessment, targets: Sequence[Target], today: dt.date) -> list[Facts]:
    """One query per kind of fact for the whole page of enterprises."""
    ids = [t.enterprise_id for t in targets]
    year = assessment.window_start.year
    per_body: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = (
        Visit.bodies.through.objects.filter(visit__enterprise_id__in=ids, visit__date__year=year)
        .exclude(visit__status=Visit.Status.CANCELLED)
        .values_list("visit__enterprise_id", "body__name")
        .annotate(n=Count("visit_id"))
        .order_by("visit__enterprise_id", "body__name")
    )
    for enterprise_id, body_name, n in rows:
        per_body[enterprise_id].append((body_name, n))
    points = list(CheckPoint.objects.filter(item__in=assessment.items.all()))
    covered = recognisable_points(ids, points, max(today, assessment.window_start))
    tasks: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(enterprise_id__in=ids, status=Task.Status.OPEN).select_related(
        "body"
    ):
        tasks[task.enterprise_id].append(task)
    devices: dict[int, list[Device]] = defaultdict(list)
    for device in Device.objects.filter(enterprise_id__in=ids):
        devices[device.enterprise_id].append(device)
    return [
        Facts(
            target=t,
            visits_by_body=per_body.get(t.enterprise_id, []),
            covered_points=len(covered.get(t.enterprise_id, {})),
            points=len(points),
            open_tasks=tasks.get(t.enterprise_id, []),
            devices=devices.get(t.enterprise_id, []),
        )
        for t in targets
    ]
