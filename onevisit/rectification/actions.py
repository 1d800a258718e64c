"""Writes of a rectification's life: opened from a finding, evidence from the enterprise,
verification by the body (documents, or an on-site re-check exempt from the cap), close-out
(销号) or reopening as not fixed, and the escalation ladder."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record
from onevisit.lib.uploads import DOCX, PDF, PHOTOS, XLSX, TooManyPixels, sniff, too_many_pixels
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind
from onevisit.rectification.models import (
    REMIND_WORKING_DAYS,
    SUPERVISOR_AFTER_WORKING_DAYS,
    Event,
    Evidence,
    Rectification,
)
from onevisit.registry.models import Body
from onevisit.workdays.actions import copy_tracking, track_deadline
from onevisit.workdays.calendar import add_working_days, working_deadline

MAX_EVIDENCE_FILES = 5
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = PHOTOS | {PDF, DOCX, XLSX}


class RectificationRefused(Exception):
    """A step that breaks a rule; the message says which."""


def _event(rect: Rectification, status: str, note: str, by: User | None) -> None:
    Event.objects.create(rectification=rect, status=status, note=note, by=by)


def do_open_rectification(*, actor: Actor, finding: object) -> Rectification:
    """Every finding opens one: guidance from its check point, the deadline by severity."""
    from onevisit.inspections.models import Finding

    assert isinstance(finding, Finding)
    visit = finding.visit
    rect = Rectification.objects.create(
        finding=finding,
        enterprise=visit.enterprise,
        unit_name=visit.enterprise.name,
        body=finding.body,
        found_on=visit.date,
        severity=finding.severity,
        problem=finding.description,
        measure=finding.point.guidance,
        responsible=visit.enterprise_signed_by,
        deadline=finding.rectify_by,
    )
    copy_tracking(finding, "rectify_by", rect, "deadline")
    _event(rect, rect.status, _("Opened from the visit of %(day)s.") % {"day": visit.date}, None)
    record(actor=actor, action="open", obj=rect, changes={"finding": finding.pk})
    return rect


def file_type(name: str, data: bytes) -> str:
    """Photos, PDF and Office documents, judged by their content."""
    try:
        kind = sniff(name, data)
    except TooManyPixels as error:
        raise RectificationRefused(too_many_pixels(error)) from None
    if kind not in EVIDENCE_TYPES:
        raise RectificationRefused(
            _("%(name)s: only photos (JPEG, PNG, WebP), PDF, Word (.docx) or Excel (.xlsx).")
            % {"name": name}
        )
    return kind


def _checked(files: Sequence[UploadedFile]) -> list[tuple[str, bytes, str]]:
    if len(files) > MAX_EVIDENCE_FILES:
        raise RectificationRefused(_("At most %(n)s files.") % {"n": MAX_EVIDENCE_FILES})
    checked = []
    for upload in files:
        if (upload.size or 0) > MAX_EVIDENCE_BYTES:
            raise RectificationRefused(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
        data = upload.read()
        name = str(upload.name)[:200]
        checked.append((name, data, file_type(name, data)))
    return checked


def do_submit_evidence(
    *,
    actor: Actor,
    rect: Rectification,
    by: User,
    text: str,
    files: Sequence[UploadedFile] = (),
    on_paper: bool = False,
) -> Rectification:
    """自证: the enterprise says what it did and proves it, online or on paper handed to the body
    (whose staff then records it, marked as such)."""
    if rect.status not in (Rectification.Status.OPEN, Rectification.Status.REOPENED):
        raise RectificationRefused(_("Evidence is submitted while the rectification is open."))
    if not text.strip():
        raise RectificationRefused(_("Say what was done."))
    if on_paper:
        text = _("Handed in on paper: %(text)s") % {"text": text.strip()}
    checked = _checked(files)
    with transaction.atomic():
        for name, data, content_type in checked or [("", b"", "")]:
            evidence = Evidence(rectification=rect, text=text.strip(), submitted_by=by)
            if data:
                digest = hashlib.sha256(data).hexdigest()
                evidence.file_name, evidence.sha256, evidence.content_type = (
                    name,
                    digest,
                    content_type,
                )
                evidence.file.save(digest[:32], ContentFile(data), save=False)
            evidence.save()
        rect.status = Rectification.Status.SUBMITTED
        rect.save(update_fields=["status", "updated"])
        _event(rect, rect.status, text.strip()[:500], by)
        record(
            actor=actor,
            action="evidence",
            obj=rect,
            changes={"files": len(checked), "on_paper": on_paper},
        )
    return rect


def do_plan_recheck(*, actor: Actor, rect: Rectification, by: User) -> Rectification:
    """Schedule the on-site re-check (复查) before or after the evidence arrives: a task of the
    body, exempt from the annual cap."""
    if rect.status == Rectification.Status.CLOSED:
        raise RectificationRefused(_("A closed-out rectification needs no re-check."))
    if rect.recheck_task is not None:
        raise RectificationRefused(_("A re-check is already planned."))
    if rect.enterprise is None:
        raise RectificationRefused(_("A site without an enterprise is re-checked by documents."))
    with transaction.atomic():
        _plan_recheck(actor, rect)
        _event(rect, rect.status, _("On-site re-check planned."), by)
        record(actor=actor, action="plan_recheck", obj=rect, changes={"task": rect.recheck_task_id})
    return rect


@dataclass(frozen=True)
class Check:
    method: str  # documents or onsite
    passed: bool
    note: str
    reopen_working_days: int = 10


def do_verify_rectification(
    *, actor: Actor, rect: Rectification, by: User, check: Check
) -> Rectification:
    """The body checks the evidence. An on-site re-check first becomes a re-check task (exempt
    from the annual cap); its outcome is recorded by verifying again."""
    if rect.status != Rectification.Status.SUBMITTED:
        raise RectificationRefused(_("Only submitted evidence is verified."))
    if check.method not in Rectification.Verification.values:
        raise RectificationRefused(_("Choose document review or an on-site re-check."))
    if not check.note.strip():
        raise RectificationRefused(_("Note what the check found."))
    with transaction.atomic():
        if check.method == Rectification.Verification.ONSITE and rect.recheck_task is None:
            if rect.enterprise is None:
                raise RectificationRefused(
                    _("A site without an enterprise is re-checked by documents.")
                )
            _plan_recheck(actor, rect)
            _event(rect, rect.status, check.note.strip(), by)
            record(
                actor=actor, action="plan_recheck", obj=rect, changes={"task": rect.recheck_task_id}
            )
            return rect
        if not check.passed:
            return _reopen(actor, rect, by, check.note, check.reopen_working_days)
        rect.status = Rectification.Status.VERIFIED
        rect.verification = check.method
        rect.verified_by = by
        rect.save(update_fields=["status", "verification", "verified_by", "updated"])
        _event(rect, rect.status, check.note.strip(), by)
        record(actor=actor, action="verify", obj=rect, changes={"method": check.method})
    return rect


def _plan_recheck(actor: Actor, rect: Rectification) -> None:
    assert rect.enterprise is not None
    items = []
    if rect.finding is not None:
        items = [rect.finding.point.item]
    if not items:
        raise RectificationRefused(_("Without its finding's item, re-check by documents."))
    today = timezone.localdate()
    rect.recheck_task = do_create_task(
        actor=actor,
        enterprise=rect.enterprise,
        body=rect.body,
        kind=Kind.RECHECK,
        start=today,
        end=add_working_days(today, 10),
        items=items,
        cause=f"整改复查：{rect.problem[:80]}",
    )
    rect.save(update_fields=["recheck_task", "updated"])


def _reopen(actor: Actor, rect: Rectification, by: User, reason: str, days: int) -> Rectification:
    if not reason.strip():
        raise RectificationRefused(_("Say what is not fixed."))
    today = timezone.localdate()
    before = rect.deadline
    rect.status = Rectification.Status.REOPENED
    deadline = working_deadline(today, max(1, days))
    rect.deadline = deadline.date
    rect.closed_on = None
    rect.reminded_at = rect.escalated_body_at = rect.escalated_supervisor_at = None
    rect.save()
    track_deadline(rect, "deadline", deadline)
    _event(rect, rect.status, reason.strip(), by)
    record(actor=actor, action="reopen", obj=rect, changes={"deadline": [before, rect.deadline]})
    return rect


def do_reopen_rectification(
    *, actor: Actor, rect: Rectification, by: User, reason: str, working_days: int = 10
) -> Rectification:
    """Not fixed after all (also after a close-out): a new deadline and the reason."""
    if rect.status in (Rectification.Status.OPEN, Rectification.Status.REOPENED):
        raise RectificationRefused(_("The rectification is open already."))
    with transaction.atomic():
        return _reopen(actor, rect, by, reason, working_days)


def do_close_out(*, actor: Actor, rect: Rectification, by: User) -> Rectification:
    """销号: only with the enterprise's evidence and the body's verification."""
    if rect.status != Rectification.Status.VERIFIED:
        raise RectificationRefused(_("Close out only after the body has verified the evidence."))
    if not rect.evidence.exists():
        raise RectificationRefused(_("Close out only with the enterprise's evidence."))
    with transaction.atomic():
        rect.status = Rectification.Status.CLOSED
        rect.closed_on = timezone.localdate()
        rect.save(update_fields=["status", "closed_on", "updated"])
        _event(rect, rect.status, _("Closed out."), by)
        record(actor=actor, action="close_out", obj=rect, changes={"closed_on": rect.closed_on})
    return rect


@dataclass
class Ladder:
    reminded: int = 0
    to_body: int = 0
    to_supervisor: int = 0


def do_escalate_rectifications(*, today: dt.date) -> Ladder:
    """The daily ladder: remind the enterprise before the deadline, tell the body's admin when
    it passes, and the supervisor (as a warning) when it is long overdue. Each step once."""
    from onevisit.oversight.actions import raise_overdue_rectification

    ladder = Ladder()
    now = timezone.now()
    actor = Actor.system("rectification")
    with transaction.atomic():
        open_ones = Rectification.objects.awaiting_enterprise().select_related("enterprise")
        soon = add_working_days(today, REMIND_WORKING_DAYS)
        for rect in open_ones.filter(
            reminded_at__isnull=True, deadline__lte=soon, deadline__gte=today
        ):
            rect.reminded_at = now
            rect.save(update_fields=["reminded_at"])
            _event(
                rect,
                rect.status,
                _("Reminder: the deadline is %(day)s.") % {"day": rect.deadline},
                None,
            )
            ladder.reminded += 1
        for rect in open_ones.filter(escalated_body_at__isnull=True, deadline__lt=today):
            rect.escalated_body_at = now
            rect.save(update_fields=["escalated_body_at"])
            _event(rect, rect.status, _("Overdue: passed to the body's admin."), None)
            ladder.to_body += 1
        for rect in open_ones.filter(escalated_supervisor_at__isnull=True, deadline__lt=today):
            if add_working_days(rect.deadline, SUPERVISOR_AFTER_WORKING_DAYS) >= today:
                continue
            rect.escalated_supervisor_at = now
            rect.save(update_fields=["escalated_supervisor_at"])
            _event(rect, rect.status, _("Long overdue: passed to the supervisor."), None)
            raise_overdue_rectification(rect)
            ladder.to_supervisor += 1
        if ladder.reminded or ladder.to_body or ladder.to_supervisor:
            record(
                actor=actor,
                action="escalate",
                object_type="rectification.ladder",
                changes=vars(ladder),
            )
    return ladder


def rectification_counts(enterprise_ids: Sequence[int], body: Body) -> dict[int, dict[str, int]]:
    """Open and overdue rectifications per enterprise, for the body's risk tiers."""
    today = timezone.localdate()
    late = Q(status__in=[Rectification.Status.OPEN, Rectification.Status.REOPENED])
    rows = (
        Rectification.objects.open()
        .filter(enterprise_id__in=enterprise_ids, body=body)
        .values_list("enterprise_id")
        .annotate(n=Count("id"), late=Count("id", filter=late & Q(deadline__lt=today)))
    )
    return {e: {"open_rectifications": n, "overdue_rectifications": late} for e, n, late in rows}
