"""Raising the supervisor's warnings from the visit history, and handling them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record, record_many
from onevisit.inspections.models import Evaluation, Visit
from onevisit.oversight import rules
from onevisit.oversight.models import Kind, Warning, WarningRule
from onevisit.planning.models import Kind as TaskKind
from onevisit.planning.models import Level, Task, Tier
from onevisit.planning.queries import full_industry_code, rule_for, rules_by_body
from onevisit.rectification.models import Rectification
from onevisit.registry.models import Body, Enterprise
from onevisit.workdays.calendar import add_working_days

EXEMPT_TASK_KINDS = {TaskKind.TRIGGERED, TaskKind.DEPLOYED, TaskKind.RECHECK}
DEFAULTS: dict[str, tuple[int | None, Decimal | None]] = {
    Kind.MULTI_HEADED: (30, Decimal(2)),
    Kind.REPEATED: (60, None),
    Kind.OVER_CAP: (None, None),
    Kind.WITHOUT_CODE: (None, None),
    Kind.LOW_EVALUATION: (None, Decimal("2.5")),
    Kind.OVERDUE_RECTIFICATION: (None, None),
    Kind.LAPSED_CHECK: (None, None),
    Kind.TRIGGER_UNVISITED: (5, None),
    Kind.NO_RECHECK: (None, None),
    Kind.DRAW_UNVISITED: (None, None),
    Kind.LATE_ASSESSMENT: (3, None),
}
WATCHED_TIERS = (Level.RED, Level.YELLOW)
SCAN_CHUNK = 2000  # enterprises judged at a time: every rule looks at one enterprise's visits
RAISE_BATCH = 500  # candidates looked up and opened together


class WarningRefused(Exception):
    pass


def current_rules() -> dict[str, WarningRule]:
    """The saved rules, with the defaults for kinds nobody has configured."""
    saved = {r.kind: r for r in WarningRule.objects.all()}
    for kind, (days, threshold) in DEFAULTS.items():
        saved.setdefault(kind, WarningRule(kind=kind, days=days, threshold=threshold))
    return saved


def _counted(visit: Visit, bodies: frozenset[int]) -> frozenset[int]:
    if not visit.is_enforcement or visit.origin in (Visit.Origin.TRIGGERED, Visit.Origin.EMERGENCY):
        return frozenset()
    kinds: dict[int, set[str]] = defaultdict(set)
    for task in visit.tasks.all():
        kinds[task.body_id].add(task.kind)
    return frozenset(b for b in bodies if not kinds[b] or kinds[b] - EXEMPT_TASK_KINDS)


def _code_before_entry(visit: Visit) -> bool:
    if visit.registered_late:
        return False
    if visit.checked_in_at is None:
        return True
    return any(code.issued_at <= visit.checked_in_at for code in visit.codes.all())


def visit_facts(visits: QuerySet[Visit]) -> list[rules.VisitFact]:
    facts = []
    for visit in visits.prefetch_related("bodies", "tasks", "codes", "items__body"):
        bodies = frozenset(b.pk for b in visit.bodies.all())
        counted = _counted(visit, bodies)
        facts.append(
            rules.VisitFact(
                visit_id=visit.pk,
                enterprise_id=visit.enterprise_id,
                day=visit.date,
                bodies=bodies,
                counted=counted,
                code_before_entry=_code_before_entry(visit),
                matters=frozenset(
                    (item.body.system_code(), item.code, item.body_id, item.recognition_days)
                    for item in visit.items.all()
                    if item.body_id in counted
                ),
            )
        )
    return facts


def _caps(facts: Sequence[rules.VisitFact]) -> dict[tuple[int, int], int]:
    pairs = {(b, f.enterprise_id) for f in facts for b in f.counted}
    enterprises = Enterprise.objects.select_related("industry").in_bulk({e for _b, e in pairs})
    body_rules = {
        body.pk: rules_by_body(body)
        for body in Body.objects.filter(pk__in={b for b, _e in pairs}).prefetch_related(
            "frequency_rules"
        )
    }
    return {
        (b, e): rule_for(body_rules[b], full_industry_code(enterprises[e])).annual_cap
        for b, e in pairs
    }


def _candidates(facts: list[rules.VisitFact], ratings: list[rules.Rating]) -> list[rules.Candidate]:
    settings = current_rules()
    found: list[rules.Candidate] = []
    multi = settings[Kind.MULTI_HEADED]
    if multi.enabled:
        found += rules.multi_headed(facts, multi.days or 30, int(multi.threshold_or(Decimal(2))))
    repeat = settings[Kind.REPEATED]
    if repeat.enabled:
        found += rules.repeated(facts, repeat.days or 60)
    if settings[Kind.OVER_CAP].enabled:
        found += rules.over_cap(facts, _caps(facts))
    if settings[Kind.WITHOUT_CODE].enabled:
        found += rules.without_code(facts)
    low = settings[Kind.LOW_EVALUATION]
    if low.enabled:
        found += rules.low_evaluations(ratings, float(low.threshold_or(Decimal("2.5"))))
    return found


def _lapsed_checks(tasks: QuerySet[Task]) -> list[rules.Duty]:
    routine = list(tasks.filter(kind=TaskKind.ROUTINE, draw__isnull=True))
    tiers = {
        (t.enterprise_id, t.body_id): t
        for t in Tier.objects.filter(
            enterprise_id__in={t.enterprise_id for t in routine},
            body_id__in={t.body_id for t in routine},
        )
    }
    duties = []
    for task in routine:
        tier = tiers.get((task.enterprise_id, task.body_id))
        if tier is not None and tier.level in WATCHED_TIERS:
            duties.append(
                rules.Duty(
                    Kind.LAPSED_CHECK,
                    task.enterprise_id,
                    task.body_id,
                    f"task{task.pk}",
                    task.window_end,
                    {
                        "tier": str(Level(tier.level).label),
                        "start": task.window_start.isoformat(),
                        "end": task.window_end.isoformat(),
                    },
                )
            )
    return duties


def _late_triggered(tasks: QuerySet[Task], working_days: int) -> list[rules.Duty]:
    duties = []
    for task in tasks.filter(kind=TaskKind.TRIGGERED):
        created = timezone.localdate(task.created)
        duties.append(
            rules.Duty(
                Kind.TRIGGER_UNVISITED,
                task.enterprise_id,
                task.body_id,
                f"task{task.pk}",
                add_working_days(created, working_days),
                {"created": created.isoformat(), "cause": task.cause[:80]},
            )
        )
    return duties


def _unvisited_draws(tasks: QuerySet[Task]) -> list[rules.Duty]:
    drawn = tasks.filter(draw__isnull=False).values_list(
        "pk", "enterprise_id", "body_id", "window_end", "draw__title"
    )  # the title only: a draw row carries its whole frozen pool
    return [
        rules.Duty(Kind.DRAW_UNVISITED, enterprise, body, f"task{pk}", end, {"draw": title})
        for pk, enterprise, body, end, title in drawn
    ]


def _rechecks_missing(today: dt.date, enterprise_ids: Sequence[int]) -> list[rules.Duty]:
    rects = Rectification.objects.filter(
        status__in=[Rectification.Status.OPEN, Rectification.Status.REOPENED],
        enterprise_id__in=enterprise_ids,
        deadline__lt=today,
        deadline__gte=dt.date(today.year - 1, 1, 1),
    ).exclude(recheck_task__status__in=[Task.Status.OPEN, Task.Status.DONE])
    return [
        rules.Duty(
            Kind.NO_RECHECK,
            rect.enterprise_id,
            rect.body_id,
            f"rect{rect.pk}",
            rect.deadline,
            {"rectification": rect.pk, "problem": rect.problem[:80]},
            (rect.finding.visit_id,) if rect.finding is not None else (),
        )
        for rect in rects.select_related("finding")
        if rect.enterprise_id is not None
    ]


def _unassessed_emergencies(
    today: dt.date, enterprise_ids: Sequence[int], working_days: int
) -> list[rules.Duty]:
    """An emergency goes first and is assessed within the working days after it; a missing or
    late assessment is owed."""
    visits = (
        Visit.objects.filter(
            origin=Visit.Origin.EMERGENCY,
            date__gte=dt.date(today.year - 1, 1, 1),
            enterprise_id__in=enterprise_ids,
        )
        .exclude(status=Visit.Status.CANCELLED)
        .select_related("assessment")
    )
    found = []
    for visit in visits:
        due = add_working_days(visit.date, working_days)
        if visit.assessment is not None and timezone.localdate(visit.assessment.filed_at) <= due:
            continue
        found.append(
            rules.Duty(
                Kind.LATE_ASSESSMENT,
                visit.enterprise_id,
                visit.lead_body_id,
                f"visit{visit.pk}",
                due,
                {"day": visit.date.isoformat()},
                (visit.pk,),
            )
        )
    return found


def duties(today: dt.date, enterprise_ids: Sequence[int]) -> list[rules.Duty]:
    """The checks the enabled 缺位 rules watch for these enterprises: owed since the start of
    last year, not done."""
    settings = current_rules()
    tasks = Task.objects.filter(
        status=Task.Status.OPEN,
        window_end__gte=dt.date(today.year - 1, 1, 1),
        enterprise_id__in=enterprise_ids,
    )
    found: list[rules.Duty] = []
    if settings[Kind.LAPSED_CHECK].enabled:
        found += _lapsed_checks(tasks)
    trigger = settings[Kind.TRIGGER_UNVISITED]
    if trigger.enabled:
        found += _late_triggered(tasks, trigger.days or 5)
    if settings[Kind.DRAW_UNVISITED].enabled:
        found += _unvisited_draws(tasks)
    if settings[Kind.NO_RECHECK].enabled:
        found += _rechecks_missing(today, enterprise_ids)
    late = settings[Kind.LATE_ASSESSMENT]
    if late.enabled:
        found += _unassessed_emergencies(today, enterprise_ids, late.days or 3)
    return found


def do_scan_warnings(*, today: dt.date, enterprise_ids: Sequence[int] | None = None) -> int:
    """Apply every enabled rule to the visits since the start of last year (optionally of some
    enterprises). New groups become warnings; a known group that gained visits is updated
    (and reopened if it was closed). Returns how many warnings were opened or reopened.

    A whole scan goes a few thousand enterprises at a time, so a province's history never has
    to sit in memory at once."""
    if enterprise_ids is not None:
        return _scan(today, enterprise_ids)
    watched = _watched_enterprises(today)
    return sum(
        _scan(today, watched[start : start + SCAN_CHUNK])
        for start in range(0, len(watched), SCAN_CHUNK)
    )


def _watched_enterprises(today: dt.date) -> list[int]:
    """Every enterprise some rule could judge: visited, owed a check or owed a recheck since
    the start of last year."""
    since = dt.date(today.year - 1, 1, 1)
    ids = set(Visit.objects.filter(date__gte=since).values_list("enterprise_id", flat=True))
    ids |= set(
        Task.objects.filter(status=Task.Status.OPEN, window_end__gte=since).values_list(
            "enterprise_id", flat=True
        )
    )
    ids |= set(
        Rectification.objects.filter(enterprise__isnull=False, deadline__gte=since).values_list(
            "enterprise_id", flat=True
        )
    )
    return sorted(i for i in ids if i is not None)


def _scan(today: dt.date, enterprise_ids: Sequence[int]) -> int:
    since = dt.date(today.year - 1, 1, 1)
    visits = Visit.objects.happened().filter(date__gte=since, enterprise_id__in=enterprise_ids)
    evaluations = Evaluation.objects.filter(
        visit__date__gte=since, visit__enterprise_id__in=enterprise_ids
    )
    facts = visit_facts(visits)
    ratings = [
        rules.Rating(e.visit_id, e.visit.enterprise_id, e.visit.lead_body_id, e.average)
        for e in evaluations.select_related("visit")
    ]
    found = _candidates(facts, ratings) + rules.lapsed(duties(today, enterprise_ids), today)
    with transaction.atomic():
        return sum(
            _raise_batch(found[start : start + RAISE_BATCH])
            for start in range(0, len(found), RAISE_BATCH)
        )


def _raise_batch(batch: list[rules.Candidate]) -> int:
    """Open the batch's new groups as warnings and update the known groups that gained visits.

    The known warnings, their visits and the new warnings' enterprises are read once per
    batch: a province's first scan opens hundreds of thousands of warnings."""
    known = {
        w.fingerprint: w
        for w in Warning.objects.select_related("enterprise").filter(
            fingerprint__in={c.fingerprint for c in batch}
        )
    }
    visits_of: dict[int, set[int]] = defaultdict(set)
    links = Warning.visits.through.objects.filter(warning__in=[w.pk for w in known.values()])
    for warning_id, visit_id in links.values_list("warning_id", "visit_id"):
        visits_of[warning_id].add(visit_id)
    new: dict[str, rules.Candidate] = {}
    for candidate in batch:
        if candidate.fingerprint not in known:
            new.setdefault(candidate.fingerprint, candidate)
    opened = _open(list(new.values()))
    for warning, candidate in zip(opened, new.values(), strict=True):
        known[warning.fingerprint] = warning
        visits_of[warning.pk] = set(candidate.visit_ids)
    raised = len(opened)
    for candidate in batch:
        if new.get(candidate.fingerprint) is not candidate:
            warning = known[candidate.fingerprint]
            raised += _update(warning, candidate, visits_of[warning.pk])
    return raised


