"""Check a plan against every rule of the instance; used by tests, benchmarks and repair."""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import (
    CAP_REACHED,
    CAPACITY,
    DOOR_CAP,
    NO_INSPECTOR,
    TOO_FEW_INSPECTORS,
    Id,
    Inspector,
    Instance,
    Plan,
    Task,
    Visit,
    lead_body,
)


def violations(instance: Instance, plan: Plan) -> list[str]:
    """Every broken rule, in words; an empty list means the plan is valid."""
    problems: list[str] = []
    tasks = {task.id: task for task in instance.tasks}
    inspectors = {inspector.id: inspector for inspector in instance.inspectors}
    seen: Counter[Id] = Counter()
    load: Counter[tuple[Id, int]] = Counter()
    cap_used: Counter[tuple[Id, Id]] = Counter()
    weeks_of: dict[Id, set[int]] = defaultdict(set)
    for visit in plan.visits:
        problems.extend(_visit_problems(instance, visit, tasks, inspectors))
        if visit.week in weeks_of[visit.enterprise]:
            problems.append(f"enterprise {visit.enterprise} has two visits in week {visit.week}")
        weeks_of[visit.enterprise].add(visit.week)
        seen.update(visit.tasks)
        load.update((inspector, visit.week) for inspector in visit.inspectors)
        for body in {
            tasks[t].body for t in visit.tasks if t in tasks and tasks[t].counts_against_cap
        }:
            cap_used[(visit.enterprise, body)] += 1
    seen.update(item.task for item in plan.unscheduled)
    for task in instance.tasks:
        if seen[task.id] != 1:
            problems.append(f"task {task.id} appears {seen[task.id]} times")
    for (inspector_id, week), count in load.items():
        inspector = inspectors[inspector_id]
        if week in inspector.unavailable_weeks:
            problems.append(f"inspector {inspector_id} booked in unavailable week {week}")
        if count > inspector.capacity_per_week:
            problems.append(f"inspector {inspector_id} over capacity in week {week}")
    for (enterprise, body), count in cap_used.items():
        cap = instance.enterprises[enterprise].caps.get(body)
        if cap is not None and count > cap:
            problems.append(f"body {body} visits enterprise {enterprise} {count} times, cap {cap}")
    return problems


def _visit_problems(
    instance: Instance,
    visit: Visit,
    tasks: dict[Id, Task],
    inspectors: dict[Id, Inspector],
) -> list[str]:
    problems = []
    where = f"visit to {visit.enterprise} in week {visit.week}"
    district = instance.enterprises[visit.enterprise].district
    own = [tasks[t] for t in visit.tasks]
    if not own:
        problems.append(f"{where} has no task")
        return problems
    for task in own:
        if task.enterprise != visit.enterprise:
            problems.append(f"{where} carries task {task.id} of another enterprise")
        if not task.window[0] <= visit.week <= task.window[1]:
            problems.append(f"{where} is outside the window of task {task.id}")
    team = [inspectors[i] for i in visit.inspectors]
    if len(set(visit.inspectors)) != len(visit.inspectors) or len(team) < 2:
        problems.append(f"{where} has fewer than two distinct inspectors")
    for inspector in team:
        if district not in inspector.districts:
            problems.append(f"{where}: inspector {inspector.id} does not serve {district}")
    for body in {task.body for task in own} - {inspector.body for inspector in team}:
        problems.append(f"{where}: no inspector of body {body}")
    for inspector in team:
        if inspector.body not in {task.body for task in own}:
            problems.append(f"{where}: inspector {inspector.id}'s body has no task in the visit")
    if visit.lead_body != lead_body(own):
        problems.append(f"{where}: lead body should be {lead_body(own)}")
    door = instance.door
    bodies = {task.body for task in own}
    if door.max_bodies is not None and len(bodies) > door.max_bodies:
        problems.append(f"{where} brings {len(bodies)} bodies, the door admits {door.max_bodies}")
    if door.max_inspectors is not None and len(team) > door.max_inspectors:
        problems.append(
            f"{where} brings {len(team)} inspectors, the door admits {door.max_inspectors}"
        )
    return problems


def explain(instance: Instance, task: Task, visits: list[Visit]) -> str:
    """Why `task` is not in any of `visits` (for solvers that only say "unplaced")."""
    district = instance.enterprises[task.enterprise].district
    pool = [i for i in instance.inspectors if i.body == task.body and district in i.districts]
    if not pool:
        return NO_INSPECTOR
    cap = instance.enterprises[task.enterprise].caps.get(task.body)
    if task.counts_against_cap and cap is not None:
        bodies_by_visit = _counted_bodies(instance, visits, task.enterprise)
        if sum(task.body in bodies for bodies in bodies_by_visit) >= cap:
            return CAP_REACHED
    if len(pool) < 2:
        return TOO_FEW_INSPECTORS
    if _shut_out(instance, task, visits):
        return DOOR_CAP
    return CAPACITY


def _shut_out(instance: Instance, task: Task, visits: list[Visit]) -> bool:
    """Whether a visit to the task's enterprise in its window is full at the door."""
    door = instance.door
    if not door.limited:
        return False
    bodies_of = {t.id: t.body for t in instance.tasks if t.enterprise == task.enterprise}
    for visit in visits:
        if visit.enterprise != task.enterprise:
            continue
        if not task.window[0] <= visit.week <= task.window[1]:
            continue
        bodies = {bodies_of[t] for t in visit.tasks}
        if not door.admits(len(bodies | {task.body}), len(visit.inspectors) + 1):
            return True
    return False


def _counted_bodies(instance: Instance, visits: list[Visit], enterprise: Id) -> list[set[Id]]:
    tasks = {task.id: task for task in instance.tasks if task.enterprise == enterprise}
    return [
        {tasks[t].body for t in visit.tasks if tasks[t].counts_against_cap}
        for visit in visits
        if visit.enterprise == enterprise
    ]
