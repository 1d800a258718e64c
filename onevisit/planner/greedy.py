"""Earliest-deadline consolidation: fast, and exact on visit count whenever capacity is slack.

Enterprises are taken in the order of their most urgent pending task. That task's visit goes
into the latest week of its window where a team can be formed (the latest week gathers the
most other pending tasks of the enterprise, as in interval stabbing), with every pending task
of the enterprise whose window holds that week. A body whose inspectors are all booked that
week leaves its tasks for a later visit; a task that no week of its window can staff is
returned with its reason.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable

from .model import (
    CAP_REACHED,
    CAPACITY,
    DOOR_CAP,
    NO_INSPECTOR,
    TOO_FEW_INSPECTORS,
    Id,
    Instance,
    Task,
    Unscheduled,
    Visit,
    lead_body,
)

Progress = Callable[[int, int], None]


class Capacity:
    """Who can go where, and how much of each inspector's week is still free."""

    def __init__(self, instance: Instance) -> None:
        weeks = instance.weeks
        self.ids = [inspector.id for inspector in instance.inspectors]
        self.free: list[list[int]] = []
        self.booked: list[int] = [0] * len(self.ids)
        self.pools: dict[tuple[Id, Id], list[int]] = defaultdict(list)
        for index, inspector in enumerate(instance.inspectors):
            row = [inspector.capacity_per_week] * weeks
            for week in inspector.unavailable_weeks:
                if 0 <= week < weeks:
                    row[week] = 0
            self.free.append(row)
            for district in inspector.districts:
                self.pools[(inspector.body, district)].append(index)

    def pick(self, body: Id, district: Id, week: int, taken: set[int]) -> int | None:
        """The least-booked free inspector of `body` serving `district` that week."""
        best: int | None = None
        for index in self.pools.get((body, district), ()):
            if index in taken or self.free[index][week] <= 0:
                continue
            if best is None or self.booked[index] < self.booked[best]:
                best = index
        return best

    def book(self, indexes: list[int], week: int) -> None:
        for index in indexes:
            self.free[index][week] -= 1
            self.booked[index] += 1

    def release(self, indexes: list[int], week: int) -> None:
        for index in indexes:
            self.free[index][week] += 1
            self.booked[index] -= 1


def form_team(
    capacity: Capacity, bodies: list[Id], district: Id, week: int, limit: int | None = None
) -> tuple[list[Id], list[int]]:
    """One inspector per body that has one free, in the order given and up to `limit` bodies
    (the door's), and a second if the team would be alone.

    Returns the bodies that could be staffed and the chosen inspectors (indexes)."""
    taken: set[int] = set()
    staffed: list[Id] = []
    team: list[int] = []
    for body in bodies:
        if limit is not None and len(staffed) >= limit:
            break
        index = capacity.pick(body, district, week, taken)
        if index is not None:
            staffed.append(body)
            team.append(index)
            taken.add(index)
    if len(team) == 1:
        for body in staffed:
            index = capacity.pick(body, district, week, taken)
            if index is not None:
                team.append(index)
                break
        if len(team) < 2:
            return [], []
    return staffed, team


def _urgency(task: Task) -> tuple[int, int]:
    """Earliest deadline first; on the same deadline, the task with the narrower window first,
    so that flexible tasks do not take the weeks a narrow one needs."""
    return task.window[1], -task.window[0]


def _group(pending: list[Task], week: int) -> list[Task]:
    return [task for task in pending if task.window[0] <= week]


def _bodies(tasks: list[Task]) -> list[Id]:
    """The bodies of `tasks` (sorted by urgency): the most urgent first, so that where the door
    admits only some of them, those whose checks fall due first come."""
    return list(dict.fromkeys(task.body for task in tasks))


