"""The planner's file format (`onevisit plan-file`): JSON in, JSON out, every input error named."""

from __future__ import annotations

from datetime import date
from typing import Any

from onevisit.lib.problems import Problem, gettext_noop

from .model import KINDS, NO_DOOR, Door, Enterprise, Id, Inspector, Instance, Plan, Task

MAX_WEEKS = 520


def _where(section: str, position: int, entry: object) -> str:
    if isinstance(entry, dict) and "id" in entry:
        return f"{section}[{position}] (id {entry['id']!r})"
    return f"{section}[{position}]"


def _fail(where: str, what: str) -> Problem:
    return Problem(gettext_noop("%(where)s: %(what)s"), where=where, what=what)


def _id(entry: dict[str, Any], key: str, where: str) -> Id:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise _fail(where, f"'{key}' must be a non-empty string or an integer")
    return value


def _int(entry: dict[str, Any], key: str, where: str, minimum: int = 0) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(where, f"'{key}' must be an integer ≥ {minimum}")
    return value


def _list(entry: dict[str, Any], key: str, where: str, required: bool = True) -> list[Any]:
    if key not in entry and not required:
        return []
    value = entry.get(key)
    if not isinstance(value, list):
        raise _fail(where, f"'{key}' must be a list")
    return value


def _entries(data: dict[str, Any], section: str) -> list[tuple[str, dict[str, Any]]]:
    raw = _list(data, section, "input")
    out = []
    for position, entry in enumerate(raw):
        where = _where(section, position, entry)
        if not isinstance(entry, dict):
            raise _fail(where, "must be an object")
        out.append((where, entry))
    return out


def _unique(seen: set[Id], value: Id, where: str) -> None:
    if value in seen:
        raise _fail(where, f"duplicate id {value!r}")
    seen.add(value)


