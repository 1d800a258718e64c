"""Fewer people at the door (the third objective), without placing fewer tasks or adding visits.

A body's tasks in one visit of an enterprise may move, all together, to another visit of the same
enterprise whose week lies in each of their windows. The move pays when the two visits then
bring fewer inspectors: the body leaves the first visit (a visit left with one body needs a
second inspector of it; one left empty is no longer made), and in the second it joins a body
that came alone with two inspectors, or a body that is already there. The door, capacity and
caps hold after every move; visits only get fewer.
"""

from __future__ import annotations

from collections import defaultdict

from .greedy import Capacity
from .model import Id, Instance, Task, Visit, lead_body


def fewer_people(instance: Instance, capacity: Capacity, visits: list[Visit]) -> int:
    """Move body task groups between an enterprise's visits while that saves inspectors; the
    list is changed in place (an emptied visit is removed). Returns the inspectors saved."""
    trimmer = _Trimmer(instance, capacity)
    per_enterprise: dict[Id, list[Visit]] = defaultdict(list)
    for visit in visits:
        per_enterprise[visit.enterprise].append(visit)
    saved = 0
    for own in per_enterprise.values():
        if len(own) > 1:
            saved += trimmer.enterprise(own)
    kept = [visit for visit in visits if visit.tasks]
    visits[:] = kept
    return saved


class _Trimmer:
    def __init__(self, instance: Instance, capacity: Capacity) -> None:
        self.instance = instance
        self.capacity = capacity
        self.tasks = {task.id: task for task in instance.tasks}
        self.index = {inspector_id: i for i, inspector_id in enumerate(capacity.ids)}
        self.body_of = {inspector.id: inspector.body for inspector in instance.inspectors}

    def enterprise(self, visits: list[Visit]) -> int:
        saved = 0
        improved = True
        while improved:
            improved = False
            for source in visits:
                for body in sorted({self.tasks[t].body for t in source.tasks}, key=str):
                    for target in visits:
                        if target is source or not target.tasks or not source.tasks:
                            continue
                        gain = self._move(source, target, body)
                        if gain > 0:
                            saved += gain
                            improved = True
                            break
        return saved

    def _move(self, source: Visit, target: Visit, body: Id) -> int:
        """Move `body`'s tasks from `source` to `target` if that saves inspectors; the saving."""
        moving = [self.tasks[t] for t in source.tasks if self.tasks[t].body == body]
        if not all(t.window[0] <= target.week <= t.window[1] for t in moving):
            return 0
        staying = [self.tasks[t] for t in source.tasks if self.tasks[t].body != body]
        joined = [self.tasks[t] for t in target.tasks] + moving
        target_bodies = {t.body for t in joined}
        new_target = self._team(target, joined)
        new_source = self._team(source, staying) if staying else []
        if new_target is None or new_source is None:
            return 0
        if not self.instance.door.admits(len(target_bodies), len(new_target)):
            return 0
        before = len(source.inspectors) + len(target.inspectors)
        after = len(new_source) + len(new_target)
        if after >= before:
            return 0
        self._rebook(source, new_source)
        self._rebook(target, new_target)
        source.tasks = [t.id for t in staying]
        target.tasks = [t.id for t in joined]
        if staying:
            source.lead_body = lead_body(staying)
        target.lead_body = lead_body(joined)
        return before - after

    def _team(self, visit: Visit, tasks: list[Task]) -> list[Id] | None:
        """The team for `tasks` in the visit's week: one inspector of each body, kept from the
        current team where it has one, and two where a body comes alone; None if unstaffable."""
        bodies = list(dict.fromkeys(task.body for task in tasks))
        kept: dict[Id, list[Id]] = defaultdict(list)
        for inspector in visit.inspectors:
            kept[self.body_of[inspector]].append(inspector)
        wanted = 2 if len(bodies) == 1 else 1
        district = self.instance.enterprises[visit.enterprise].district
        team: list[Id] = []
        taken = {self.index[i] for i in visit.inspectors}
        for body in bodies:
            members = kept[body][:wanted]
            while len(members) < wanted:
                index = self.capacity.pick(body, district, visit.week, taken)
                if index is None:
                    return None
                taken.add(index)
                members.append(self.capacity.ids[index])
            team.extend(members)
        return team

    def _rebook(self, visit: Visit, team: list[Id]) -> None:
        old, new = set(visit.inspectors), set(team)
        self.capacity.release([self.index[i] for i in old - new], visit.week)
        self.capacity.book([self.index[i] for i in new - old], visit.week)
        visit.inspectors = team
