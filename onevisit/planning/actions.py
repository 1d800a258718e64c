"""Writes of the planning domain: tiers, plans, tasks and planning runs."""

from __future__ import annotations

import datetime as dt
import math
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.catalog.models import Item
from onevisit.planner import plan
from onevisit.planning import scoring
from onevisit.planning.instances import build_instance, planning_candidates, save_plan
from onevisit.planning.levels import LevelTask, Recognised, one_level
from onevisit.planning.models import (
    AnnualPlan,
    DoorLimit,
    Kind,
    Level,
    PlanEntry,
    PlanningRun,
    Task,
    TaskItem,
    Tier,
    TierHistory,
)
from onevisit.planning.queries import (
    applicable_items,
    full_industry_code,
    policy_for,
    rule_for,
    rules_by_body,
    scope_of,
    windows,
)
from onevisit.registry.models import Body, District, Enterprise
from onevisit.scope.queries import licensed_codes
from onevisit.versions.actions import do_freeze, versions_of
from onevisit.versions.models import Kind as VersionKind

# Counts of an enterprise's record for one body: findings, penalties, rectifications, tips,
# alerts. The apps that keep those records add a function here; each returns
# {enterprise id: {field of scoring.Record: count}} for the given enterprises and body.
RecordSource = Callable[[Sequence[int], Body], dict[int, dict[str, int]]]
RECORD_SOURCES: list[RecordSource] = []


class PlanRefused(ValueError):
    """A planning write is refused; the message says why, in the reader's language."""


def _records(enterprises: Sequence[Enterprise], body: Body) -> dict[int, scoring.Record]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    ids = [e.pk for e in enterprises]
    for source in RECORD_SOURCES:
        for enterprise_id, found in source(ids, body).items():
            counts[enterprise_id].update(found)
    return {
        e.pk: scoring.Record(
            industry_code=full_industry_code(e),
            employees=e.employees,
            credit_class=e.credit_class,
            **counts.get(e.pk, {}),
        )
        for e in enterprises
    }


def _factors_json(result: scoring.Score) -> list[dict[str, Any]]:
    return [
        {"code": f.code, "detail": f.detail, "count": f.count, "points": f.points}
        for f in result.factors
    ]


def do_recompute_tiers(
    body: Body, enterprise_ids: Iterable[int] | None = None, *, reason: str = ""
) -> int:
    """Score the body's enterprises (or the given ones); history keeps every change of tier
    with what caused the recomputation."""
    policy = policy_for(body)
    enterprises = scope_of(body)
    if enterprise_ids is not None:
        enterprises = enterprises.filter(pk__in=list(enterprise_ids))
    changed = 0
    chunk: list[Enterprise] = []
    for enterprise in enterprises.order_by("pk").iterator(chunk_size=2000):
        chunk.append(enterprise)
        if len(chunk) == 2000:
            changed += _score_chunk(body, policy, chunk, reason)
            chunk = []
    if chunk:
        changed += _score_chunk(body, policy, chunk, reason)
    return changed


def _score_chunk(
    body: Body, policy: scoring.Policy, enterprises: list[Enterprise], reason: str
) -> int:
    now = timezone.now()
    records = _records(enterprises, body)
    current = {
        t.enterprise_id: t for t in Tier.objects.filter(body=body, enterprise__in=enterprises)
    }
    new: list[Tier] = []
    updated: list[Tier] = []
    history: list[TierHistory] = []
    for enterprise in enterprises:
        result = scoring.score(records[enterprise.pk], policy)
        factors = _factors_json(result)
        tier = current.get(enterprise.pk)
        if tier is None:
            tier = Tier(enterprise=enterprise, body=body)
            new.append(tier)
        elif (tier.computed_level, tier.score, tier.factors) == (
            result.level,
            result.points,
            factors,
        ):
            continue
        else:
            updated.append(tier)
        level_changed = tier.computed_level != result.level
        tier.computed_level, tier.score, tier.factors, tier.computed_at = (
            result.level,
            result.points,
            factors,
            now,
        )
        if level_changed:
            history.append(
                TierHistory(
                    enterprise=enterprise,
                    body=body,
                    level=result.level,
                    score=result.points,
                    factors=factors,
                    source=TierHistory.Source.COMPUTED,
                    reason=reason or _("the enterprise's record changed"),
                    at=now,
                )
            )
    with transaction.atomic():
        Tier.objects.bulk_create(new)
        Tier.objects.bulk_update(updated, ["computed_level", "score", "factors", "computed_at"])
        TierHistory.objects.bulk_create(history)
    return len(new) + len(updated)


