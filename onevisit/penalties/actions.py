"""Penalty decisions measured against the catalogue, and the supervisor's consistency report."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record
from onevisit.penalties.models import Decision, Level, Violation
from onevisit.registry.models import Body, Enterprise, Inspector


class DecisionRefused(Exception):
    pass


@dataclass(frozen=True)
class Case:
    case_number: str
    body: Body
    violation: Violation
    level: Level
    fine: Decimal
    reasons: str
    decided_on: dt.date
    measure: str = ""
    enterprise: Enterprise | None = None
    inspector: Inspector | None = None
    order_to_correct_on: dt.date | None = None
    first_violation: bool = False
    corrected_in_time: bool = False
    justification: str = ""


def _catalogue_bodies(body: Body) -> set[int]:
    """A body decides on its own catalogue, or on the one of the body that entrusted it."""
    return {body.pk, body.acts_in_name_of().pk}


def _check(case: Case) -> bool:
    """The rules; returns whether the fine lies outside the level's range."""
    if case.violation.body_id not in _catalogue_bodies(case.body):
        raise DecisionRefused(_("This violation is not in the body's discretion catalogue."))
    if case.level.violation_id != case.violation.pk:
        raise DecisionRefused(_("This level belongs to another violation."))
    if not case.reasons.strip():
        raise DecisionRefused(_("State the reasons for the decision."))
    if case.fine < 0:
        raise DecisionRefused(_("A fine cannot be negative."))
    if case.violation.order_first and case.order_to_correct_on is None:
        raise DecisionRefused(_("An order to correct must be recorded first for this violation."))
    if case.order_to_correct_on and case.order_to_correct_on > case.decided_on:
        raise DecisionRefused(_("The order to correct comes before the decision."))
    if case.level.grade == Level.Grade.NONE:
        if not (case.first_violation and case.corrected_in_time and case.order_to_correct_on):
            raise DecisionRefused(
                _("不予处罚 is for a first violation corrected in time after an order to correct.")
            )
        if case.fine:
            raise DecisionRefused(_("不予处罚 means no fine."))
    outside = not case.level.allows(case.fine)
    if outside and not case.justification.strip():
        raise DecisionRefused(
            _("The fine lies outside %(low)s–%(high)s yuan: give a written justification.")
            % {"low": case.level.min_fine, "high": case.level.max_fine}
        )
    return outside


def do_decide_penalty(*, actor: Actor, case: Case, by: User | None) -> Decision:
    outside = _check(case)
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                case_number=case.case_number.strip(),
                body=case.body,
                violation=case.violation,
                level=case.level,
                enterprise=case.enterprise,
                inspector=case.inspector,
                fine=case.fine,
                measure=case.measure.strip() or case.level.measure,
                reasons=case.reasons.strip(),
                order_to_correct_on=case.order_to_correct_on,
                first_violation=case.first_violation,
                corrected_in_time=case.corrected_in_time,
                outside_range=outside,
                justification=case.justification.strip(),
                decided_on=case.decided_on,
                decided_by=by,
            )
            record(
                actor=actor,
                action="decide",
                obj=decision,
                changes={
                    "violation": case.violation.code,
                    "level": case.level.grade,
                    "fine": case.fine,
                    "outside_range": outside,
                },
            )
    except IntegrityError:
        raise DecisionRefused(_("A decision with this case number exists.")) from None
    return decision


@dataclass(frozen=True)
class Spread:
    """同案: one violation at one level, decided by several hands."""

    violation: Violation
    level: Level
    count: int
    low: Decimal
    median: Decimal
    high: Decimal
    by_body: list[tuple[str, int, Decimal, Decimal]]  # body, decisions, lowest, highest
    outliers: list[Decision]


def _outliers(decisions: list[Decision]) -> list[Decision]:
    """Outside the catalogue's range, or beyond Tukey's fences (1.5 × IQR) of the group."""
    fines = sorted(float(d.fine) for d in decisions)
    fences = (float("-inf"), float("inf"))
    if len(fines) >= 4:
        q1, _median, q3 = statistics.quantiles(fines, n=4, method="inclusive")
        spread = q3 - q1
        fences = (q1 - 1.5 * spread, q3 + 1.5 * spread)
    return [d for d in decisions if d.outside_range or not fences[0] <= float(d.fine) <= fences[1]]


def consistency_report(minimum: int = 3, among: QuerySet[Decision] | None = None) -> list[Spread]:
    """Every violation and level with at least `minimum` decisions, widest spread first. The
    same violation code at the same level is the same case whichever body's catalogue holds
    it (city and county bodies share the province's list), so bodies are compared. `among`
    limits the decisions (a city's supervisor compares their city's)."""
    groups: dict[tuple[str, str], list[Decision]] = defaultdict(list)
    chosen = Decision.objects.all() if among is None else among
    every = chosen.select_related("violation", "level", "body", "inspector", "enterprise")
    for decision in every:
        groups[(decision.violation.code, decision.level.grade)].append(decision)
    spreads = []
    for decisions in groups.values():
        if len(decisions) < minimum:
            continue
        fines = [d.fine for d in decisions]
        per_body: dict[str, list[Decimal]] = defaultdict(list)
        for d in decisions:
            per_body[d.body.name].append(d.fine)
        spreads.append(
            Spread(
                violation=decisions[0].violation,
                level=decisions[0].level,
                count=len(decisions),
                low=min(fines),
                median=Decimal(statistics.median(fines)),
                high=max(fines),
                by_body=sorted((name, len(f), min(f), max(f)) for name, f in per_body.items()),
                outliers=_outliers(decisions),
            )
        )
    return sorted(spreads, key=lambda s: s.high - s.low, reverse=True)