def _open(candidates: list[rules.Candidate]) -> list[Warning]:
    enterprises = Enterprise.objects.only("name").in_bulk({c.enterprise_id for c in candidates})
    opened = Warning.objects.bulk_create(
        [
            Warning(
                kind=c.kind,
                enterprise=enterprises[c.enterprise_id],
                body_id=c.body_id,
                detail=c.detail,
                facts=dict(c.facts),
                fingerprint=c.fingerprint,
            )
            for c in candidates
        ]
    )
    Warning.visits.through.objects.bulk_create(
        [
            Warning.visits.through(warning_id=w.pk, visit_id=visit_id)
            for w, c in zip(opened, candidates, strict=True)
            for visit_id in dict.fromkeys(c.visit_ids)
        ]
    )
    record_many(
        actor=Actor.system("oversight"),
        entries=[
            {
                "action": "raise",
                "verb": "",
                "object_type": Warning._meta.label_lower,
                "object_id": str(w.pk),
                "object_repr": str(w)[:300],
                "changes": {"detail": c.detail},
            }
            for w, c in zip(opened, candidates, strict=True)
        ],
    )
    return opened


def _update(warning: Warning, candidate: rules.Candidate, known_visits: set[int]) -> int:
    """Add a known group's new visits (reopening it if it was closed); 1 if it reopened."""
    if set(candidate.visit_ids) <= known_visits:
        return 0
    warning.visits.add(*candidate.visit_ids)
    known_visits.update(candidate.visit_ids)
    warning.detail = candidate.detail
    warning.facts = dict(candidate.facts)
    reopened = warning.status == Warning.Status.CLOSED
    if reopened:
        warning.status = Warning.Status.OPEN
    warning.save(update_fields=["detail", "facts", "status"])
    record(
        actor=Actor.system("oversight"),
        action="update",
        obj=warning,
        changes={"detail": candidate.detail, "reopened": reopened},
    )
    return int(reopened)


