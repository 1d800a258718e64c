"""Writes of the 亩产效益 evaluation, each a named step of the province's process:
open a year, (departments import figures), score, publish for objections, confirm or object,
decide objections, finalise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.evaluation import scoring
from onevisit.evaluation.models import (
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    FIGURE_CODES,
    FIGURES,
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
from onevisit.versions.actions import do_end_version, do_freeze, versions_of
from onevisit.versions.models import Kind
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
    """Change the year's weights, benchmarks, cap, class floors, electricity check or the share
    of missing figures publishing tolerates; the change shows when the year is scored again.
    The weights total exactly 100 (the 100-point scale)."""
    _require_collecting(year, _("The rules"))
    if "weights" in settings:
        problem = scoring.weights_problem(
            {k: Decimal(str(v)) for k, v in settings["weights"].items()}
        )
        if problem:
            raise EvaluationRefused(
                _("The weights must total exactly 100 (a 100-point scale): %(problem)s.")
                % {"problem": problem}
            )
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


def _require_collecting(year: Year, what: str) -> None:
    """During 公示 the published result changes only through objections decided with reasons;
    anything else waits until the 公示 is withdrawn (and is published again, with its notice)."""
    _require_open(year)
    if year.is_published:
        raise EvaluationRefused(
            _(
                "%(what)s: the results are published for objections (公示) until %(day)s; "
                "they change only through objections decided with reasons. To change more, "
                "withdraw the 公示 and publish again with a new period and a notice."
            )
            % {"what": what, "day": year.objections_until}
        )


@dataclass(frozen=True)
class Missing:
    """A weighted indicator that some enterprises lack, the figure behind it and who reports it."""

    indicator: str
    figure: str
    body: str
    count: int
    share: Decimal


def missing_figures(year: Year) -> list[Missing]:
    """Each figure of a weighted indicator that enterprises of the year lack: how many, of what
    share of the scope, and which department has not reported it."""
    entries = list(year.entries.all())
    if not entries:
        return []
    weights = year.rules().weights
    sources = {s.figure: s.body.name for s in year.sources.select_related("body")}
    labels = dict(FIGURES)
    found = []
    for code, name, _unit in scoring.INDICATORS:
        if weights.get(code, Decimal(0)) <= 0:
            continue
        for figure in scoring.INDICATOR_FIGURES[code]:
            count = sum(1 for e in entries if getattr(e, figure) is None)
            if count:
                share = (Decimal(count) / len(entries)).quantize(Decimal("0.001"))
                found.append(
                    Missing(name, str(labels[figure]), sources.get(figure, "—"), count, share)
                )
    return found


@dataclass(frozen=True)
class Scoring:
    scored: int
    missing: list[Missing]


@transaction.atomic
def do_score(*, actor: Actor, year: Year) -> Scoring:
    """Score every enterprise of the year and keep the rules (and the scope's means) that
    produced the result; say what is missing, per indicator and department."""
    _require_collecting(year, _("Scoring again"))
    entries = list(year.entries.all())
    figures = {e.pk: e.figures() for e in entries}
    means = scoring.scope_means(figures)
    results, effective = scoring.score_all(figures, year.rules(), means)
    for entry in entries:
        _apply_score(entry, results[entry.pk])
    _store_scores(entries)
    year.rules_used = {**rules_to_json(effective), "means": {k: str(v) for k, v in means.items()}}
    year.summary = result_summary(year)
    year.scored_at = timezone.now()
    year.save(update_fields=["rules_used", "summary", "scored_at"])
    missing = missing_figures(year)
    record(
        actor=actor,
        action="score",
        obj=year,
        changes={
            "scored": [None, len(entries)],
            "missing": {f"{m.indicator}/{m.figure}": m.count for m in missing},
        },
    )
    return Scoring(len(entries), missing)


def _apply_score(entry: Entry, scored: scoring.Scored) -> None:
    entry.score, entry.bonus, entry.klass = scored.score, scored.bonus, scored.klass
    entry.parts = [
        {
            "code": p.code,
            "value": None if p.value is None else str(p.value),
            "used": str(p.used),
            "imputed": p.imputed,
            "ratio": str(p.ratio),
            "points": str(p.points),
            "bonus": str(p.bonus),
        }
        for p in scored.parts
    ]


def _store_scores(entries: list[Entry]) -> None:
    """One prepared UPDATE run for every entry (executemany): bulk_update's CASE expressions
    cost ten times more at tens of thousands of rows."""
    parts = Entry._meta.get_field("parts")
    table = Entry._meta.db_table
    sql = f"UPDATE {table} SET score = %s, bonus = %s, klass = %s, parts = %s WHERE id = %s"  # noqa: S608
    rows = [
        (e.score, e.bonus, e.klass, parts.get_db_prep_value(e.parts, connection), e.pk)
        for e in entries
    ]
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


def _means_used(year: Year) -> dict[str, Decimal] | None:
    means = year.rules_used.get("means")
    return None if means is None else {k: Decimal(v) for k, v in means.items()}


def recompute(year: Year) -> dict[int, tuple[Decimal, str]]:
    """The year's result computed again from its stored figures and the rules (and means) it
    stored: each enterprise's total and class."""
    entries = list(year.entries.all())
    results, _rules = scoring.score_all(
        {e.enterprise_id: e.figures() for e in entries},
        rules_from_json(year.rules_used),
        _means_used(year),
    )
    return {key: (scored.total, scored.klass) for key, scored in results.items()}


@transaction.atomic
def do_publish(
    *, actor: Actor, by: Any, year: Year, today: dt.date, reason: str = "", notice: str = ""
) -> Year:
    """Publish the classes for objections (公示): a frozen version with its own objection period.
    Refused while a weighted indicator is missing for more than the year's share of the scope,
    naming the department, and while figures have changed since the year was scored. A year
    published before (and withdrawn) is published again with the reason and a public notice of
    what changed, and runs its full period again."""
    _require_collecting(year, _("Publishing"))
    if not year.rules_used:
        raise EvaluationRefused(_("Score the year before publishing it."))
    if year.scores_are_stale:
        raise EvaluationRefused(_("Figures were imported after the last scoring: score again."))
    too_many = [m for m in missing_figures(year) if m.share > year.max_missing_share]
    if too_many:
        raise EvaluationRefused(
            _("Not published: %(what)s. At most %(share)s of the enterprises may miss one.")
            % {
                "what": "；".join(_missing_text(m) for m in too_many),
                "share": f"{year.max_missing_share:.0%}",
            }
        )
    if versions_of(year) and not (reason.strip() and notice.strip()):
        raise EvaluationRefused(
            _("Published before: give the reason and the public notice of what changed.")
        )
    year.status = Year.Status.PUBLISHED
    year.published_on = today
    year.objections_until = add_working_days(today, year.objection_days)
    year.save(update_fields=["status", "published_on", "objections_until"])
    do_freeze(
        actor=actor,
        by=by,
        obj=year,
        kind=Kind.PUBLICATION,
        snapshot=published_result(year),
        period=(today, year.objections_until),
        reason=reason,
        notice=notice,
    )
    record(actor=actor, action="publish", obj=year)
    return year


def _missing_text(m: Missing) -> str:
    return _("%(body)s has not reported %(figure)s of %(count)s enterprises (%(indicator)s)") % {
        "body": m.body,
        "figure": m.figure,
        "count": m.count,
        "indicator": m.indicator,
    }


def published_result(year: Year) -> dict[str, Any]:
    """What a 公示 or a final result says: each enterprise's class and score, and the rules."""
    rows = year.entries.select_related("enterprise").order_by("klass", "-score", "id")
    return {
        "year": year.year,
        "area": year.area_id,
        "classes": year.summary.get("classes") or {},
        "rules": year.rules_used,
        "entries": [
            [e.enterprise.uscc, e.enterprise.name, str(e.score), str(e.bonus), e.klass]
            for e in rows.iterator(chunk_size=2000)
        ],
    }


@transaction.atomic
def do_withdraw_publication(*, actor: Actor, year: Year, reason: str) -> Year:
    """Take the 公示 back (its version stays readable, marked withdrawn): the year collects and
    scores again, and a new 公示 runs its full period with its notice."""
    _require_open(year)
    if not year.is_published:
        raise EvaluationRefused(_("The results are not published for objections."))
    do_end_version(actor=actor, obj=year, reason=reason, withdraw=True)
    year.status = Year.Status.COLLECTING
    year.save(update_fields=["status"])
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
    *,
    actor: Actor,
    objection: Objection,
    upheld: bool,
    reason: str,
    now: dt.datetime,
    corrections: Mapping[str, Decimal] | None = None,
) -> Objection:
    """Decide an objection with its reason. Upheld, it corrects that one enterprise's figures
    (`corrections`), scores it again against the published benchmarks, and supersedes a
    diagnosis issued from the figures before."""
    _require_open(objection.entry.year)
    if objection.decision != Objection.Decision.PENDING:
        raise EvaluationRefused(_("This objection has been decided."))
    if not reason.strip():
        raise EvaluationRefused(_("A decision needs its reason."))
    changed = {k: v for k, v in (corrections or {}).items() if v is not None}
    if upheld and not changed:
        raise EvaluationRefused(_("An upheld objection corrects a figure: give the corrected one."))
    objection.decision = Objection.Decision.UPHELD if upheld else Objection.Decision.REJECTED
    objection.decision_reason = reason.strip()
    objection.decided = now
    if upheld:
        objection.corrections = _correct(actor, objection, changed)
    objection.save(update_fields=["decision", "decision_reason", "decided", "corrections"])
    record(
        actor=actor,
        action="decide",
        obj=objection,
        changes={"decision": [None, objection.decision], "corrections": objection.corrections},
    )
    return objection


