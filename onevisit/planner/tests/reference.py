"""An independent exact model for tests: the MILP that books each named inspector.

The planner's own exact core (`planner/exact.py`) pools interchangeable inspectors; this one
books every inspector by name on every enterprise and week, so it is slow but shares nothing of
the pooling argument. Property tests compare the two optima on small instances.

Variables (all binary): x[t,w] task t in week w of its window; u[t] task t left unplaced;
y[e,w] a visit to enterprise e in week w; b[i,e,w] inspector i on that visit (only inspectors
of a body with a task at e who serve e's district and are free that week); v[e,k,w] the visit
counts against body k's cap at e; q[e,k,w] body k comes on that visit. The door admits at most
so many bodies (sum of q) and inspectors (sum of b) per visit. The objective is lexicographic
through its weights: placed tasks first, then fewest visits, then fewest bookings.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from onevisit.planner.exact import (
    BOOKING_COST,
    ExactResult,
    LinearModel,
    assemble,
)
from onevisit.planner.model import Id, Instance, Task, Unscheduled, Visit

# in these small instances (a few dozen bookings at most) one visit fewer outweighs any number
# of bookings, and one task more placed any number of visits and bookings
VISIT_COST = 1_000.0
UNPLACED_COST = 1_000_000.0


def pools_of(instance: Instance) -> dict[tuple[Id, Id], list[int]]:
    pools: dict[tuple[Id, Id], list[int]] = defaultdict(list)
    for index, inspector in enumerate(instance.inspectors):
        for district in inspector.districts:
            pools[(inspector.body, district)].append(index)
    return pools


def solve_named(
    instance: Instance,
    *,
    free: list[list[int]] | None = None,
    time_limit: float = 60.0,
) -> ExactResult | None:
    """What `planner.exact.solve_exact` answers, by booking every inspector by name."""
    if free is None:
        free = [
            [
                0 if w in inspector.unavailable_weeks else inspector.capacity_per_week
                for w in range(instance.weeks)
            ]
            for inspector in instance.inspectors
        ]
    pools = pools_of(instance)
    model = LinearModel()
    x: dict[tuple[int, int], int] = {}
    unplaced: dict[int, int] = {}
    y: dict[tuple[Id, int], int] = {}
    bookings: dict[tuple[int, Id, int], int] = {}
    uses: dict[tuple[Id, Id, int], int] = {}
    tasks = instance.tasks
    by_enterprise: dict[Id, list[int]] = defaultdict(list)
    for t, task in enumerate(tasks):
        by_enterprise[task.enterprise].append(t)

    for enterprise, own in by_enterprise.items():
        district = instance.enterprises[enterprise].district
        caps = instance.enterprises[enterprise].caps
        week_tasks: dict[int, list[int]] = defaultdict(list)
        for t in own:
            first, last = tasks[t].window
            unplaced[t] = model.var(UNPLACED_COST)
            for week in range(first, last + 1):
                x[(t, week)] = model.var(0.0)
                week_tasks[week].append(t)
            model.row(
                [(unplaced[t], 1.0)] + [(x[(t, w)], 1.0) for w in range(first, last + 1)], 1, 1
            )
        for week, present in week_tasks.items():
            visit = y[(enterprise, week)] = model.var(VISIT_COST)
            by_body: dict[Id, list[int]] = defaultdict(list)
            for t in present:
                by_body[tasks[t].body].append(t)
                model.row([(x[(t, week)], 1.0), (visit, -1.0)], -np.inf, 0)
            team: list[tuple[int, float]] = []
            coming: list[tuple[int, float]] = []
            for body, body_tasks in by_body.items():
                members = []
                comes = model.var(0.0)
                coming.append((comes, 1.0))
                for i in pools.get((body, district), ()):
                    if free[i][week] > 0:
                        member = bookings[(i, enterprise, week)] = model.var(BOOKING_COST)
                        members.append(member)
                        model.row([(member, 1.0), (visit, -1.0)], -np.inf, 0)
                        model.row([(member, 1.0), (comes, -1.0)], -np.inf, 0)
                team.extend((m, 1.0) for m in members)
                for t in body_tasks:
                    # a task of this body needs one of its inspectors on the visit
                    model.row([(x[(t, week)], 1.0)] + [(m, -1.0) for m in members], -np.inf, 0)
                for m in members:
                    # an inspector comes only with a task of their own body
                    model.row([(m, 1.0)] + [(x[(t, week)], -1.0) for t in body_tasks], -np.inf, 0)
            model.row([*team, (visit, -2.0)], 0, np.inf)
            door = instance.door
            if door.max_bodies is not None:
                model.row(coming, -np.inf, door.max_bodies)
            if door.max_inspectors is not None:
                model.row(team, -np.inf, door.max_inspectors)
        for body in {tasks[t].body for t in own}:
            cap = caps.get(body)
            counted = [t for t in own if tasks[t].body == body and tasks[t].counts_against_cap]
            if cap is None or not counted:
                continue
            weeks = sorted({w for t in counted for w in range(*_span(tasks[t]))})
            for week in weeks:
                use = uses[(enterprise, body, week)] = model.var(0.0)
                for t in counted:
                    if (t, week) in x:
                        model.row([(x[(t, week)], 1.0), (use, -1.0)], -np.inf, 0)
            model.row([(uses[(enterprise, body, w)], 1.0) for w in weeks], -np.inf, cap)

    per_inspector_week: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (i, _, week), var in bookings.items():
        per_inspector_week[(i, week)].append(var)
    for (i, week), variables in per_inspector_week.items():
        if len(variables) > free[i][week]:
            model.row([(var, 1.0) for var in variables], -np.inf, free[i][week])

    values, optimal, bound = model.solve(time_limit)
    if values is None:
        return None
    visits, unscheduled = _read(instance, values, x, unplaced, bookings)
    return ExactResult(
        visits,
        unscheduled,
        optimal=optimal,
        variables=len(model.costs),
        least_unscheduled=len(unscheduled) if optimal else int(bound // UNPLACED_COST),
    )


def _span(task: Task) -> tuple[int, int]:
    return task.window[0], task.window[1] + 1


def _read(
    instance: Instance,
    values: list[float],
    x: dict[tuple[int, int], int],
    unplaced: dict[int, int],
    bookings: dict[tuple[int, Id, int], int],
) -> tuple[list[Visit], list[Unscheduled]]:
    tasks = instance.tasks
    placed: dict[tuple[Id, int], list[Task]] = defaultdict(list)
    for (t, week), var in x.items():
        if values[var] > 0.5:
            placed[(tasks[t].enterprise, week)].append(tasks[t])
    lost = [tasks[t] for t, var in unplaced.items() if values[var] > 0.5]
    team: dict[tuple[Id, int], list[Id]] = defaultdict(list)
    for (i, enterprise, week), var in bookings.items():
        if values[var] > 0.5 and (enterprise, week) in placed:
            team[(enterprise, week)].append(instance.inspectors[i].id)
    return assemble(instance, placed, team, lost)