def do_override_tier(
    *, actor: Actor, tier: Tier, level: str, reason: str, until: dt.date, by: Any
) -> Tier:
    if level not in Level.values:
        raise ValueError(f"unknown tier {level!r}")
    if not reason.strip():
        raise PlanRefused(_("An override needs a reason."))
    if until < timezone.localdate():
        raise PlanRefused(_("The override must end today or later."))
    with transaction.atomic():
        tier.override_level, tier.override_reason, tier.override_until = level, reason, until
        tier.override_by = by
        tier.save(
            update_fields=["override_level", "override_reason", "override_until", "override_by"]
        )
        TierHistory.objects.create(
            enterprise=tier.enterprise,
            body=tier.body,
            level=level,
            score=tier.score,
            factors=tier.factors,
            source=TierHistory.Source.OVERRIDE,
            reason=reason,
            until=until,
            by=by,
        )
        record(
            actor=actor,
            action="override",
            obj=tier,
            changes={"level": level, "reason": reason, "until": until.isoformat()},
        )
    return tier


# --- plans ----------------------------------------------------------------------------------


def do_generate_plan(*, actor: Actor, body: Body, year: int) -> AnnualPlan:
    """The draft plan from tiers and rules: red per quarter, yellow per half-year (never over
    the cap), green left to the random draw (its pool and sample size are recorded)."""
    plan, _created = AnnualPlan.objects.get_or_create(body=body, year=year)
    if not plan.editable:
        raise PlanRefused(
            _("The plan has been filed; it can be generated again only when returned.")
        )
    rules = rules_by_body(body)
    items = list(Item.objects.published().filter(body=body))
    entries: list[tuple[PlanEntry, list[Item]]] = []
    green_pool = 0
    green_sample = 0.0
    tiers = Tier.objects.filter(body=body).select_related("enterprise__industry")
    licensed = licensed_codes(body)
    for tier in tiers.iterator(chunk_size=2000):
        code = full_industry_code(tier.enterprise)
        rule = rule_for(rules, code)
        level = tier.level
        if level == Level.GREEN:
            green_pool += 1
            green_sample += float(rule.green_sample_share)
            continue
        fitting = applicable_items(items, code, *licensed.get(tier.enterprise_id, ()))
        if not fitting:
            continue
        count = min(rule.minimum_for(level), rule.annual_cap)
        for start, end in windows(year, count) if count else []:
            entry = PlanEntry(
                plan=plan,
                enterprise=tier.enterprise,
                kind=Kind.ROUTINE,
                tier=level,
                window_start=start,
                window_end=end,
            )
            entries.append((entry, fitting))
    with transaction.atomic():
        plan.entries.filter(kind=Kind.ROUTINE).delete()
        PlanEntry.objects.bulk_create([entry for entry, _ in entries], batch_size=2000)
        through = PlanEntry.items.through
        through.objects.bulk_create(
            [
                through(planentry_id=entry.pk, item_id=item.pk)
                for entry, fitting in entries
                for item in fitting
            ],
            batch_size=5000,
        )
        plan.green_pool = green_pool
        plan.green_sample = math.ceil(green_sample)
        plan.status = AnnualPlan.Status.DRAFT
        plan.save()
        record(
            actor=actor,
            action="generate",
            obj=plan,
            changes={
                "entries": len(entries),
                "green_pool": green_pool,
                "green_sample": plan.green_sample,
            },
        )
    return plan


def _check_published(items: Iterable[Item]) -> None:
    for item in items:
        item.assert_plannable()


def do_add_special_entries(
    *,
    actor: Actor,
    plan: AnnualPlan,
    enterprises: Sequence[Enterprise],
    start: dt.date,
    end: dt.date,
    items: Sequence[Item],
    reason: str,
) -> list[PlanEntry]:
    """Special inspections of a list of enterprises with one reason: all of them or none."""
    with transaction.atomic():
        return [
            do_add_special_entry(
                actor=actor,
                plan=plan,
                enterprise=enterprise,
                start=start,
                end=end,
                items=items,
                reason=reason,
            )
            for enterprise in enterprises
        ]


def do_add_special_entry(
    *,
    actor: Actor,
    plan: AnnualPlan,
    enterprise: Enterprise,
    start: dt.date,
    end: dt.date,
    items: Sequence[Item],
    reason: str,
) -> PlanEntry:
    if not plan.editable:
        raise PlanRefused(_("The plan has been filed."))
    if not reason.strip():
        raise PlanRefused(_("A special inspection needs its reason."))
    if not items or any(item.body_id != plan.body_id for item in items):
        raise PlanRefused(_("Choose at least one of the body's own items."))
    _check_published(items)
    if not (start.year == plan.year and end.year == plan.year and start <= end):
        raise PlanRefused(_("The window must lie within the plan's year."))
    with transaction.atomic():
        entry = PlanEntry.objects.create(
            plan=plan,
            enterprise=enterprise,
            kind=Kind.SPECIAL,
            window_start=start,
            window_end=end,
            reason=reason,
        )
        entry.items.set(items)
        record(
            actor=actor,
            action="add_special",
            obj=plan,
            changes={"enterprise": enterprise.uscc, "reason": reason},
        )
    return entry