def _correct(actor: Actor, objection: Objection, changed: Mapping[str, Decimal]) -> dict[str, Any]:
    entry = objection.entry
    year = entry.year
    if set(changed) - set(FIGURE_CODES):
        raise EvaluationRefused(_("Only the year's figures are corrected."))
    before = {code: getattr(entry, code) for code in changed}
    for code, value in changed.items():
        setattr(entry, code, value)
    scored = scoring.score_all(
        {entry.pk: entry.figures()}, rules_from_json(year.rules_used), _means_used(year)
    )[0][entry.pk]
    old_class = entry.klass
    _apply_score(entry, scored)
    entry.save(update_fields=[*changed, "score", "bonus", "klass", "parts"])
    year.summary = result_summary(year)
    year.save(update_fields=["summary"])
    diagnosis = Diagnosis.objects.filter(entry=entry, issued__isnull=False).first()
    if diagnosis is not None:
        _supersede_diagnosis(actor, diagnosis, objection)
    return {
        **{code: [_plain(before[code]), _plain(value)] for code, value in changed.items()},
        "class": [old_class, entry.klass],
    }


def _plain(value: Decimal | None) -> str:
    """A figure as people write it: 9000, 361.2 (not 9000.0000)."""
    return "—" if value is None else f"{Decimal(value).normalize():f}"


