"""Writes of the 事前评估: a body files an assessment, an approver decides it; an emergency
visit is assessed afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.assessments.models import Assessment, Kind, Target
from onevisit.audit.actions import Actor, record, snapshot
from onevisit.catalog.models import Item, ItemNotPublished
from onevisit.inspections.models import Visit
from onevisit.registry.models import Body, Enterprise
from onevisit.versions.actions import do_freeze
from onevisit.versions.models import Kind as VersionKind

MAX_ENTERPRISES = 500
MAX_WINDOW_DAYS = 366


class AssessmentRefused(Exception):
    """A write that breaks a rule; the message says which, in the user's language."""


@dataclass(frozen=True)
class Application:
    """What a body states before a special or ad-hoc inspection."""

    kind: str
    title: str
    cause: str
    legal_basis: str
    why_not_joint: str
    why_not_replaced: str
    burden: str
    window_start: dt.date
    window_end: dt.date


def _check_items(body: Body, items: Sequence[Item]) -> None:
    if not items:
        raise AssessmentRefused(_("Choose at least one of the body's published items."))
    for item in items:
        if item.body_id != body.pk:
            raise AssessmentRefused(_("Item %(code)s is not of this body.") % {"code": item.code})
        try:
            item.assert_plannable()
        except ItemNotPublished:
            raise AssessmentRefused(
                _("Item %(code)s is not published: 清单之外无检查.") % {"code": item.code}
            ) from None


def _check_application(app: Application, today: dt.date) -> None:
    if app.kind not in (Kind.SPECIAL, Kind.AD_HOC):
        raise AssessmentRefused(_("Choose a special or an ad-hoc inspection."))
    required = {
        _("title"): app.title,
        _("cause"): app.cause,
        _("legal basis"): app.legal_basis,
        _("why it cannot be merged into a planned or joint visit"): app.why_not_joint,
        _("why nothing else can replace it"): app.why_not_replaced,
        _("expected burden"): app.burden,
    }
    missing = [str(label) for label, value in required.items() if not value.strip()]
    if missing:
        raise AssessmentRefused(_("Please state: %(fields)s.") % {"fields": "、".join(missing)})
    if app.window_end < app.window_start:
        raise AssessmentRefused(_("The window ends before it starts."))
    if app.window_end < today:
        raise AssessmentRefused(_("The window lies in the past."))
    if (app.window_end - app.window_start).days > MAX_WINDOW_DAYS:
        raise AssessmentRefused(_("A window is at most one year long."))


def do_file_assessment(
    *,
    actor: Actor,
    by: User,
    body: Body,
    app: Application,
    enterprises: Sequence[Enterprise],
    items: Sequence[Item],
) -> Assessment:
    """File the assessment of a special or ad-hoc inspection for the approver."""
    _check_application(app, timezone.localdate())
    _check_items(body, items)
    unique = list({e.pk: e for e in enterprises}.values())
    if not unique:
        raise AssessmentRefused(_("Name at least one enterprise."))
    if len(unique) > MAX_ENTERPRISES:
        raise AssessmentRefused(
            _("At most %(n)s enterprises in one assessment.") % {"n": MAX_ENTERPRISES}
        )
    with transaction.atomic():
        assessment = Assessment.objects.create(
            body=body,
            kind=app.kind,
            title=app.title.strip(),
            cause=app.cause.strip(),
            legal_basis=app.legal_basis.strip(),
            why_not_joint=app.why_not_joint.strip(),
            why_not_replaced=app.why_not_replaced.strip(),
            burden=app.burden.strip(),
            window_start=app.window_start,
            window_end=app.window_end,
            filed_by=by,
        )
        assessment.items.set(items)
        Target.objects.bulk_create(Target(assessment=assessment, enterprise=e) for e in unique)
        record(
            actor=actor,
            action="file",
            obj=assessment,
            changes={
                **snapshot(assessment),
                "items": [i.code for i in items],
                "enterprises": [e.uscc for e in unique],
            },
        )
    return assessment


