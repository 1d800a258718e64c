"""Writes of the 亩产效益 evaluation, each a named step of the province's process:
open a year, (departments import figures), score, publish for objections, confirm or object,
decide objections, finalise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.evaluation import scoring
from onevisit.evaluation.models import (
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    Advice,
    Diagnosis,
    Entry,
    Objection,
    Recommendation,
    Source,
    Year,
)
from onevisit.evaluation.queries import result_summary
from onevisit.lib.problems import Problem
from onevisit.registry.industries import industry_targets
from onevisit.registry.models import Body, Enterprise
from onevisit.workdays.calendar import add_working_days


class EvaluationRefused(Problem):
    """A step the year's state does not allow; the message says why."""


def scope_of(industries: str, excluded: str, area: str) -> Any:
    """Active enterprises of the area (the lead body's city or county) in the industries,
    outside the excluded ones."""
    active = Enterprise.objects.in_area(area).filter(status=Enterprise.Status.ACTIVE)
    found = active.in_industries(industry_targets(industries).split(","))
    if excluded:
        outside = active.in_industries(industry_targets(excluded).split(","))
        found = found.exclude(pk__in=outside.values("pk"))
    return found


@transaction.atomic
def do_open_year(
    *,
    actor: Actor,
    year: int,
    lead_body: Body,
    industries: str = "B,C",
    excluded: str = "D",
    sources: Mapping[str, Body],
    above_scale_only: bool = True,
) -> Year:
    """Open a year for the lead department's area (its city or county; one per area and year):
    its scope (规上 enterprises of the industries, without the exclusions; the lead may add
    more by import) and who reports which figure."""
    opened = Year.objects.create(
        year=year,
        lead_body=lead_body,
        area_id=lead_body.district_id,
        industries=industry_targets(industries),
        excluded=industry_targets(excluded),
        weights=DEFAULT_WEIGHTS,
        thresholds=DEFAULT_THRESHOLDS,
    )
    Source.objects.bulk_create(
        Source(year=opened, figure=figure, body=body) for figure, body in sources.items()
    )
    scope = scope_of(opened.industries, opened.excluded, opened.area_id)
    if above_scale_only:
        scope = scope.filter(above_scale=True)
    Entry.objects.bulk_create(
        Entry(year=opened, enterprise_id=pk) for pk in scope.values_list("pk", flat=True)
    )
    record(
        actor=actor, action="open", obj=opened, changes={"scope": [None, opened.entries.count()]}
    )
    return opened


@transaction.atomic
def do_set_rules(*, actor: Actor, year: Year, settings: Mapping[str, Any]) -> Year:
    """Change the year's weights, benchmarks, cap, class floors or electricity check; the
    change shows when the year is scored again."""
    _require_open(year)
    before = {f: getattr(year, f) for f in settings}
    for field, value in settings.items():
        setattr(year, field, value)
    year.save(update_fields=list(settings))
    changes = {f: [str(before[f]), str(v)] for f, v in settings.items() if before[f] != v}
    record(actor=actor, action="rules", obj=year, changes=changes)
    return year


def _require_open(year: Year) -> None:
    if year.is_final:
        raise EvaluationRefused(_("The year is final; its results no longer change."))


@transaction.atomic
def do_score(*, actor: Actor, year: Year) -> int:
    """Score every enterprise of the year and keep the rules that produced the result."""
    _require_open(year)
    entries = list(year.entries.all())
    results, effective = scoring.score_all({e.pk: e.figures() for e in entries}, year.rules())
    for entry in entries:
        scored = results[entry.pk]
        entry.score, entry.klass = scored.score, scored.klass
        entry.parts = [
            {
                "code": p.code,
                "value": None if p.value is None else str(p.value),
                "used": str(p.used),
                "imputed": p.imputed,
                "ratio": str(p.ratio),
                "points": str(p.points),
            }
            for p in scored.parts
        ]
    _store_scores(entries)
    year.rules_used = rules_to_json(effective)
    year.summary = result_summary(year)
    year.save(update_fields=["rules_used", "summary"])
    record(actor=actor, action="score", obj=year, changes={"scored": [None, len(entries)]})
    return len(entries)