@transaction.atomic
def do_finalise(*, actor: Actor, by: Any, year: Year, today: dt.date) -> Year:
    """Close the year: the window is over and every objection decided. The result, as
    published and corrected one enterprise at a time by the upheld objections, is frozen as
    the final version; nothing is scored again."""
    _require_open(year)
    if year.status != Year.Status.PUBLISHED or year.objections_until is None:
        raise EvaluationRefused(_("Publish the results for objections first."))
    if today <= year.objections_until:
        raise EvaluationRefused(
            _("Objections are open until %(day)s.") % {"day": year.objections_until}
        )
    if Objection.objects.filter(entry__year=year, decision=Objection.Decision.PENDING).exists():
        raise EvaluationRefused(_("Decide every objection first."))
    year.status = Year.Status.FINAL
    year.final_on = today
    year.save(update_fields=["status", "final_on"])
    corrected = Objection.objects.filter(entry__year=year, decision=Objection.Decision.UPHELD)
    do_freeze(
        actor=actor,
        by=by,
        obj=year,
        kind=Kind.FINAL,
        snapshot=published_result(year),
        reason=_("The objection period ended; %(n)s objections upheld and corrected.")
        % {"n": corrected.count()},
    )
    record(actor=actor, action="finalise", obj=year)
    return year


# --- 工业绿色诊断 -----------------------------------------------------------------------------


