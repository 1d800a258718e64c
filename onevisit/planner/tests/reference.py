"""An independent exact model for tests: the MILP that books each named inspector.

The planner's own exact core (`planner/exact.py`) pools interchangeable inspectors; this one
books every inspector by name on every enterprise and week, so it is slow but shares nothing of
the pooling argument. Property tests compare the two optima on small instances.

Variables (all binary): x[t,w] task t in week w of its window; u[t] task t left unplaced;
y[e,w] a visit to enterprise e in week w; b[i,e,w] inspector i on that visit (only inspectors
of a body with a task at e who serve e's district and are free that week); v[e,k,w] the visit
counts against body k's cap at e. The objective is lexicographic through its weights: placed
tasks first, then fewest visits, then fewest bookings.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from onevisit.planner.exact import (
    BOOKING_COST,
    VISIT_COST,
    ExactResult,
    LinearModel,
    assemble,
)
from onevisit.planner.model import Id, Instance, Task, Unscheduled, Visit

# one task more placed outweighs any number of visits and bookings in these small instances
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
    start: list[Visit] | None = None,
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
            for body, body_tasks in by_body.items():
                members = []
                for i in pools.get((body, district), ()):
                    if free[i][week] > 0:
                        member = bookings[(i, enterprise, week)] = model.var(BOOKING_COST)
                        members.append(member)
                        model.row([(member, 1.0), (visit, -1.0)], -np.inf, 0)
                team.extend((m, 1.0) for m in members)
                for t in body_tasks:
                    # a task of this body needs one of its inspectors on the visit
                    model.row([(x[(t, week)], 1.0)] + [(m, -1.0) for m in members], -np.inf, 0)
                for m in members:
                    # an inspector comes only with a task of their own body
                    model.row([(m, 1.0)] + [(x[(t, week)], -1.0) for t in body_tasks], -np.inf, 0)
            model.row([*team, (visit, -2.0)], 0, np.inf)
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

    initial = None
    if start is not None:
        initial = _start_values(instance, start, len(model.costs), x, unplaced, y, bookings, uses)
    values, optimal, bound = model.solve(time_limit, initial)
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


def _start_values(
    instance: Instance,
    visits: list[Visit],
    size: int,
    x: dict[tuple[int, int], int],
    unplaced: dict[int, int],
    y: dict[tuple[Id, int], int],
    bookings: dict[tuple[int, Id, int], int],
    uses: dict[tuple[Id, Id, int], int],
) -> list[float]:
    values = [0.0] * size
    position = {task.id: t for t, task in enumerate(instance.tasks)}
    inspector_index = {inspector.id: i for i, inspector in enumerate(instance.inspectors)}
    for var in unplaced.values():
        values[var] = 1.0
    for visit in visits:
        values[y[(visit.enterprise, visit.week)]] = 1.0
        for task_id in visit.tasks:
            t = position[task_id]
            values[x[(t, visit.week)]] = 1.0
            values[unplaced[t]] = 0.0
            task = instance.tasks[t]
            use = uses.get((visit.enterprise, task.body, visit.week))
            if use is not None and task.counts_against_cap:
                values[use] = 1.0
        for inspector_id in visit.inspectors:
            values[bookings[(inspector_index[inspector_id], visit.enterprise, visit.week)]] = 1.0
    return values


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
