"""Level the weekly load without changing any visit's tasks or team (the fourth objective).

Latest-week placement piles visits at the ends of the quarters. Every visit may move to any
week that lies in all its tasks' windows, where each member of its team is available and has
room, and where its enterprise has no other visit; it moves to the week with the fewest visits
city-wide, if that is lighter than where it is. Visit count, bookings and caps stay the same.
"""

from __future__ import annotations

from collections import defaultdict

from .greedy import Capacity
from .model import Id, Instance, Visit


def balance(instance: Instance, capacity: Capacity, visits: list[Visit]) -> int:
    """Move visits to lighter weeks in place; returns how many moved."""
    windows = {task.id: task.window for task in instance.tasks}
    index = {inspector_id: i for i, inspector_id in enumerate(capacity.ids)}
    per_week = [0] * instance.weeks
    taken: dict[Id, set[int]] = defaultdict(set)
    for visit in visits:
        per_week[visit.week] += 1
        taken[visit.enterprise].add(visit.week)
    moved = 0
    # the visits with the most room first: they can go where the others cannot
    for visit in sorted(visits, key=lambda v: _span(v, windows)[0] - _span(v, windows)[1]):
        first, last = _span(visit, windows)
        team = [index[i] for i in visit.inspectors]
        # moving pays only if the other week, with this visit, is lighter than this one without
        best, lightest = visit.week, per_week[visit.week] - 1
        for week in range(first, last + 1):
            if per_week[week] >= lightest or week in taken[visit.enterprise]:
                continue
            if all(capacity.free[i][week] > 0 for i in team):
                best, lightest = week, per_week[week]
        if best != visit.week:
            capacity.release(team, visit.week)
            capacity.book(team, best)
            per_week[visit.week] -= 1
            per_week[best] += 1
            taken[visit.enterprise].discard(visit.week)
            taken[visit.enterprise].add(best)
            visit.week = best
            moved += 1
    return moved


def _span(visit: Visit, windows: dict[Id, tuple[int, int]]) -> tuple[int, int]:
    spans = [windows[t] for t in visit.tasks]
    return max(s[0] for s in spans), min(s[1] for s in spans)
