"""The joint checklist ("一张表单"): the points of every body in a visit, a shared point once."""

from __future__ import annotations

from dataclasses import dataclass, field

from onevisit.catalog.models import CheckPoint
from onevisit.inspections.models import Finding, PointResult


def row_key(point: CheckPoint) -> str:
    return f"t-{point.topic}" if point.topic else f"p-{point.pk}"


@dataclass
class Row:
    key: str
    points: list[CheckPoint]
    results: list[PointResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def point(self) -> CheckPoint:
        return self.points[0]

    @property
    def result(self) -> PointResult | None:
        return self.results[0] if self.results else None

    @property
    def finding(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def shared(self) -> bool:
        return len({p.item.body_id for p in self.points}) > 1

    @property
    def body_names(self) -> list[str]:
        return sorted({p.item.body.name for p in self.points})

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.points)


def merge(
    points: list[CheckPoint], results: list[PointResult], findings: list[Finding]
) -> list[Row]:
    """Rows in the points' order; points with the same shared code fall into the first's row."""
    rows: dict[str, Row] = {}
    for point in points:
        rows.setdefault(row_key(point), Row(row_key(point), [])).points.append(point)
    by_point = {r.point_id: r for r in results}
    finding_by_point = {f.point_id: f for f in findings}
    for row in rows.values():
        row.results = [by_point[p.pk] for p in row.points if p.pk in by_point]
        row.findings = [finding_by_point[p.pk] for p in row.points if p.pk in finding_by_point]
    return list(rows.values())
