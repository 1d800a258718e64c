"""Closing the gap where capacity binds: the relaxation's neighbourhood, then small exact re-solves.

The whole exact model of a tight city of a few hundred enterprises is within HiGHS's reach, but
its first good solutions come late: the root's cutting planes alone take half a minute on two
cores. Two steps find most of what the whole model would find, in seconds each:

1. **RENS** (`solve_exact(rounded=True)`): the linear relaxation of "the most tasks placed" says
   which weeks each task could use; the model restricted to those weeks is a fraction of the
   whole and solves to a plan near the best. Its optimum is also a bound (the relaxation's).
2. **Large-neighbourhood search**: again and again, free a few dozen enterprises of one district
   whose visits fall in the weeks an unplaced task could use, and re-solve them exactly against
   the capacity the rest of the plan leaves. A result is kept only when it is better in the
   objective's order (more placed, then fewer visits, then fewer people at the door).

Every plan it returns satisfies the same rules as the exact core's (it is made by it).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from .exact import enterprise_model_size, pools_of, serving, solve_exact
from .greedy import Capacity
from .model import CAPACITY, Id, Instance, Task, Unscheduled, Visit

# A neighbourhood's exact model, in variables: small enough to solve in a second or two; it
# grows by half after so many neighbourhoods in a row that brought nothing, up to the largest.
NEIGHBOURHOOD_VARIABLES = 4_000
LARGEST_NEIGHBOURHOOD = 16_000
PATIENCE = 25
NEIGHBOURHOOD_SECONDS = 5.0
# The weeks around an unplaced task's window whose visits join its neighbourhood.
WEEKS_AROUND = 1


@dataclass
class Searched:
    visits: list[Visit]
    unscheduled: list[Unscheduled]
    # proven: no plan leaves fewer unplaced (None when the relaxation did not finish)
    least_unscheduled: int | None
    neighbourhoods: int
    improved: int


def score(unscheduled: list[Unscheduled], visits: list[Visit]) -> tuple[int, int, int]:
    """The objective in its order: unplaced tasks, visits, people at the door."""
    return len(unscheduled), len(visits), sum(len(visit.inspectors) for visit in visits)


def search(
    instance: Instance,
    visits: list[Visit],
    unscheduled: list[Unscheduled],
    deadline: float,
    *,
    seed: int = 0,
) -> Searched:
    """Improve a valid plan (e.g. the greedy's) until `deadline` (a `time.perf_counter()` value)."""
    least = None
    remaining = deadline - time.perf_counter()
    if remaining >= 2.0:
        rounded = solve_exact(
            instance, time_limit=min(remaining / 2, 20.0), start=visits, rounded=True
        )
        if rounded is not None:
            least = rounded.least_unscheduled
            if score(rounded.unscheduled, rounded.visits) < score(unscheduled, visits):
                visits, unscheduled = rounded.visits, rounded.unscheduled
    rng = random.Random(seed)  # noqa: S311 (a reproducible search, not a secret)
    neighbourhoods = _Neighbourhoods(instance, visits, unscheduled, rng)
    neighbourhoods.run(deadline, least)
    return Searched(
        neighbourhoods.visits,
        neighbourhoods.unscheduled,
        least,
        neighbourhoods.tried,
        neighbourhoods.improved,
    )


class PieceSolver:
    """A valid plan and the capacity it leaves, whose pieces (sets of enterprises) are re-solved
    exactly against the rest; a piece's result replaces its visits only when it is better."""

    def __init__(
        self,
        instance: Instance,
        capacity: Capacity,
        visits: list[Visit],
        unscheduled: list[Unscheduled],
    ) -> None:
        self.instance = instance
        self.capacity = capacity
        self.visits = visits
        self.unscheduled = unscheduled
        self.index = {inspector_id: i for i, inspector_id in enumerate(capacity.ids)}
        self.tasks = {task.id: task for task in instance.tasks}
        self.by_enterprise = instance.tasks_by_enterprise()
        self.by_district = serving(pools_of(instance.inspectors))

    def resolve(self, piece: set[Id], seconds: float) -> int:
        """Re-solve the piece; 1 if its result was better and taken, else 0."""
        sub = Instance(
            start=self.instance.start,
            weeks=self.instance.weeks,
            bodies=self.instance.bodies,
            enterprises={e: self.instance.enterprises[e] for e in piece},
            inspectors=self.instance.inspectors,
            tasks=[task for e in piece for task in self.by_enterprise[e]],
            door=self.instance.door,
        )
        ids = {task.id for task in sub.tasks}
        old_visits = [v for v in self.visits if v.enterprise in piece]
        old_unscheduled = [u for u in self.unscheduled if u.task in ids]
        for visit in old_visits:
            self.capacity.release([self.index[i] for i in visit.inspectors], visit.week)
        result = solve_exact(sub, free=self.capacity.free, time_limit=seconds, start=old_visits)
        better = result is not None and score(result.unscheduled, result.visits) < score(
            old_unscheduled, old_visits
        )
        chosen = result.visits if better and result is not None else old_visits
        for visit in chosen:
            self.capacity.book([self.index[i] for i in visit.inspectors], visit.week)
        if not better or result is None:
            return 0
        self.visits = [v for v in self.visits if v.enterprise not in piece] + result.visits
        self.unscheduled = [u for u in self.unscheduled if u.task not in ids] + [
            *result.unscheduled
        ]
        return 1


def booked(instance: Instance, visits: list[Visit]) -> Capacity:
    """The capacity that `visits` leave."""
    capacity = Capacity(instance)
    index = {inspector_id: i for i, inspector_id in enumerate(capacity.ids)}
    for visit in visits:
        capacity.book([index[i] for i in visit.inspectors], visit.week)
    return capacity


class _Neighbourhoods(PieceSolver):
    def __init__(
        self,
        instance: Instance,
        visits: list[Visit],
        unscheduled: list[Unscheduled],
        rng: random.Random,
    ) -> None:
        super().__init__(instance, booked(instance, visits), visits, unscheduled)
        self.rng = rng
        self.tried = 0
        self.improved = 0
        self.size = NEIGHBOURHOOD_VARIABLES
        self.fruitless = 0

    def run(self, deadline: float, least: int | None) -> None:
        while (remaining := deadline - time.perf_counter()) >= 1.0:
            if least is not None and len(self.unscheduled) <= least:
                return  # as many placed as any plan can; fewer visits are the greedy's already
            failed = [u for u in self.unscheduled if u.reason == CAPACITY]
            if not failed:
                return
            seed_task = self.tasks[self.rng.choice(failed).task]
            piece = self._around(seed_task)
            self.tried += 1
            better = self.resolve(piece, min(remaining, NEIGHBOURHOOD_SECONDS))
            self.improved += better
            self.fruitless = 0 if better else self.fruitless + 1
            if self.fruitless >= PATIENCE and self.size < LARGEST_NEIGHBOURHOOD:
                self.size, self.fruitless = min(LARGEST_NEIGHBOURHOOD, self.size * 3 // 2), 0

    def _around(self, task: Task) -> set[Id]:
        """The task's enterprise and, in random order up to the size limit, enterprises of its
        district with a visit or an unplaced task in the weeks around its window."""
        district = self.instance.enterprises[task.enterprise].district
        first, last = task.window[0] - WEEKS_AROUND, task.window[1] + WEEKS_AROUND
        near = {
            visit.enterprise
            for visit in self.visits
            if first <= visit.week <= last
            and self.instance.enterprises[visit.enterprise].district == district
        }
        for item in self.unscheduled:
            other = self.tasks[item.task]
            if (
                self.instance.enterprises[other.enterprise].district == district
                and other.window[0] <= last
                and other.window[1] >= first
            ):
                near.add(other.enterprise)
        near.discard(task.enterprise)
        candidates = sorted(near)
        self.rng.shuffle(candidates)
        piece = {task.enterprise}
        size = self._size(task.enterprise)
        for enterprise in candidates:
            grown = size + self._size(enterprise)
            if grown > self.size:
                continue
            piece.add(enterprise)
            size = grown
        return piece

    def _size(self, enterprise: Id) -> int:
        district = self.instance.enterprises[enterprise].district
        return enterprise_model_size(district, self.by_enterprise[enterprise], self.by_district)