def do_assess_emergency(
    *, actor: Actor, by: User, visit: Visit, legal_basis: str, why_urgent: str, burden: str
) -> Assessment:
    """The assessment an emergency visit owes afterwards; it goes to the approver like any."""
    if visit.origin != Visit.Origin.EMERGENCY:
        raise AssessmentRefused(_("Only an emergency visit is assessed afterwards."))
    if visit.assessment_id is not None:
        raise AssessmentRefused(_("This visit has been assessed already."))
    if not legal_basis.strip() or not why_urgent.strip():
        raise AssessmentRefused(
            _("State the legal basis and why the visit could not wait for an approval.")
        )
    with transaction.atomic():
        assessment = Assessment.objects.create(
            body=visit.lead_body,
            kind=Kind.EMERGENCY,
            title=_("Emergency visit of %(day)s") % {"day": visit.date.isoformat()},
            cause=visit.cause,
            legal_basis=legal_basis.strip(),
            why_not_joint=why_urgent.strip(),
            why_not_replaced=why_urgent.strip(),
            burden=burden.strip(),
            window_start=visit.date,
            window_end=visit.date,
            filed_by=by,
        )
        assessment.items.set(visit.items.all())
        Target.objects.create(assessment=assessment, enterprise=visit.enterprise)
        visit.assessment = assessment
        visit.save(update_fields=["assessment"])
        record(
            actor=actor,
            action="assess_after",
            obj=assessment,
            changes={**snapshot(assessment), "visit": visit.pk},
        )
    return assessment


def decision_snapshot(assessment: Assessment, approved: list[str]) -> dict[str, object]:
    """What the decision says, as the approver made it: frozen with the decision."""
    return {
        "decision": assessment.status,
        "title": assessment.title,
        "body": assessment.body.name,
        "items": sorted(assessment.items.values_list("code", flat=True)),
        "window": [assessment.window_start.isoformat(), assessment.window_end.isoformat()],
        "approved": sorted(approved) if assessment.status == Assessment.Status.APPROVED else [],
        "reason": assessment.decision_reason,
        "decided_by": str(assessment.decided_by),
    }


def do_decide_assessment(
    *,
    actor: Actor,
    by: User,
    assessment: Assessment,
    approve: bool,
    keep: Collection[int],
    reason: str,
) -> Assessment:
    """Approve (all the enterprises, or only those in `keep`: narrowing needs a reason) or
    refuse (with a reason)."""
    if assessment.decided:
        raise AssessmentRefused(_("This assessment has been decided already."))
    targets = list(assessment.targets.select_related("enterprise"))
    kept = [t for t in targets if t.enterprise_id in keep]
    narrowed = approve and len(kept) < len(targets)
    if approve and not kept:
        raise AssessmentRefused(_("Keep at least one enterprise, or refuse."))
    if (not approve or narrowed) and not reason.strip():
        raise AssessmentRefused(_("A refusal or a narrowed list is decided with reasons."))
    with transaction.atomic():
        if narrowed:
            Target.objects.filter(assessment=assessment).exclude(
                pk__in=[t.pk for t in kept]
            ).update(approved=False)
        assessment.status = Assessment.Status.APPROVED if approve else Assessment.Status.REFUSED
        assessment.decided_by = by
        assessment.decided_at = timezone.now()
        assessment.decision_reason = reason.strip()
        assessment.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        do_freeze(
            actor=actor,
            by=by,
            obj=assessment,
            kind=VersionKind.APPROVAL,
            snapshot=decision_snapshot(assessment, [t.enterprise.uscc for t in kept]),
        )
        record(
            actor=actor,
            action="approve" if approve else "refuse",
            obj=assessment,
            changes={
                "reason": reason.strip(),
                "struck": sorted(t.enterprise.uscc for t in targets if t not in kept)
                if narrowed
                else [],
            },
        )
    return assessment