def parse_instance(data: object) -> Instance:
    """Build an `Instance` from decoded JSON, or raise a `Problem` naming the offending entry."""
    if not isinstance(data, dict):
        raise _fail("input", "must be a JSON object")
    horizon = data.get("horizon")
    if not isinstance(horizon, dict):
        raise _fail("horizon", "must be an object with 'start' and 'weeks'")
    try:
        start = date.fromisoformat(str(horizon.get("start")))
    except ValueError:
        raise _fail("horizon", "'start' must be a date like 2027-01-04") from None
    weeks = _int(horizon, "weeks", "horizon", minimum=1)
    if weeks > MAX_WEEKS:
        raise _fail("horizon", f"'weeks' must be at most {MAX_WEEKS}")

    bodies: list[Id] = []
    for where, entry in _entries(data, "bodies"):
        body = _id(entry, "id", where)
        _unique(set(bodies), body, where)
        bodies.append(body)
    known_bodies = set(bodies)

    enterprises: dict[Id, Enterprise] = {}
    for where, entry in _entries(data, "enterprises"):
        enterprise_id = _id(entry, "id", where)
        if enterprise_id in enterprises:
            raise _fail(where, f"duplicate id {enterprise_id!r}")
        caps = entry.get("caps", {})
        if not isinstance(caps, dict):
            raise _fail(where, "'caps' must be an object of body id → maximum visits")
        parsed_caps: dict[Id, int] = {}
        for key, value in caps.items():
            matched = _match_body(key, known_bodies)
            if matched is None:
                raise _fail(where, f"'caps' names unknown body {key!r}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _fail(where, f"cap for body {key!r} must be an integer ≥ 0")
            parsed_caps[matched] = value
        enterprises[enterprise_id] = Enterprise(
            enterprise_id, _id(entry, "district", where), parsed_caps
        )

    inspectors: list[Inspector] = []
    seen: set[Id] = set()
    for where, entry in _entries(data, "inspectors"):
        inspector_id = _id(entry, "id", where)
        _unique(seen, inspector_id, where)
        body = _id(entry, "body", where)
        if body not in known_bodies:
            raise _fail(where, f"unknown body {body!r}")
        districts = _list(entry, "districts", where)
        if any(isinstance(d, bool) or not isinstance(d, str | int) for d in districts):
            raise _fail(where, "'districts' must hold strings or integers")
        unavailable = _list(entry, "unavailable_weeks", where, required=False)
        if any(isinstance(w, bool) or not isinstance(w, int) for w in unavailable):
            raise _fail(where, "'unavailable_weeks' must hold week indexes")
        inspectors.append(
            Inspector(
                inspector_id,
                body,
                frozenset(districts),
                _int(entry, "capacity_per_week", where),
                frozenset(unavailable),
            )
        )

    tasks: list[Task] = []
    seen = set()
    for where, entry in _entries(data, "tasks"):
        tasks.append(_task(entry, where, seen, enterprises, known_bodies, weeks))
    return Instance(start, weeks, bodies, enterprises, inspectors, tasks, _door(data))


def _door(data: dict[str, Any]) -> Door:
    """The optional limits on who comes to one door; a file without them plans without."""
    if "door" not in data:
        return NO_DOOR
    door = data["door"]
    if not isinstance(door, dict) or set(door) - {"max_bodies", "max_inspectors"}:
        raise _fail("door", "must be an object with 'max_bodies' and/or 'max_inspectors'")
    limits: dict[str, int | None] = {}
    for key, least in (("max_bodies", 1), ("max_inspectors", 2)):
        if door.get(key) is None:
            limits[key] = None
        else:
            limits[key] = _int(door, key, "door", minimum=least)
    return Door(**limits)


def _match_body(key: str, bodies: set[Id]) -> Id | None:
    """JSON object keys are strings; a cap may name a body whose id is an integer."""
    if key in bodies:
        return key
    if key.lstrip("-").isdigit() and int(key) in bodies:
        return int(key)
    return None


def _task(
    entry: dict[str, Any],
    where: str,
    seen: set[Id],
    enterprises: dict[Id, Enterprise],
    bodies: set[Id],
    weeks: int,
) -> Task:
    task_id = _id(entry, "id", where)
    _unique(seen, task_id, where)
    enterprise = _id(entry, "enterprise", where)
    if enterprise not in enterprises:
        raise _fail(where, f"unknown enterprise {enterprise!r}")
    body = _id(entry, "body", where)
    if body not in bodies:
        raise _fail(where, f"unknown body {body!r}")
    window = entry.get("window")
    if (
        not isinstance(window, list)
        or len(window) != 2
        or not all(isinstance(w, int) and not isinstance(w, bool) for w in window)
    ):
        raise _fail(where, "'window' must be [first week, last week]")
    first, last = window
    if not 0 <= first <= last < weeks:
        raise _fail(where, f"window {window} must satisfy 0 ≤ first ≤ last < {weeks}")
    kind = entry.get("kind", "routine")
    if kind not in KINDS:
        raise _fail(where, f"'kind' must be one of {', '.join(KINDS)}")
    items = _list(entry, "items", where, required=False)
    points = entry.get("points", max(len(items), 1))
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise _fail(where, "'points' must be an integer ≥ 0")
    return Task(task_id, enterprise, body, (first, last), kind, tuple(items), points)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "visits": [
            {
                "enterprise": visit.enterprise,
                "week": visit.week,
                "tasks": visit.tasks,
                "inspectors": visit.inspectors,
                "lead_body": visit.lead_body,
            }
            for visit in plan.visits
        ],
        "unscheduled": [{"task": item.task, "reason": item.reason} for item in plan.unscheduled],
        "lower_bound": plan.lower_bound,
        "baseline_visits": plan.baseline_visits,
        "placed": plan.scheduled_tasks,
        "person_visits": plan.bookings,
        "upper_bound_placed": plan.upper_bound_placed,
        "method": plan.method,
    }


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The `plan-file` input for `instance` (what `parse_instance` reads back)."""
    limit = instance.door
    door = {"max_bodies": limit.max_bodies, "max_inspectors": limit.max_inspectors}
    limits = {"door": door} if limit.limited else {}
    return {
        **limits,
        "horizon": {"start": instance.start.isoformat(), "weeks": instance.weeks},
        "bodies": [{"id": body} for body in instance.bodies],
        "enterprises": [
            {"id": e.id, "district": e.district, "caps": e.caps}
            for e in instance.enterprises.values()
        ],
        "inspectors": [
            {
                "id": i.id,
                "body": i.body,
                "districts": sorted(i.districts, key=str),
                "capacity_per_week": i.capacity_per_week,
                "unavailable_weeks": sorted(i.unavailable_weeks),
            }
            for i in instance.inspectors
        ],
        "tasks": [
            {
                "id": t.id,
                "enterprise": t.enterprise,
                "body": t.body,
                "window": list(t.window),
                "kind": t.kind,
                "items": list(t.items),
                "points": t.points,
            }
            for t in instance.tasks
        ],
    }
