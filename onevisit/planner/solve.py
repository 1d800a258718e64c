"""The planner: the greedy everywhere, then the exact core where capacity binds, and a bound.

Where the greedy leaves tasks unplaced for lack of capacity, by the size of the exact model:
- small (a city district, a test): the exact core solves all of it with the greedy's plan as its
  first solution; its proof (or its proven bound) says how many tasks any plan can place;
- middling (a city of a few hundred enterprises under tight capacity): the search of
  `search.py`, the relaxation's neighbourhood and then small exact re-solves, which finds
  within a minute what the whole model finds in several;
- large (a province): the exact core re-solves the district pieces around the tasks the greedy
  could not place, the most failures first, each against the capacity the rest of the plan
  leaves; the bound then comes from capacity counts.

Then, with no task lost and no visit added, body groups move between an enterprise's visits
where that brings fewer people to the door (`trim.py`), and visits move to lighter weeks.
"""

from __future__ import annotations

import time
from collections import defaultdict

from .balance import balance
from .bounds import baseline_visits, capacity_bound, lower_bound, stab_count, weekly_bound
from .exact import enterprise_model_size, model_size, solve_exact
from .greedy import Capacity, Greedy, Progress
from .model import CAPACITY, NO_INSPECTOR, Id, Instance, Plan, Visit
from .search import PieceSolver, booked, score, search
from .trim import fewer_people

# Sizes at which the pooled model solves in seconds (measured with bench/planner.py), and
# below which the whole model also proves its optimum in seconds (bench/planner_tight.py).
MAX_PROVEN_VARIABLES = 10_000
MAX_WHOLE_VARIABLES = 150_000
MAX_PIECE_VARIABLES = 60_000
PIECE_SECONDS = 15.0
# for the linear programmes of the weekly bound, all bodies together
BOUND_SECONDS = 30.0


def plan(
    instance: Instance,
    *,
    repair_seconds: float = 60.0,
    balance_load: bool = True,
    progress: Progress | None = None,
) -> Plan:
    """Consolidate `instance`'s tasks into joint visits.

    `repair_seconds` bounds the time given to the exact core where the greedy left tasks
    unplaced for lack of capacity; 0 turns it off. `balance_load` then moves visits within
    their windows to level the weekly load.
    """
    started = time.perf_counter()
    capacity = Capacity(instance)
    greedy = Greedy(instance, capacity)
    greedy.run(progress)
    visits, unscheduled = greedy.visits, greedy.unscheduled
    stats: dict[str, float] = {"greedy_seconds": time.perf_counter() - started}
    method = "greedy"
    upper = _upper_bound(instance)
    fewest = _fewest_for_their_tasks(instance, visits)
    placed_most = len(instance.tasks) - len(unscheduled) >= upper
    if (
        repair_seconds > 0
        and any(item.reason != NO_INSPECTOR for item in unscheduled)
        and not (placed_most and fewest)  # the greedy is already as good as the bounds allow
    ):
        size = model_size(instance)
        if size <= MAX_PROVEN_VARIABLES:
            result = solve_exact(
                instance, time_limit=repair_seconds, start=visits, start_is_fewest=fewest
            )
            if result is not None:
                upper = min(upper, len(instance.tasks) - result.least_unscheduled)
            if result is not None and not result.kept_start:
                if score(result.unscheduled, result.visits) < score(unscheduled, visits):
                    visits, unscheduled = result.visits, result.unscheduled
                    method = "milp" if result.optimal else "greedy+milp"
                capacity = booked(instance, visits)
        elif size <= MAX_WHOLE_VARIABLES:
            found = search(instance, visits, unscheduled, started + repair_seconds)
            if found.least_unscheduled is not None:
                upper = min(upper, len(instance.tasks) - found.least_unscheduled)
            if score(found.unscheduled, found.visits) < score(unscheduled, visits):
                visits, unscheduled = found.visits, found.unscheduled
                method = "greedy+search"
            capacity = booked(instance, visits)
            stats["neighbourhoods"] = found.neighbourhoods
        else:
            repair = _Repair(instance, capacity, visits, unscheduled)
            improved = repair.run(time.perf_counter() + repair_seconds)
            visits, unscheduled = repair.visits, repair.unscheduled
            stats["repaired_pieces"] = improved
            if improved:
                method = "greedy+milp"
        stats["repair_seconds"] = time.perf_counter() - started - stats["greedy_seconds"]
    stats["people_saved"] = fewer_people(instance, capacity, visits)
    if balance_load:
        stats["moved_to_lighter_weeks"] = balance(instance, capacity, visits)
    stats["seconds"] = time.perf_counter() - started
    return Plan(
        visits=sorted(visits, key=lambda visit: (visit.week, str(visit.enterprise))),
        unscheduled=unscheduled,
        lower_bound=lower_bound(instance),
        baseline_visits=baseline_visits(instance),
        method=method,
        stats=stats,
        upper_bound_placed=upper,
    )


def _upper_bound(instance: Instance) -> int:
    """The tighter of the two counting bounds (the exact core may tighten it further)."""
    weekly = weekly_bound(instance, time_limit=BOUND_SECONDS)
    counted = capacity_bound(instance)
    return counted if weekly is None else min(counted, weekly)


def _fewest_for_their_tasks(instance: Instance, visits: list[Visit]) -> bool:
    """Whether `visits` are as few as their tasks' windows allow (interval stabbing per
    enterprise): then only placing more tasks could improve them."""
    windows = {task.id: task.window for task in instance.tasks}
    per_enterprise: dict[Id, list[tuple[int, int]]] = defaultdict(list)
    for visit in visits:
        per_enterprise[visit.enterprise].extend(windows[t] for t in visit.tasks)
    return len(visits) == sum(stab_count(ws) for ws in per_enterprise.values())


class _Repair(PieceSolver):
    """Re-solve, exactly, the enterprises around tasks the greedy could not place."""

    def run(self, deadline: float) -> int:
        improved = 0
        tried: set[frozenset[Id]] = set()
        while (remaining := deadline - time.perf_counter()) >= 1.0:
            pieces = [p for p in self._pieces() if frozenset(p) not in tried]
            if not pieces:
                break
            piece = pieces[0]
            tried.add(frozenset(piece))
            improved += self.resolve(piece, min(remaining, PIECE_SECONDS))
        return improved

    def _pieces(self) -> list[set[Id]]:
        """Per district with capacity failures (most first): the failing enterprises and, up to
        the size limit, those visited in the weeks the failures could have used."""
        failed: dict[Id, list[Id]] = defaultdict(list)
        weeks: dict[Id, set[int]] = defaultdict(set)
        for item in self.unscheduled:
            if item.reason != CAPACITY:
                continue
            task = self.tasks[item.task]
            district = self.instance.enterprises[task.enterprise].district
            failed[district].append(task.enterprise)
            weeks[district].update(range(task.window[0], task.window[1] + 1))
        pieces = []
        for district, enterprises in sorted(failed.items(), key=lambda kv: -len(kv[1])):
            near = [
                v.enterprise
                for v in self.visits
                if v.week in weeks[district]
                and self.instance.enterprises[v.enterprise].district == district
            ]
            piece: set[Id] = set()
            size = 0
            for enterprise in dict.fromkeys([*enterprises, *near]):
                grown = size + enterprise_model_size(
                    district, self.by_enterprise[enterprise], self.by_district
                )
                if grown > MAX_PIECE_VARIABLES and piece:
                    break
                piece.add(enterprise)
                size = grown
            pieces.append(piece)
        return pieces