def _weakest_codes(entry: Entry) -> list[str]:
    weakest = sorted(entry.parts, key=lambda p: (Decimal(p["ratio"]), p["code"]))[:2]
    return [p["code"] for p in weakest]


def _suggest(diagnosis: Diagnosis) -> None:
    """The catalogue's recommendations for the entry's two weakest indicators, beside those
    chosen already."""
    entry = diagnosis.entry
    catalogue = Recommendation.objects.filter(
        body=entry.year.lead_body, indicator__in=_weakest_codes(entry), active=True
    ).exclude(pk__in=diagnosis.advice.values("recommendation_id"))
    Advice.objects.bulk_create(Advice(diagnosis=diagnosis, recommendation=r) for r in catalogue)


@transaction.atomic
def do_draft_diagnosis(*, actor: Actor, entry: Entry) -> Diagnosis:
    """A draft for an enterprise of a published or final year, from its figures as corrected
    so far: the catalogue's recommendations for its two weakest indicators, to be edited
    before it is issued."""
    if not entry.parts or entry.year.status == Year.Status.COLLECTING:
        raise EvaluationRefused(
            _("A diagnosis is made from published results: publish the year first.")
        )
    diagnosis, created = Diagnosis.objects.get_or_create(entry=entry)
    if created:
        _suggest(diagnosis)
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


def do_issue_diagnosis(
    *,
    actor: Actor,
    by: Any,
    diagnosis: Diagnosis,
    today: dt.date,
    summary: str,
    recommendations: list[Recommendation],
) -> Diagnosis:
    """Save the choice and issue it, in one step: refused, nothing of it is kept. The report
    as issued is a frozen, numbered version; the enterprise reads every version."""
    if not recommendations:
        raise EvaluationRefused(_("Choose at least one recommendation to issue."))
    with transaction.atomic():
        do_edit_diagnosis(
            actor=actor, diagnosis=diagnosis, summary=summary, recommendations=recommendations
        )
        diagnosis.issued = today
        diagnosis.save(update_fields=["issued"])
        do_freeze(
            actor=actor,
            by=by,
            obj=diagnosis,
            kind=Kind.ISSUE,
            snapshot=diagnosis_snapshot(diagnosis),
        )
        record(actor=actor, action="issue", obj=diagnosis)
    return diagnosis


def _supersede_diagnosis(actor: Actor, diagnosis: Diagnosis, objection: Objection) -> None:
    """A correction landed after the diagnosis was issued: the issued version is marked
    superseded (it stays readable), and the diagnosis is a draft again, from the corrected
    figures, for a new numbered version."""
    do_end_version(
        actor=actor,
        obj=diagnosis,
        reason=_("Superseded: an upheld objection corrected the figures (%(reason)s).")
        % {"reason": objection.decision_reason},
    )
    diagnosis.issued = None
    diagnosis.save(update_fields=["issued"])
    _suggest(diagnosis)


def diagnosis_snapshot(diagnosis: Diagnosis) -> dict[str, Any]:
    """Everything the report says, as it says it: what an issued version freezes and its PDF
    is made from."""
    from onevisit.evaluation.queries import compare_with_industry

    entry = diagnosis.entry
    enterprise = entry.enterprise
    weakest = sorted(entry.parts, key=lambda p: (Decimal(p["ratio"]), p["code"]))[:2]
    advice = diagnosis.advice.select_related("recommendation").order_by(
        "recommendation__indicator", "pk"
    )
    return {
        "enterprise": enterprise.name,
        "uscc": enterprise.uscc,
        "industry": f"{enterprise.industry.name}（{enterprise.industry_code}）",
        "industry_name": enterprise.industry.name,
        "year": entry.year.year,
        "score": str(entry.total),
        "class": entry.klass,
        "body": entry.year.lead_body.name,
        "issued": diagnosis.issued.isoformat() if diagnosis.issued else "",
        "comparisons": [
            [c.code, c.name, _text(c.own), _text(c.median), _text(c.top_quartile), c.unit, c.peers]
            for c in compare_with_industry(entry)
        ],
        "weakest": [[p["code"], p["ratio"]] for p in weakest],
        "recommendations": [
            [a.recommendation.title, a.recommendation.indicator, a.recommendation.text]
            for a in advice
        ],
        "summary": diagnosis.summary,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


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
