"""From the database to the planner's instance, and the planner's plan back into the database."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count, QuerySet

from onevisit.planner import Enterprise as PlannerEnterprise
from onevisit.planner import Inspector as PlannerInspector
from onevisit.planner import Instance, Plan, stab_count
from onevisit.planner import Task as PlannerTask
from onevisit.planner.model import Id
from onevisit.planning.models import (
    DoorLimit,
    InspectorAbsence,
    PlannedVisit,
    PlanningRun,
    Task,
    UnplacedTask,
)
from onevisit.planning.queries import full_industry_code, rule_for, rules_by_body
from onevisit.registry.models import Body, District, Inspector

WEEKS = 52


def first_monday(year: int) -> dt.date:
    """The Monday of ISO week 1: the planning year runs in whole weeks from there (the same
    day a PlanningRun records as its horizon start)."""
    return dt.date.fromisocalendar(year, 1, 1)


def week_of(day: dt.date, start: dt.date, weeks: int) -> int:
    return max(0, min(weeks - 1, (day - start).days // 7))


def window_weeks(
    first: dt.date, last: dt.date, start: dt.date, weeks: int
) -> tuple[int, int] | None:
    """The weeks of the horizon in which a visit meets the window: those whose working days
    (Monday to Friday) all lie in it, so that any day agreed later is in the window; for a window
    shorter than that, the weeks with at least one of its working days. None when no working
    day of the window falls in the horizon: the task is not this run's to place."""
    full_first = -((start - first).days // 7)  # ceiling division: the first Monday on or after
    full_last = ((last - start).days - 4) // 7
    full_first, full_last = max(0, full_first), min(weeks - 1, full_last)
    if full_first <= full_last:
        return full_first, full_last
    some_first = (first - start).days // 7 + (1 if first.weekday() >= 5 else 0)
    some_last = (last - start).days // 7
    some_first, some_last = max(0, some_first), min(weeks - 1, some_last)
    for week in range(some_first, some_last + 1):
        monday = start + dt.timedelta(weeks=week)
        if max(first, monday) <= min(last, monday + dt.timedelta(days=4)):
            return week, max(
                w
                for w in range(week, some_last + 1)
                if max(first, start + dt.timedelta(weeks=w))
                <= min(last, start + dt.timedelta(weeks=w, days=4))
            )
    return None


def _certified_all_week(inspector: Inspector, start: dt.date, week: int) -> bool:
    monday = start + dt.timedelta(weeks=week)
    return (
        inspector.certificate_valid_from <= monday
        and inspector.certificate_valid_until >= monday + dt.timedelta(days=6)
    )


def planning_candidates(year: int, city: str | None = None) -> QuerySet[Task]:
    """The open tasks whose windows meet the year's horizon (of the city's enterprises)."""
    start = first_monday(year)
    end = start + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
    open_tasks = Task.objects.filter(
        status=Task.Status.OPEN, window_end__gte=start, window_start__lte=end
    )
    if city is not None:
        open_tasks = open_tasks.filter(enterprise__district__in=District.objects.area_codes(city))
    return open_tasks


def build_instance(year: int, city: str | None = None) -> tuple[Instance, dict[int, Task]]:
    """Open tasks of the year's horizon (of the city's enterprises, if one is named), the
    certified active inspectors of their bodies, caps from the rules."""
    start = first_monday(year)
    end = start + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
    candidates = (
        planning_candidates(year, city)
        .select_related("enterprise__industry")
        .annotate(points=Count("items__points"))
    )
    spans = {t.pk: window_weeks(t.window_start, t.window_end, start, WEEKS) for t in candidates}
    # a task whose window meets the horizon on no working day belongs to another run
    tasks: dict[int, Task] = {t.pk: t for t in candidates if spans[t.pk] is not None}
    bodies = {t.body_id for t in tasks.values()}
    rules = {body.pk: rules_by_body(body) for body in Body.objects.filter(pk__in=bodies)}
    enterprises: dict[Id, PlannerEnterprise] = {}
    for task in tasks.values():
        e = task.enterprise
        if e.pk not in enterprises:
            code = full_industry_code(e)
            caps: dict[Id, int] = {b: rule_for(rules[b], code).annual_cap for b in bodies}
            enterprises[e.pk] = PlannerEnterprise(e.pk, e.district_id, caps)
    absent: dict[int, set[int]] = defaultdict(set)
    for absence in InspectorAbsence.objects.filter(end__gte=start, start__lte=end):
        first, last = week_of(absence.start, start, WEEKS), week_of(absence.end, start, WEEKS)
        absent[absence.inspector_id].update(range(first, last + 1))
    inspectors = []
    staff = Inspector.objects.filter(
        active=True,
        body_id__in=bodies,
        certificate_valid_from__lte=end,
        certificate_valid_until__gte=start,
    ).prefetch_related("districts")
    for i in staff:
        # weeks outside the certificate's validity are weeks the inspector cannot inspect
        off = set(absent[i.pk])
        off.update(w for w in range(WEEKS) if not _certified_all_week(i, start, w))
        inspectors.append(
            PlannerInspector(
                i.pk,
                i.body_id,
                frozenset(d.code for d in i.districts.all()),
                i.weekly_capacity,
                frozenset(off),
            )
        )
    planner_tasks = [
        PlannerTask(
            t.pk,
            t.enterprise_id,
            t.body_id,
            spans[t.pk],  # type: ignore[arg-type]
            t.kind,
            points=max(1, t.points),  # type: ignore[attr-defined]
        )
        for t in tasks.values()
    ]
    instance = Instance(
        start,
        WEEKS,
        list[Id](sorted(bodies)),
        enterprises,
        inspectors,
        planner_tasks,
        DoorLimit.objects.for_city(city).door,
    )
    return instance, tasks


def save_plan(run: PlanningRun, plan: Plan, tasks: dict[int, Task]) -> None:
    with transaction.atomic():
        visits = [
            PlannedVisit(
                run=run,
                enterprise_id=v.enterprise,
                week=v.week,
                week_start=run.week_start(v.week),
                lead_body_id=v.lead_body,
                joint=len({tasks[int(t)].body_id for t in v.tasks}) > 1,
            )
            for v in plan.visits
        ]
        PlannedVisit.objects.bulk_create(visits, batch_size=2000)
        task_links = PlannedVisit.tasks.through
        task_links.objects.bulk_create(
            [
                task_links(plannedvisit_id=row.pk, task_id=t)
                for row, v in zip(visits, plan.visits, strict=True)
                for t in v.tasks
            ],
            batch_size=5000,
        )
        inspector_links = PlannedVisit.inspectors.through
        inspector_links.objects.bulk_create(
            [
                inspector_links(plannedvisit_id=row.pk, inspector_id=i)
                for row, v in zip(visits, plan.visits, strict=True)
                for i in v.inspectors
            ],
            batch_size=5000,
        )
        UnplacedTask.objects.bulk_create(
            [UnplacedTask(run=run, task_id=u.task, reason=u.reason) for u in plan.unscheduled],
            batch_size=5000,
        )
        run.visits = len(visits)
        run.joint_visits = sum(v.joint for v in visits)
        run.lower_bound = plan.lower_bound
        run.baseline_visits = plan.baseline_visits
        run.unscheduled = len(plan.unscheduled)
        run.upper_bound_placed = plan.upper_bound_placed
        run.method = plan.method
        run.distribution = {
            **_distribution(plan, tasks, run.horizon_start),
            **_at_the_door(plan, tasks),
        }
        run.seconds = plan.stats.get("seconds", 0.0)
        run.save()


def _at_the_door(plan: Plan, tasks: dict[int, Task]) -> dict[str, dict[int, int]]:
    """How many planned visits bring k bodies, and how many bring k people."""
    bodies = Counter(len({tasks[int(t)].body_id for t in v.tasks}) for v in plan.visits)
    people = Counter(len(v.inspectors) for v in plan.visits)
    return {"bodies": dict(bodies), "people": dict(people)}


def _distribution(plan: Plan, tasks: dict[int, Task], start: dt.date) -> dict[str, dict[int, int]]:
    """How many enterprises get k visits if every body plans alone, and after consolidation."""
    windows: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for task in tasks.values():
        span = window_weeks(task.window_start, task.window_end, start, WEEKS)
        if span is not None:
            windows[(task.enterprise_id, task.body_id)].append(span)
    before: Counter[int] = Counter()
    for (enterprise, _body), spans in windows.items():
        before[enterprise] += stab_count(spans)
    after = Counter(v.enterprise for v in plan.visits)
    return {
        "before": dict(Counter(before.values())),
        "after": dict(Counter(after.values())),
    }