def do_file_plan(*, actor: Actor, plan: AnnualPlan) -> AnnualPlan:
    if not plan.editable:
        raise PlanRefused(_("The plan is already filed."))
    with transaction.atomic():
        plan.status = AnnualPlan.Status.FILED
        plan.filed_at = timezone.now()
        plan.save(update_fields=["status", "filed_at"])
        # 备案: what was filed is frozen; a plan returned and filed again is its next version
        do_freeze(
            actor=actor,
            by=None,
            obj=plan,
            kind=VersionKind.FILING,
            snapshot=filed_plan(plan),
            reason=plan.comments if versions_of(plan) else "",
        )
        record(actor=actor, action="file", obj=plan, changes={"late": plan.is_late})
    return plan


def filed_plan(plan: AnnualPlan) -> dict[str, Any]:
    """What a filed plan says: its checks, enterprise by enterprise."""
    entries = plan.entries.select_related("enterprise").prefetch_related("items").order_by("id")
    return {
        "body": plan.body.name,
        "year": plan.year,
        "entries": [
            [
                e.enterprise.uscc,
                e.kind,
                e.window_start.isoformat(),
                e.window_end.isoformat(),
                sorted(i.code for i in e.items.all()),
            ]
            for e in entries
        ],
    }


def do_decide_plan(
    *, actor: Actor, plan: AnnualPlan, accept: bool, comments: str, by: Any
) -> AnnualPlan:
    """The supervisor accepts a filed plan (its entries become tasks) or returns it."""
    if plan.status != AnnualPlan.Status.FILED:
        raise PlanRefused(_("Only a filed plan can be accepted or returned."))
    if not accept and not comments.strip():
        raise PlanRefused(_("Say why the plan is returned."))
    with transaction.atomic():
        plan.status = AnnualPlan.Status.ACCEPTED if accept else AnnualPlan.Status.RETURNED
        plan.decided_at, plan.decided_by, plan.comments = timezone.now(), by, comments
        plan.save(update_fields=["status", "decided_at", "decided_by", "comments"])
        created = _tasks_from(plan) if accept else 0
        record(
            actor=actor,
            action="accept" if accept else "return",
            obj=plan,
            changes={"comments": comments, "tasks": created},
        )
    return plan


def _tasks_from(plan: AnnualPlan) -> int:
    entries = list(plan.entries.prefetch_related("items"))
    for entry in entries:
        _check_published(entry.items.all())
    tasks = [
        Task(
            enterprise_id=e.enterprise_id,
            body_id=plan.body_id,
            kind=e.kind,
            window_start=e.window_start,
            window_end=e.window_end,
            plan_entry=e,
            cause=e.reason,
        )
        for e in entries
    ]
    Task.objects.bulk_create(tasks, batch_size=2000)
    TaskItem.objects.bulk_create(
        [
            TaskItem(task=task, item=item)
            for task, entry in zip(tasks, entries, strict=True)
            for item in entry.items.all()
        ],
        batch_size=5000,
    )
    return len(tasks)


def do_create_task(
    *,
    actor: Actor,
    enterprise: Enterprise,
    body: Body,
    kind: str,
    start: dt.date,
    end: dt.date,
    items: Sequence[Item],
    cause: str = "",
) -> Task:
    """A task outside the annual plan: triggered (with its cause), deployed or a re-check."""
    if kind == Kind.TRIGGERED and not cause.strip():
        raise PlanRefused(_("A triggered check records its cause."))
    if not items:
        raise PlanRefused(_("A task checks at least one item."))
    _check_published(items)
    with transaction.atomic():
        task = Task.objects.create(
            enterprise=enterprise,
            body=body,
            kind=kind,
            window_start=start,
            window_end=end,
            cause=cause,
        )
        for item in items:
            TaskItem(task=task, item=item).save()
        record(
            actor=actor,
            action="create",
            obj=task,
            changes={"kind": kind, "cause": cause, "items": [i.code for i in items]},
        )
    return task


def do_start_planning_run(
    *, actor: Actor, year: int, by: Any, city: District | None = None
) -> PlanningRun:
    """Create a planning run for the year, of one city or of every city at once. Who started
    it executes it: a worker (`tasks.queue_planning_runs`) or the caller itself (the demo)."""
    return do_start_planning_runs(actor=actor, year=year, by=by, cities=[city])[0]