def _store_scores(entries: list[Entry]) -> None:
    """One prepared UPDATE run for every entry (executemany): bulk_update's CASE expressions
    cost ten times more at tens of thousands of rows."""
    parts = Entry._meta.get_field("parts")
    table = Entry._meta.db_table
    sql = f"UPDATE {table} SET score = %s, klass = %s, parts = %s WHERE id = %s"  # noqa: S608
    rows = [(e.score, e.klass, parts.get_db_prep_value(e.parts, connection), e.pk) for e in entries]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rules_to_json(rules: scoring.Rules) -> dict[str, Any]:
    return {
        "weights": {k: str(v) for k, v in rules.weights.items()},
        "benchmarks": {k: str(v) for k, v in rules.benchmarks.items() if v is not None},
        "cap": str(rules.cap),
        "missing": dict(rules.missing),
        "thresholds": {k: str(v) for k, v in rules.thresholds.items()},
    }


def rules_from_json(data: Mapping[str, Any]) -> scoring.Rules:
    return scoring.Rules(
        weights={k: Decimal(v) for k, v in data["weights"].items()},
        benchmarks={k: Decimal(v) for k, v in data["benchmarks"].items()},
        cap=Decimal(data["cap"]),
        missing=dict(data["missing"]),
        thresholds={k: Decimal(v) for k, v in data["thresholds"].items()},
    )


def recompute(year: Year) -> dict[int, tuple[Decimal, str]]:
    """The year's result computed again from its stored figures and the rules it stored."""
    entries = list(year.entries.all())
    results, _rules = scoring.score_all(
        {e.enterprise_id: e.figures() for e in entries}, rules_from_json(year.rules_used)
    )
    return {key: (scored.score, scored.klass) for key, scored in results.items()}


@transaction.atomic
def do_publish(*, actor: Actor, year: Year, today: dt.date) -> Year:
    _require_open(year)
    if not year.rules_used:
        raise EvaluationRefused(_("Score the year before publishing it."))
    year.status = Year.Status.PUBLISHED
    year.published_on = today
    year.objections_until = add_working_days(today, year.objection_days)
    year.save(update_fields=["status", "published_on", "objections_until"])
    record(actor=actor, action="publish", obj=year)
    return year


def _require_window(year: Year, today: dt.date) -> None:
    if year.status != Year.Status.PUBLISHED or year.objections_until is None:
        raise EvaluationRefused(_("The results are not published for objections."))
    if today > year.objections_until:
        raise EvaluationRefused(
            _("The objection window closed on %(day)s.") % {"day": year.objections_until}
        )


@transaction.atomic
def do_confirm(*, actor: Actor, entry: Entry) -> Entry:
    _require_open(entry.year)
    entry.confirmation = Entry.Confirmation.CONFIRMED
    entry.save(update_fields=["confirmation"])
    record(actor=actor, action="confirm", obj=entry)
    return entry


@transaction.atomic
def do_object(*, actor: Actor, entry: Entry, reason: str, today: dt.date) -> Objection:
    _require_window(entry.year, today)
    if not reason.strip():
        raise EvaluationRefused(_("Say what is wrong: an objection needs its reason."))
    objection = Objection.objects.create(entry=entry, reason=reason.strip())
    record(actor=actor, action="object", obj=objection)
    return objection


@transaction.atomic
def do_decide(
    *, actor: Actor, objection: Objection, upheld: bool, reason: str, now: dt.datetime
) -> Objection:
    _require_open(objection.entry.year)
    if not reason.strip():
        raise EvaluationRefused(_("A decision needs its reason."))
    objection.decision = Objection.Decision.UPHELD if upheld else Objection.Decision.REJECTED
    objection.decision_reason = reason.strip()
    objection.decided = now
    objection.save(update_fields=["decision", "decision_reason", "decided"])
    record(
        actor=actor,
        action="decide",
        obj=objection,
        changes={"decision": [None, objection.decision]},
    )
    return objection


