"""The exact core: a MILP solved by HiGHS over pools of interchangeable inspectors.

A pool is the inspectors of one body who serve the same districts. Which named inspector of a
pool goes is decided after the solve, week by week, so the model has no variable per inspector.

Variables (all binary): x[t,w] task t in week w of its window; u[t] task t left unplaced;
y[e,w] a visit to enterprise e in week w; one[p,e,w] / two[p,e,w] that visit takes one / two
inspectors of pool p (only pools of a body with a task at e that serve e's district); use[e,k,w]
the visit counts against body k's cap at e; present[e,k,w] body k comes on that visit (only where
more bodies have tasks there than the door admits). It is solved in two phases: first the most
tasks placed (with its proof, the bound on what any plan can place), then, with no fewer placed,
the fewest visits and, after them, the fewest bookings (person-visits): a visit weighs more than
all the bookings together, so the order is strict.

The team rule (see docs/planning.md): a visit holds an inspector of every body with a task in
it, at least two inspectors in all, and no inspector of a body without a task in it. The door
(`Instance.door`) admits at most so many bodies and so many inspectors on one visit.

Why pooling is exact. In a week w, let pool p's members have free capacity c_i (C = the sum,
M = the largest) and let the visits ask p for n_v ∈ {1, 2} distinct members. Members can be
named for every visit if and only if sum n_v ≤ C and (visits asking two) ≤ C − M. Necessity:
every booking uses capacity; a visit asking two uses some member other than the busiest one, so
the visits asking two fit in what the others hold. Sufficiency is max-flow/min-cut on the
network source → visit (n_v) → member (1 each) → sink (c_i): a cut that keeps a set S of
members on the sink side costs sum over visits of min(n_v, |S|) plus the capacity outside S;
with n_v ≤ 2 the only cuts below sum n_v would have |S| ≤ 1, and those are exactly the two
inequalities. Both are rows of the model, so every pooled solution can be named, and naming
the two-member visits first from the members with the most room left (`_name`) always
succeeds. No visit needs three members of one pool: one member of each body suffices, and a
visit of one body needs two.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np

from .check import explain
from .model import Id, Inspector, Instance, Task, Unscheduled, Visit, lead_body

# Phase 1's share of the time limit; phase 2 has the rest.
PLACEMENT_SHARE = 0.7
# Phase 2's costs: a booking (one inspector at one door) costs one; a visit costs more than all
# the bookings a plan can make (set when the model is built), so fewer visits always come first.
BOOKING_COST = 1.0


@dataclass
class LinearModel:
    """Columns and rows for HiGHS, built one at a time."""

    costs: list[float] = field(default_factory=list)
    uppers: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    indexes: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def var(self, cost: float, upper: float = 1.0) -> int:
        self.costs.append(cost)
        self.uppers.append(upper)
        return len(self.costs) - 1

    def row(self, terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        self.starts.append(len(self.indexes))
        for index, value in terms:
            self.indexes.append(index)
            self.values.append(value)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def _highs(
        self, time_limit: float, costs: list[float], integral: bool = False
    ) -> highspy.Highs:
        highs = _new_highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("log_to_console", False)
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("mip_rel_gap", 0.0)
        n = len(self.costs)
        highs.addCols(
            n,
            np.array(costs, dtype=np.float64),
            np.zeros(n),
            np.array(self.uppers, dtype=np.float64),
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([], dtype=np.float64),
        )
        if integral:
            highs.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.full(n, 1, dtype=np.uint8)
            )
        highs.addRows(
            len(self.row_lower),
            np.array(self.row_lower, dtype=np.float64),
            np.array(self.row_upper, dtype=np.float64),
            len(self.indexes),
            np.array(self.starts, dtype=np.int32),
            np.array(self.indexes, dtype=np.int32),
            np.array(self.values, dtype=np.float64),
        )
        return highs

    def solve(
        self,
        time_limit: float,
        start: list[float] | None = None,
        costs: list[float] | None = None,
    ) -> tuple[list[float] | None, bool, float]:
        """Values, whether proven optimal, and the proven lower bound of the objective (under
        `costs` instead of the model's own when given)."""
        if not self.costs:
            return [], True, 0.0
        costs = costs or self.costs
        values, optimal, bound, reported = self._run(time_limit, start, costs, presolve=True)
        if values is not None and abs(_dot(costs, values) - reported) > 1e-6 * (1 + abs(reported)):
            # HiGHS 1.16 can hand back the start instead of the solution whose objective it
            # reports (seen when presolve solves the whole model); solve again without presolve
            values, optimal, bound, _ = self._run(time_limit, start, costs, presolve=False)
        return values, optimal, bound

    def _run(
        self, time_limit: float, start: list[float] | None, costs: list[float], presolve: bool
    ) -> tuple[list[float] | None, bool, float, float]:
        highs = self._highs(time_limit, costs, integral=True)
        if not presolve:
            highs.setOptionValue("presolve", "off")
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = start
            solution.value_valid = True
            highs.setSolution(solution)
        highs.run()
        info = highs.getInfo()
        if info.primal_solution_status != 2:  # no feasible solution found
            return None, False, 0.0, 0.0
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        values = list(highs.getSolution().col_value)
        return values, optimal, float(info.mip_dual_bound), float(info.objective_function_value)

    def relaxed(self, time_limit: float) -> float | None:
        """The optimum of the linear relaxation (None when it did not finish in time)."""
        solved = self.relaxation(time_limit)
        return None if solved is None else solved[1]

    def relaxation(
        self, time_limit: float, costs: list[float] | None = None
    ) -> tuple[list[float], float] | None:
        """The linear relaxation's values and optimum (None when it did not finish in time)."""
        if not self.costs:
            return [], 0.0
        highs = self._highs(time_limit, costs or self.costs)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = list(highs.getSolution().col_value)
        return values, float(highs.getInfo().objective_function_value)


def _new_highs() -> highspy.Highs:
    """HiGHS writes a banner to the process's stdout on first use; keep it out of our output."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@dataclass
class ExactResult:
    visits: list[Visit]
    unscheduled: list[Unscheduled]
    optimal: bool
    variables: int
    # Proven: no plan leaves fewer tasks unplaced than this.
    least_unscheduled: int = 0
    # The start was returned unchanged (its unscheduled list is the caller's).
    kept_start: bool = False


PoolKey = tuple[Id, frozenset[Id]]


def pools_of(inspectors: list[Inspector]) -> dict[PoolKey, list[int]]:
    """Inspectors (by index) grouped by body and the districts they serve."""
    pools: dict[PoolKey, list[int]] = defaultdict(list)
    for index, inspector in enumerate(inspectors):
        pools[(inspector.body, inspector.districts)].append(index)
    return pools


def serving(pools: dict[PoolKey, list[int]]) -> dict[tuple[Id, Id], list[PoolKey]]:
    """For each (body, district), the pools that can send someone there."""
    found: dict[tuple[Id, Id], list[PoolKey]] = defaultdict(list)
    for key in pools:
        body, districts = key
        for district in districts:
            found[(body, district)].append(key)
    return found


def full_capacity(instance: Instance) -> list[list[int]]:
    return [
        [
            0 if w in inspector.unavailable_weeks else inspector.capacity_per_week
            for w in range(instance.weeks)
        ]
        for inspector in instance.inspectors
    ]


def model_size(instance: Instance) -> int:
    """How many variables the exact model of `instance` would have (to decide whether to try)."""
    by_district = serving(pools_of(instance.inspectors))
    return sum(
        enterprise_model_size(instance.enterprises[enterprise].district, own, by_district)
        for enterprise, own in instance.tasks_by_enterprise().items()
    )


def enterprise_model_size(
    district: Id, tasks: list[Task], by_district: dict[tuple[Id, Id], list[PoolKey]]
) -> int:
    """The variables one enterprise adds to the exact model (an upper estimate)."""
    weeks = {w for task in tasks for w in range(task.window[0], task.window[1] + 1)}
    bodies = {task.body for task in tasks}
    per_week = sum(2 * len(by_district.get((body, district), ())) for body in bodies)
    size = sum(task.window[1] - task.window[0] + 2 for task in tasks)
    return size + len(weeks) * (1 + per_week + len(bodies))


@dataclass
class _Vars:
    x: dict[tuple[int, int], int] = field(default_factory=dict)
    unplaced: dict[int, int] = field(default_factory=dict)
    y: dict[tuple[Id, int], int] = field(default_factory=dict)
    # (pool, enterprise, week) -> (one, two); two is -1 where the pool cannot send two
    sends: dict[tuple[PoolKey, Id, int], tuple[int, int]] = field(default_factory=dict)
    uses: dict[tuple[Id, Id, int], int] = field(default_factory=dict)
    # (enterprise, body, week) -> the body comes on that visit (only where the door binds)
    present: dict[tuple[Id, Id, int], int] = field(default_factory=dict)


class _Builder:
    def __init__(self, instance: Instance, free: list[list[int]]) -> None:
        self.instance = instance
        self.free = free
        self.pools = pools_of(instance.inspectors)
        self.by_district = serving(self.pools)
        self.model = LinearModel()
        self.v = _Vars()
        self.room: dict[tuple[PoolKey, int], tuple[int, int]] = {}

    def pool_room(self, key: PoolKey, week: int) -> tuple[int, int]:
        """The pool's free capacity that week, and what is left without its busiest member."""
        if (key, week) not in self.room:
            free = [self.free[i][week] for i in self.pools[key] if self.free[i][week] > 0]
            total = sum(free)
            self.room[(key, week)] = (total, total - max(free, default=0))
        return self.room[(key, week)]

    def build(self) -> None:
        tasks = self.instance.tasks
        by_enterprise: dict[Id, list[int]] = defaultdict(list)
        for t, task in enumerate(tasks):
            by_enterprise[task.enterprise].append(t)
        for enterprise, own in by_enterprise.items():
            self.enterprise(enterprise, own)
        self.capacity_rows()
        self.order_objective()

    def order_objective(self) -> None:
        """The fewest visits before the fewest person-visits: a visit weighs more than every
        booking the model can make, so that no number of people saved buys one more visit."""
        most = sum(2 if two >= 0 else 1 for _, two in self.v.sends.values())
        free = sum(sum(row) for row in self.free)
        weight = visit_cost(min(most, free))
        for var in self.v.y.values():
            self.model.costs[var] = weight

    def enterprise(self, enterprise: Id, own: list[int]) -> None:
        tasks, model, v = self.instance.tasks, self.model, self.v
        week_tasks: dict[int, list[int]] = defaultdict(list)
        for t in own:
            first, last = tasks[t].window
            v.unplaced[t] = model.var(0.0)
            for week in range(first, last + 1):
                v.x[(t, week)] = model.var(0.0)
                week_tasks[week].append(t)
            model.row(
                [(v.unplaced[t], 1.0)] + [(v.x[(t, w)], 1.0) for w in range(first, last + 1)], 1, 1
            )
        for week, present in week_tasks.items():
            self.visit(enterprise, week, present)
        self.caps(enterprise, own)

    def visit(self, enterprise: Id, week: int, present: list[int]) -> None:
        tasks, model, v = self.instance.tasks, self.model, self.v
        district = self.instance.enterprises[enterprise].district
        visit = v.y[(enterprise, week)] = model.var(0.0)  # its cost: `order_objective`
        by_body: dict[Id, list[int]] = defaultdict(list)
        for t in present:
            by_body[tasks[t].body].append(t)
            model.row([(v.x[(t, week)], 1.0), (visit, -1.0)], -np.inf, 0)
        team: list[tuple[int, float]] = []
        door = self.instance.door
        counted_bodies = door.body_limit is not None and len(by_body) > door.body_limit
        for body, body_tasks in by_body.items():
            members: list[tuple[int, float]] = []
            if counted_bodies:
                comes = v.present[(enterprise, body, week)] = model.var(0.0)
            for key in self.by_district.get((body, district), ()):
                total, without_busiest = self.pool_room(key, week)
                if total <= 0:
                    continue
                one = model.var(BOOKING_COST)
                two = model.var(2 * BOOKING_COST) if without_busiest > 0 else -1
                v.sends[(key, enterprise, week)] = (one, two)
                sent = [(one, 1.0)] + ([(two, 1.0)] if two >= 0 else [])
                members.extend(sent)
                team.extend([(one, 1.0)] + ([(two, 2.0)] if two >= 0 else []))
                # a pool sends one or two, and only with a task of its own body
                model.row(sent + [(v.x[(t, week)], -1.0) for t in body_tasks], -np.inf, 0)
                if counted_bodies:
                    model.row([*sent, (comes, -1.0)], -np.inf, 0)
                else:
                    model.row(sent, -np.inf, 1)
            for t in body_tasks:
                # a task of this body needs one of its inspectors on the visit
                model.row([(v.x[(t, week)], 1.0)] + [(m, -1.0) for m, _ in members], -np.inf, 0)
        model.row([*team, (visit, -2.0)], 0, np.inf)
        if counted_bodies:
            # the door: at most so many bodies (each brings at least one inspector)
            coming = [(v.present[(enterprise, b, week)], 1.0) for b in by_body]
            model.row([*coming, (visit, -float(door.body_limit or 0))], -np.inf, 0)
        if door.max_inspectors is not None and sum(n for _, n in team) > door.max_inspectors:
            model.row([*team, (visit, -float(door.max_inspectors))], -np.inf, 0)

    def caps(self, enterprise: Id, own: list[int]) -> None:
        tasks, model, v = self.instance.tasks, self.model, self.v
        caps = self.instance.enterprises[enterprise].caps
        for body in {tasks[t].body for t in own}:
            cap = caps.get(body)
            counted = [t for t in own if tasks[t].body == body and tasks[t].counts_against_cap]
            if cap is None or not counted:
                continue
            weeks = sorted({w for t in counted for w in range(*_span(tasks[t]))})
            for week in weeks:
                use = v.uses[(enterprise, body, week)] = model.var(0.0)
                for t in counted:
                    if (t, week) in v.x:
                        model.row([(v.x[(t, week)], 1.0), (use, -1.0)], -np.inf, 0)
            model.row([(v.uses[(enterprise, body, w)], 1.0) for w in weeks], -np.inf, cap)

    def capacity_rows(self) -> None:
        per_pool_week: dict[tuple[PoolKey, int], list[tuple[int, int]]] = defaultdict(list)
        for (key, _, week), pair in self.v.sends.items():
            per_pool_week[(key, week)].append(pair)
        for (key, week), pairs in per_pool_week.items():
            total, without_busiest = self.pool_room(key, week)
            bookings = [(one, 1.0) for one, _ in pairs] + [
                (two, 2.0) for _, two in pairs if two >= 0
            ]
            if len(pairs) * 2 > total:
                self.model.row(bookings, -np.inf, total)
            twos = [(two, 1.0) for _, two in pairs if two >= 0]
            if len(twos) > without_busiest:
                self.model.row(twos, -np.inf, without_busiest)


def solve_exact(
    instance: Instance,
    *,
    free: list[list[int]] | None = None,
    time_limit: float = 60.0,
    start: list[Visit] | None = None,
    start_is_fewest: bool = False,
    rounded: bool = False,
) -> ExactResult | None:
    """Solve `instance` to optimality (or the best found within the limit).

    `free[i][w]` is each inspector's remaining capacity; by default their full weekly capacity
    minus unavailable weeks. `start` (a valid plan's visits, e.g. the greedy's) is handed to
    HiGHS as its first solution; `start_is_fewest` says the start already has the fewest visits
    its tasks allow, so that if the first phase places no more, the second is not needed.

    `rounded` solves only the neighbourhood of the linear relaxation (RENS): a task may go only
    to weeks where the relaxation's optimum puts some of it. That model is a fraction of the
    whole and solves in seconds, to a plan near the best; its bound is the relaxation's, not a
    proof of the best. Returns None when HiGHS found no solution in time.
    """
    ends = time.perf_counter() + time_limit
    builder = _Builder(instance, free if free is not None else full_capacity(instance))
    builder.build()
    model, unplaced = builder.model, list(builder.v.unplaced.values())
    counting = _counting(len(model.costs), unplaced)
    relaxed_bound = None
    if rounded:
        relaxation = model.relaxation(PLACEMENT_SHARE * time_limit, counting)
        if relaxation is None:
            return None
        relaxed_bound = _ceil(relaxation[1])
        for var in builder.v.x.values():
            if relaxation[0][var] < 1e-6:
                model.uppers[var] = 0.0
    initial = None if start is None else _start_values(builder, start)
    if (
        rounded
        and initial is not None
        and any(value > 0.5 and model.uppers[var] == 0.0 for var, value in enumerate(initial))
    ):
        initial = None  # the start leaves the neighbourhood
    # phase 1: the most tasks placed
    values, placed_optimal, bound = model.solve(
        PLACEMENT_SHARE * max(1.0, ends - time.perf_counter()), initial, costs=counting
    )
    if values is None:
        return None
    left = round(sum(values[var] for var in unplaced))
    if relaxed_bound is not None:
        least, placed_optimal = min(left, relaxed_bound), placed_optimal and left == relaxed_bound
    else:
        least = left if placed_optimal else min(left, _ceil(bound))
    if (
        start_is_fewest
        and start is not None
        and initial is not None
        and left >= round(sum(initial[var] for var in unplaced))
    ):
        # the start places as many, in as few visits as its own tasks allow: keep it
        return ExactResult(
            start,
            [],
            optimal=False,
            variables=len(model.costs),
            least_unscheduled=least,
            kept_start=True,
        )
    # phase 2: with no more left unplaced, the fewest visits and bookings
    model.row([(var, 1.0) for var in unplaced], -np.inf, left)
    fewer, visits_optimal, _ = model.solve(max(1.0, ends - time.perf_counter()), values)
    visits, unscheduled = _read(builder, fewer if fewer is not None else values)
    return ExactResult(
        visits,
        unscheduled,
        optimal=placed_optimal and visits_optimal and fewer is not None,
        variables=len(model.costs),
        least_unscheduled=least,
    )


def visit_cost(most_bookings: int) -> float:
    """The cost of one visit where a plan makes at most `most_bookings` bookings."""
    return float(most_bookings + 1) * BOOKING_COST


def _dot(costs: list[float], values: list[float]) -> float:
    return sum(cost * value for cost, value in zip(costs, values, strict=True) if cost)


def _counting(size: int, variables: list[int]) -> list[float]:
    costs = [0.0] * size
    for var in variables:
        costs[var] = 1.0
    return costs


def _ceil(value: float) -> int:
    """Round a solver's bound up to the integer it proves (tolerating its rounding noise)."""
    return max(0, math.ceil(value - 1e-6)) if math.isfinite(value) else 0


def _start_values(builder: _Builder, visits: list[Visit]) -> list[float] | None:
    """The model's values for a valid plan; None if the plan does not fit the model."""
    instance, v = builder.instance, builder.v
    values = [0.0] * len(builder.model.costs)
    position = {task.id: t for t, task in enumerate(instance.tasks)}
    pool_of = {
        instance.inspectors[i].id: key for key, members in builder.pools.items() for i in members
    }
    for var in v.unplaced.values():
        values[var] = 1.0
    for visit in visits:
        values[v.y[(visit.enterprise, visit.week)]] = 1.0
        for task_id in visit.tasks:
            t = position[task_id]
            values[v.x[(t, visit.week)]] = 1.0
            values[v.unplaced[t]] = 0.0
            task = instance.tasks[t]
            use = v.uses.get((visit.enterprise, task.body, visit.week))
            if use is not None and task.counts_against_cap:
                values[use] = 1.0
        sent: dict[PoolKey, int] = defaultdict(int)
        for inspector_id in visit.inspectors:
            sent[pool_of[inspector_id]] += 1
            present = v.present.get((visit.enterprise, pool_of[inspector_id][0], visit.week))
            if present is not None:
                values[present] = 1.0
        for key, count in sent.items():
            one, two = v.sends.get((key, visit.enterprise, visit.week), (-1, -1))
            chosen = one if count == 1 else two if count == 2 else -1
            if chosen < 0:
                return None
            values[chosen] = 1.0
    return values


def _span(task: Task) -> tuple[int, int]:
    return task.window[0], task.window[1] + 1


def _read(builder: _Builder, values: list[float]) -> tuple[list[Visit], list[Unscheduled]]:
    instance, v = builder.instance, builder.v
    tasks = instance.tasks
    placed: dict[tuple[Id, int], list[Task]] = defaultdict(list)
    for (t, week), var in v.x.items():
        if values[var] > 0.5:
            placed[(tasks[t].enterprise, week)].append(tasks[t])
    lost = [tasks[t] for t, var in v.unplaced.items() if values[var] > 0.5]
    asked: dict[tuple[PoolKey, int], list[tuple[Id, int]]] = defaultdict(list)
    for (key, enterprise, week), (one, two) in v.sends.items():
        if (enterprise, week) not in placed:
            continue
        if values[one] > 0.5:
            asked[(key, week)].append((enterprise, 1))
        elif two >= 0 and values[two] > 0.5:
            asked[(key, week)].append((enterprise, 2))
    team: dict[tuple[Id, int], list[Id]] = defaultdict(list)
    for (key, week), wanted in asked.items():
        for enterprise, members in _name(builder, key, week, wanted):
            team[(enterprise, week)].extend(instance.inspectors[i].id for i in members)
    return assemble(instance, placed, team, lost)


def assemble(
    instance: Instance,
    placed: dict[tuple[Id, int], list[Task]],
    team: dict[tuple[Id, int], list[Id]],
    lost: list[Task],
) -> tuple[list[Visit], list[Unscheduled]]:
    """Visits from the tasks placed and the team named per (enterprise, week), and the tasks
    lost with their reasons."""
    visits = [
        Visit(
            enterprise=enterprise,
            week=week,
            tasks=[task.id for task in group],
            inspectors=team[(enterprise, week)],
            lead_body=lead_body(group),
        )
        for (enterprise, week), group in sorted(placed.items(), key=lambda item: item[0][1])
    ]
    return visits, [Unscheduled(task.id, explain(instance, task, visits)) for task in lost]


def _name(
    builder: _Builder, key: PoolKey, week: int, wanted: list[tuple[Id, int]]
) -> list[tuple[Id, list[int]]]:
    """Name the pool's members for each visit: visits asking two first, each from the members
    with the most room left (always succeeds when the model's two pool rows hold)."""
    room = {i: builder.free[i][week] for i in builder.pools[key] if builder.free[i][week] > 0}
    named = []
    for enterprise, count in sorted(wanted, key=lambda item: -item[1]):
        members = sorted(room, key=lambda i: (-room[i], i))[:count]
        if len(members) < count or any(room[i] <= 0 for i in members):
            raise AssertionError(f"pool {key} cannot staff week {week}")  # the proof says never
        for i in members:
            room[i] -= 1
        named.append((enterprise, members))
    return named