def do_start_planning_runs(
    *, actor: Actor, year: int, by: Any, cities: Sequence[District | None]
) -> list[PlanningRun]:
    """One run per city: queued together, the workers plan the cities in parallel."""
    horizon_start = dt.date.fromisocalendar(year, 1, 1)
    runs: list[PlanningRun] = []
    with transaction.atomic():
        for city in cities:
            run = PlanningRun.objects.create(
                year=year, city=city, horizon_start=horizon_start, created_by=by
            )
            changes: dict[str, Any] = {"year": year}
            if city is not None:
                changes["city"] = city.code
            record(actor=actor, action="plan", obj=run, changes=changes)
            runs.append(run)
    return runs


def do_execute_planning_run(run: PlanningRun) -> PlanningRun:
    """Run the planner over the year's open tasks and store the visits; a failure is kept on
    the run for the page to show."""
    run.status = PlanningRun.Status.RUNNING
    run.save(update_fields=["status"])
    try:
        do_keep_one_level(year=run.year, city=run.city_id)
        instance, tasks = build_instance(run.year, city=run.city_id)
        run.total = len(instance.tasks)
        run.door_max_bodies = instance.door.max_bodies
        run.door_max_inspectors = instance.door.max_inspectors
        run.save(update_fields=["total", "door_max_bodies", "door_max_inspectors"])

        def progress(done: int, total: int) -> None:
            PlanningRun.objects.filter(pk=run.pk).update(progress=done, total=total)

        save_plan(run, plan(instance, progress=progress), tasks)
        run.status = PlanningRun.Status.DONE
        run.progress = run.total
    except Exception:  # kept on the run for the page; the worker carries on
        run.status = PlanningRun.Status.FAILED
        run.error = traceback.format_exc(limit=5)
    run.finished = timezone.now()
    run.save()
    return run


def do_keep_one_level(*, year: int, city: str | None = None) -> list[Task]:
    """One level of each system per matter (see `levels.py`): of a city and a county body's
    open tasks for the same item of one enterprise in one period, keep one and record the other
    as recognised, with the task kept and the reason. Returns the tasks recognised."""
    open_tasks = planning_candidates(year, city).select_related("body").prefetch_related("items")
    by_id = {task.pk: task for task in open_tasks}
    facts = [
        LevelTask(
            id=task.pk,
            enterprise=task.enterprise_id,
            body=task.body_id,
            system=task.body.system_code(),
            level=task.body.level,
            window=(task.window_start, task.window_end),
            items=frozenset(item.code for item in task.items.all()),
            held_by=frozenset(i.held_by_level for i in task.items.all() if i.held_by_level),
        )
        for task in by_id.values()
    ]
    recognised = []
    with transaction.atomic():
        for decision in one_level(facts):
            task, kept = by_id[decision.task], by_id[decision.kept]
            if decision.whole:
                task.status = Task.Status.RECOGNISED
            else:  # the task keeps its own items; the shared ones are the kept task's
                TaskItem.objects.filter(task=task, item__code__in=decision.shared).delete()
            task.covered_by = kept
            task.recognised_reason = _one_level_reason(kept, decision)
            task.save(update_fields=["status", "covered_by", "recognised_reason"])
            record(
                actor=Actor.system("planning"),
                action="recognise",
                obj=task,
                changes={
                    "covered_by": kept.pk,
                    "items": sorted(decision.shared),
                    "reason": task.recognised_reason,
                },
            )
            recognised.append(task)
    return recognised


def _one_level_reason(kept: Task, decision: Recognised) -> str:
    why = (
        _("the item list names that level")
        if decision.by_list
        else _("the lower level checks by default")
    )
    facts = {"body": kept.body.name, "items": "、".join(sorted(decision.shared)), "why": why}
    if not decision.whole:
        return (
            _(
                "One level of each system per matter: %(body)s checks %(items)s in the same "
                "period (%(why)s); this task keeps its other items."
            )
            % facts
        )
    return (
        _(
            "One level of each system per matter: %(body)s checks %(items)s in the same period "
            "(%(why)s); its result is recognised for this task."
        )
        % facts
    )


def do_set_door_limit(
    *, actor: Actor, by: Any, city: District | None, max_bodies: int, max_inspectors: int
) -> DoorLimit:
    """Set the city's limits at the door (or, with no city, the platform's); the next planning
    run and every registration from now on keep them."""
    with transaction.atomic():
        limit = DoorLimit.objects.select_for_update().filter(city=city).first() or DoorLimit(
            city=city
        )
        before = {"max_bodies": limit.max_bodies, "max_inspectors": limit.max_inspectors}
        limit.max_bodies, limit.max_inspectors, limit.updated_by = max_bodies, max_inspectors, by
        limit.save()
        after = {"max_bodies": max_bodies, "max_inspectors": max_inspectors}
        record(
            actor=actor,
            action="door",
            obj=limit,
            changes={key: [before[key], after[key]] for key in after if before[key] != after[key]}
            | {"city": city.code if city else None},
        )
    return limit