class Greedy:
    def __init__(self, instance: Instance, capacity: Capacity | None = None) -> None:
        self.instance = instance
        self.capacity = capacity or Capacity(instance)
        self.visits: list[Visit] = []
        self.unscheduled: list[Unscheduled] = []
        self.cap_used: dict[tuple[Id, Id], int] = defaultdict(int)
        # one visit per enterprise a week: the weeks each enterprise already has one
        self.visited: dict[Id, set[int]] = defaultdict(set)
        self.limit = instance.door.body_limit

    def run(self, progress: Progress | None = None) -> None:
        by_enterprise = self.instance.tasks_by_enterprise()
        pending: dict[Id, list[Task]] = {}
        heap: list[tuple[int, int, int, Id]] = []
        for order, (enterprise, tasks) in enumerate(by_enterprise.items()):
            tasks.sort(key=_urgency)
            pending[enterprise] = self._drop_unstaffable(enterprise, tasks)
            if pending[enterprise]:
                heap.append((*_urgency(pending[enterprise][0]), order, enterprise))
        heapq.heapify(heap)
        total = len(self.instance.tasks)
        steps = 0
        while heap:
            *_, order, enterprise = heapq.heappop(heap)
            remaining = self._place_first(enterprise, pending[enterprise])
            pending[enterprise] = remaining
            if remaining:
                heapq.heappush(heap, (*_urgency(remaining[0]), order, enterprise))
            steps += 1
            if progress is not None and steps % 5000 == 0:
                progress(total - sum(len(p) for p in pending.values()), total)
        if progress is not None:
            progress(total, total)

    def _drop_unstaffable(self, enterprise: Id, tasks: list[Task]) -> list[Task]:
        district = self.instance.enterprises[enterprise].district
        kept = []
        for task in tasks:
            if not self.capacity.pools.get((task.body, district)):
                self.unscheduled.append(Unscheduled(task.id, NO_INSPECTOR))
            else:
                kept.append(task)
        return kept

    def _cap_reached(self, enterprise: Id, task: Task) -> bool:
        if not task.counts_against_cap:
            return False
        cap = self.instance.enterprises[enterprise].caps.get(task.body)
        return cap is not None and self.cap_used[(enterprise, task.body)] >= cap

    def _place_first(self, enterprise: Id, pending: list[Task]) -> list[Task]:
        """Place the most urgent pending task with whatever joins it; return what stays pending."""
        blocked = [task for task in pending if self._cap_reached(enterprise, task)]
        if blocked:
            self.unscheduled.extend(Unscheduled(task.id, CAP_REACHED) for task in blocked)
            pending = [task for task in pending if task not in blocked]
            if not pending:
                return []
        first = pending[0]
        district = self.instance.enterprises[enterprise].district
        best: tuple[int, int, list[Task], list[int]] | None = None
        shut_out = False  # a week had room for the body, but the enterprise's visit was full
        for week in range(first.window[1], first.window[0] - 1, -1):
            if week in self.visited[enterprise]:
                shut_out |= self.capacity.pick(first.body, district, week, set()) is not None
                continue
            group = _group(pending, week)
            staffed, team = form_team(self.capacity, _bodies(group), district, week, self.limit)
            if first.body not in staffed:
                continue
            joined = [task for task in group if task.body in staffed]
            if best is None or len(joined) > best[0]:
                best = (len(joined), week, joined, team)
            if len(joined) == len(group):
                break
        if best is None:
            reason = DOOR_CAP if shut_out else self._failure(first, district)
            self.unscheduled.append(Unscheduled(first.id, reason))
            return pending[1:]
        _, week, joined, team = best
        self._commit(enterprise, week, joined, team)
        placed = {id(task) for task in joined}
        return [task for task in pending if id(task) not in placed]

    def _failure(self, task: Task, district: Id) -> str:
        pool = self.capacity.pools.get((task.body, district), [])
        if len(pool) < 2:
            return TOO_FEW_INSPECTORS
        return CAPACITY

    def _commit(self, enterprise: Id, week: int, tasks: list[Task], team: list[int]) -> None:
        self.capacity.book(team, week)
        self.visited[enterprise].add(week)
        for body in {task.body for task in tasks if task.counts_against_cap}:
            self.cap_used[(enterprise, body)] += 1
        self.visits.append(
            Visit(
                enterprise=enterprise,
                week=week,
                tasks=[task.id for task in tasks],
                inspectors=[self.capacity.ids[index] for index in team],
                lead_body=lead_body(tasks),
            )
        )