def do_acknowledge_warning(*, actor: Actor, warning: Warning, by: User, note: str) -> Warning:
    if warning.status != Warning.Status.OPEN:
        raise WarningRefused(_("Only an open warning is acknowledged."))
    if not note.strip():
        raise WarningRefused(_("Say what you will do about it."))
    with transaction.atomic():
        warning.status = Warning.Status.ACKNOWLEDGED
        warning.acknowledged_note = note.strip()
        warning.acknowledged_at = timezone.now()
        warning.handled_by = by
        warning.save(update_fields=["status", "acknowledged_note", "acknowledged_at", "handled_by"])
        record(actor=actor, action="acknowledge", obj=warning, changes={"note": note.strip()})
    return warning


def do_close_warning(*, actor: Actor, warning: Warning, by: User, note: str) -> Warning:
    if warning.status == Warning.Status.CLOSED:
        raise WarningRefused(_("This warning is closed already."))
    if not note.strip():
        raise WarningRefused(_("A warning is closed with a note of what was done."))
    with transaction.atomic():
        warning.status = Warning.Status.CLOSED
        warning.closed_note = note.strip()
        warning.closed_at = timezone.now()
        warning.handled_by = by
        warning.save(update_fields=["status", "closed_note", "closed_at", "handled_by"])
        record(actor=actor, action="close", obj=warning, changes={"note": note.strip()})
    return warning