@transaction.atomic
def do_finalise(*, actor: Actor, year: Year, today: dt.date) -> Year:
    """Close the year: the window is over and every objection decided; corrected figures of
    upheld objections are scored once more, and the result is frozen."""
    _require_open(year)
    if year.status != Year.Status.PUBLISHED or year.objections_until is None:
        raise EvaluationRefused(_("Publish the results for objections first."))
    if today <= year.objections_until:
        raise EvaluationRefused(
            _("Objections are open until %(day)s.") % {"day": year.objections_until}
        )
    if Objection.objects.filter(entry__year=year, decision=Objection.Decision.PENDING).exists():
        raise EvaluationRefused(_("Decide every objection first."))
    do_score(actor=actor, year=year)
    year.status = Year.Status.FINAL
    year.final_on = today
    year.save(update_fields=["status", "final_on"])
    record(actor=actor, action="finalise", obj=year)
    return year


# --- 工业绿色诊断 -----------------------------------------------------------------------------


@transaction.atomic
def do_draft_diagnosis(*, actor: Actor, entry: Entry) -> Diagnosis:
    """A draft for a scored enterprise: the catalogue's recommendations for its two weakest
    indicators, to be edited before it is issued."""
    if not entry.parts:
        raise EvaluationRefused(_("Score the year before diagnosing an enterprise."))
    diagnosis, created = Diagnosis.objects.get_or_create(entry=entry)
    if created:
        weakest = sorted(entry.parts, key=lambda p: (Decimal(p["ratio"]), p["code"]))[:2]
        codes = [p["code"] for p in weakest]
        catalogue = Recommendation.objects.filter(
            body=entry.year.lead_body, indicator__in=codes, active=True
        )
        Advice.objects.bulk_create(Advice(diagnosis=diagnosis, recommendation=r) for r in catalogue)
        record(actor=actor, action="draft", obj=diagnosis)
    return diagnosis


@transaction.atomic
def do_edit_diagnosis(
    *, actor: Actor, diagnosis: Diagnosis, summary: str, recommendations: list[Recommendation]
) -> Diagnosis:
    if diagnosis.issued is not None:
        raise EvaluationRefused(_("An issued diagnosis is no longer edited."))
    diagnosis.summary = summary.strip()
    diagnosis.save(update_fields=["summary"])
    wanted = {r.pk for r in recommendations}
    diagnosis.advice.exclude(recommendation_id__in=wanted).delete()
    have = set(diagnosis.advice.values_list("recommendation_id", flat=True))
    Advice.objects.bulk_create(
        Advice(diagnosis=diagnosis, recommendation_id=pk) for pk in sorted(wanted - have)
    )
    record(actor=actor, action="edit", obj=diagnosis)
    return diagnosis


@transaction.atomic
def do_issue_diagnosis(*, actor: Actor, diagnosis: Diagnosis, today: dt.date) -> Diagnosis:
    if not diagnosis.advice.exists():
        raise EvaluationRefused(_("Choose at least one recommendation to issue."))
    diagnosis.issued = today
    diagnosis.save(update_fields=["issued"])
    record(actor=actor, action="issue", obj=diagnosis)
    return diagnosis


@transaction.atomic
def do_follow_up(*, actor: Actor, advice: Advice, note: str, today: dt.date) -> Advice:
    if advice.diagnosis.issued is None:
        raise EvaluationRefused(_("Issue the diagnosis first."))
    if not note.strip():
        raise EvaluationRefused(_("Say what the enterprise did."))
    advice.followed_up, advice.follow_up_note = today, note.strip()
    advice.save(update_fields=["followed_up", "follow_up_note"])
    record(actor=actor, action="follow up", obj=advice)
    return advice
