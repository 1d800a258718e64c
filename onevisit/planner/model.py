"""The planner's vocabulary: an instance in, a plan out. Plain data, no Django."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

Id = str | int

KINDS = ("routine", "special", "triggered", "deployed", "recheck")
# Triggered checks (with a recorded cause), checks deployed from above and re-checks of
# rectification do not count against the annual cap of visits per body per enterprise.
EXEMPT_KINDS = frozenset({"triggered", "deployed", "recheck"})

# Why a task could not be placed; the Django side translates these codes.
NO_INSPECTOR = "no_inspector"
TOO_FEW_INSPECTORS = "too_few_inspectors"
CAPACITY = "capacity"
CAP_REACHED = "cap_reached"
DOOR_CAP = "door_cap"

REASONS = {
    NO_INSPECTOR: "no inspector of the body serves the enterprise's district",
    TOO_FEW_INSPECTORS: "fewer than two inspectors of the body serve the enterprise's district",
    CAPACITY: "inspector capacity exhausted in the task's window",
    CAP_REACHED: "annual cap of visits by this body to this enterprise reached",
    DOOR_CAP: "every visit the task could join is full at the door (bodies or inspectors)",
}


@dataclass(frozen=True, slots=True)
class Enterprise:
    id: Id
    district: Id
    caps: dict[Id, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Inspector:
    id: Id
    body: Id
    districts: frozenset[Id]
    capacity_per_week: int
    unavailable_weeks: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Task:
    id: Id
    enterprise: Id
    body: Id
    window: tuple[int, int]
    kind: str = "routine"
    items: tuple[Id, ...] = ()
    points: int = 1

    @property
    def counts_against_cap(self) -> bool:
        return self.kind not in EXEMPT_KINDS


@dataclass(frozen=True, slots=True)
class Door:
    """Who may come through one door: at most `max_bodies` bodies and `max_inspectors`
    inspectors on one visit (None: no limit). Every body of a visit brings one inspector, and a
    body alone brings two, so a visit holds at most `body_limit` bodies."""

    max_bodies: int | None = None
    max_inspectors: int | None = None

    def __post_init__(self) -> None:
        if self.max_bodies is not None and self.max_bodies < 1:
            raise ValueError("a visit admits at least one body")
        if self.max_inspectors is not None and self.max_inspectors < 2:
            raise ValueError("a visit admits at least two inspectors")

    @property
    def limited(self) -> bool:
        return self.max_bodies is not None or self.max_inspectors is not None

    @property
    def body_limit(self) -> int | None:
        limits = [n for n in (self.max_bodies, self.max_inspectors) if n is not None]
        return min(limits) if limits else None

    def admits(self, bodies: int, inspectors: int) -> bool:
        return (self.max_bodies is None or bodies <= self.max_bodies) and (
            self.max_inspectors is None or inspectors <= self.max_inspectors
        )


NO_DOOR = Door()


@dataclass(slots=True)
class Instance:
    start: date
    weeks: int
    bodies: list[Id]
    enterprises: dict[Id, Enterprise]
    inspectors: list[Inspector]
    tasks: list[Task]
    door: Door = NO_DOOR

    def tasks_by_enterprise(self) -> dict[Id, list[Task]]:
        grouped: dict[Id, list[Task]] = defaultdict(list)
        for task in self.tasks:
            grouped[task.enterprise].append(task)
        return grouped


@dataclass(slots=True)
class Visit:
    enterprise: Id
    week: int
    tasks: list[Id]
    inspectors: list[Id]
    lead_body: Id


@dataclass(frozen=True, slots=True)
class Unscheduled:
    task: Id
    reason: str


@dataclass(slots=True)
class Plan:
    visits: list[Visit]
    unscheduled: list[Unscheduled]
    lower_bound: int
    baseline_visits: int
    method: str = "greedy"
    stats: dict[str, float] = field(default_factory=dict)
    # No plan under the same rules places more tasks than this (None: not computed).
    upper_bound_placed: int | None = None

    @property
    def bookings(self) -> int:
        """Person-visits: the inspectors at the door, summed over the visits."""
        return sum(len(visit.inspectors) for visit in self.visits)

    @property
    def scheduled_tasks(self) -> int:
        return sum(len(visit.tasks) for visit in self.visits)


def lead_body(tasks: list[Task]) -> Id:
    """The body with the most checklist points in the visit; ties go to the smallest id."""
    points: dict[Id, int] = defaultdict(int)
    for task in tasks:
        points[task.body] += task.points
    return min(points, key=lambda body: (-points[body], str(body)))