def do_save_rule(
    *, actor: Actor, kind: str, enabled: bool, days: int | None, threshold: Decimal | None
) -> WarningRule:
    if kind not in Kind.values:
        raise WarningRefused(_("Unknown rule."))
    if days is not None and not 1 <= days <= 366:
        raise WarningRefused(_("A window runs from 1 to 366 days."))
    with transaction.atomic():
        rule, _created = WarningRule.objects.update_or_create(
            kind=kind, defaults={"enabled": enabled, "days": days, "threshold": threshold}
        )
        record(
            actor=actor,
            action="configure",
            obj=rule,
            changes={"enabled": enabled, "days": days, "threshold": threshold},
        )
    return rule


def raise_overdue_rectification(rect: object) -> Warning | None:
    """The rectification ladder's last step: a warning for the supervisor (once)."""
    from onevisit.rectification.models import Rectification

    assert isinstance(rect, Rectification)
    if rect.enterprise_id is None or not current_rules()[Kind.OVERDUE_RECTIFICATION].enabled:
        return None
    warning, created = Warning.objects.get_or_create(
        fingerprint=f"{Kind.OVERDUE_RECTIFICATION}:{rect.pk}",
        defaults={
            "kind": Kind.OVERDUE_RECTIFICATION,
            "enterprise_id": rect.enterprise_id,
            "body_id": rect.body_id,
            "detail": f"rectification {rect.pk} due {rect.deadline}: {rect.problem[:80]}",
            "facts": {
                "rectification": rect.pk,
                "deadline": rect.deadline.isoformat(),
                "problem": rect.problem[:80],
            },
        },
    )
    if created:
        if rect.finding is not None:
            warning.visits.set([rect.finding.visit_id])
        record(
            actor=Actor.system("oversight"),
            action="raise",
            obj=warning,
            changes={"rectification": rect.pk},
        )
    return warning
