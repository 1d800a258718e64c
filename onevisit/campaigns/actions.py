"""Writes of the 淘汰落后产能 campaign: proof of dismantling, close-out (销号), binding a monitor,
and the "零复活" check that turns any sign of a retired unit running into an alert."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record
from onevisit.campaigns.models import (
    Campaign,
    RetirementUnit,
    SiteCheck,
    SitePoint,
    SiteResult,
    SupervisionGroup,
    Target,
)
from onevisit.monitoring.actions import open_alert
from onevisit.monitoring.models import Alert, Device, Reading
from onevisit.rectification.actions import MAX_EVIDENCE_BYTES, RectificationRefused, file_type
from onevisit.rectification.models import Event, Rectification, working_days_for
from onevisit.workdays.actions import track_deadline
from onevisit.workdays.calendar import working_deadline


class CampaignRefused(Exception):
    pass


def do_record_dismantling(
    *, actor: Actor, unit: RetirementUnit, note: str, proof: UploadedFile | None
) -> RetirementUnit:
    """The enterprise (or the body on site) proves the unit is dismantled: a note and a photo,
    PDF or document."""
    if unit.status != RetirementUnit.Status.PLANNED:
        raise CampaignRefused(_("Proof is recorded once, while the unit is still to retire."))
    if not note.strip() or proof is None:
        raise CampaignRefused(_("Describe the dismantling and attach the proof."))
    if (proof.size or 0) > MAX_EVIDENCE_BYTES:
        raise CampaignRefused(_("%(name)s is larger than 10 MB.") % {"name": proof.name})
    data = proof.read()
    try:
        file_type(str(proof.name), data)
    except RectificationRefused as refused:
        raise CampaignRefused(str(refused)) from None
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        unit.proof.save(digest[:32], ContentFile(data), save=False)
        unit.proof_sha256 = digest
        unit.proof_note = note.strip()
        unit.dismantled_on = timezone.localdate()
        unit.status = RetirementUnit.Status.DISMANTLED
        unit.save()
        record(actor=actor, action="dismantle", obj=unit, changes={"proof_sha256": digest})
    return unit


def do_close_unit(*, actor: Actor, unit: RetirementUnit) -> RetirementUnit:
    """销号 by the lead body, only on proof."""
    if unit.status != RetirementUnit.Status.DISMANTLED or not unit.proof_sha256:
        raise CampaignRefused(_("Close out only a dismantled unit with its proof."))
    with transaction.atomic():
        unit.status = RetirementUnit.Status.CLOSED
        unit.closed_on = timezone.localdate()
        unit.save(update_fields=["status", "closed_on"])
        record(actor=actor, action="close_out", obj=unit, changes={"closed_on": unit.closed_on})
    return unit


def do_bind_device(*, actor: Actor, unit: RetirementUnit, device: Device) -> RetirementUnit:
    """Watch a retired unit with a monitor of the same enterprise; its alerts go to the
    campaign's lead body unless the device already has a responsible body."""
    if device.enterprise_id != unit.enterprise_id:
        raise CampaignRefused(_("The device belongs to another enterprise."))
    with transaction.atomic():
        unit.device = device
        unit.save(update_fields=["device"])
        if device.body_id is None:
            device.body = unit.campaign.lead_body
            device.save(update_fields=["body"])
        record(actor=actor, action="bind_device", obj=unit, changes={"device": device.mn})
    return unit


def check_revived_units(since: dt.datetime) -> int:
    """零复活: a device on a dismantled or closed-out unit that reports running (an equipment
    state `RS` above 0) or power above the unit's threshold opens a 复活 alert."""
    opened = 0
    watched = RetirementUnit.objects.filter(
        device__isnull=False,
        status__in=[RetirementUnit.Status.DISMANTLED, RetirementUnit.Status.CLOSED],
    ).select_related("device")
    for unit in watched:
        assert unit.device is not None
        signs = Reading.objects.filter(device=unit.device, data_time__gte=since).filter(
            Q(kind="RS", value__gt=0)
            | Q(factor="P", kind="Rtd", value__gt=float(unit.power_threshold_kw))
        )
        for reading in signs.order_by("data_time").iterator(chunk_size=1000):
            limit = 0.0 if reading.kind == "RS" else float(unit.power_threshold_kw)
            opened += open_alert(unit.device, Alert.Kind.REVIVED, reading.factor, reading, limit)
    return opened


@dataclass(frozen=True)
class Totals:
    """What the city reports: enterprises, production lines and units (台/套) retired."""

    enterprises: int  # whose whole 一企一策 list is closed out
    enterprises_started: int  # with at least one unit closed out
    enterprises_listed: int
    lines: int
    units: int
    planned_units: int
    overdue: int


def retirement_totals(campaign: Campaign, today: dt.date) -> Totals:
    units_of = RetirementUnit.objects.filter(campaign=campaign)
    closed = units_of.filter(status=RetirementUnit.Status.CLOSED)
    figures = closed.aggregate(
        enterprises=Count("enterprise", distinct=True),
        lines=Sum("count", filter=Q(kind=RetirementUnit.Kind.LINE)),
        units=Sum("count", filter=Q(kind=RetirementUnit.Kind.EQUIPMENT)),
    )
    pending = units_of.exclude(status=RetirementUnit.Status.CLOSED)
    listed = units_of.values("enterprise").distinct().count()
    unfinished = pending.values("enterprise").distinct().count()
    return Totals(
        enterprises=listed - unfinished,
        enterprises_started=figures["enterprises"] or 0,
        enterprises_listed=listed,
        lines=figures["lines"] or 0,
        units=figures["units"] or 0,
        planned_units=pending.aggregate(n=Sum("count"))["n"] or 0,
        overdue=pending.filter(deadline__lt=today).count(),
    )


@dataclass(frozen=True)
class SiteFinding:
    """One point's outcome; a problem names what is wrong, who fixes it and within how long."""

    point: SitePoint
    outcome: str
    problem: str = ""
    severity: str = "general"


def do_record_site_check(
    *,
    actor: Actor,
    target: Target,
    group: SupervisionGroup,
    by: User,
    findings: list[SiteFinding],
    note: str = "",
    entered_at: dt.datetime | None = None,
) -> SiteCheck:
    """A supervision group's check of a target, made while the campaign runs: every point of its
    site type answered; each problem goes into the campaign's ledger with the responsible unit
    and a deadline counted from the day of the check."""
    campaign = target.campaign
    entered_at = entered_at or timezone.now()
    day = timezone.localdate(entered_at)
    if not campaign.starts <= day <= campaign.ends:
        raise CampaignRefused(
            _("The campaign runs from %(starts)s to %(ends)s: no check on %(day)s.")
            % {"starts": campaign.starts, "ends": campaign.ends, "day": day}
        )
    if target.site_type is None:
        raise CampaignRefused(_("This target has no site type, so no checklist."))
    expected = set(target.site_type.points.values_list("pk", flat=True))
    if {f.point.pk for f in findings} != expected:
        raise CampaignRefused(_("Answer every point of the checklist, and only those."))
    for finding in findings:
        if finding.outcome not in SiteResult.Outcome.values:
            raise CampaignRefused(_("Each point is 无问题, 有问题 or 不适用."))
        if finding.outcome == SiteResult.Outcome.PROBLEM and not finding.problem.strip():
            raise CampaignRefused(
                _("Describe the problem at %(point)s.") % {"point": finding.point.content}
            )
    with transaction.atomic():
        check = SiteCheck.objects.create(
            target=target, group=group, entered_at=entered_at, by=by, note=note.strip()
        )
        for finding in findings:
            rect = None
            if finding.outcome == SiteResult.Outcome.PROBLEM:
                deadline = working_deadline(
                    day, working_days_for(campaign.lead_body_id, finding.severity)
                )
                rect = Rectification.objects.create(
                    enterprise=target.enterprise,
                    unit_name=target.responsible_unit or target.name,
                    body=campaign.lead_body,
                    campaign=campaign.name,
                    found_on=day,
                    severity=finding.severity,
                    problem=f"{target.name}：{finding.point.content} — {finding.problem.strip()}",
                    responsible=target.responsible_person,
                    deadline=deadline.date,
                )
                track_deadline(rect, "deadline", deadline)
                Event.objects.create(
                    rectification=rect,
                    status=rect.status,
                    note=_("Found by %(group)s.") % {"group": group.name},
                    by=by,
                )
            SiteResult.objects.create(
                check_run=check, point=finding.point, outcome=finding.outcome, rectification=rect
            )
        record(
            actor=actor,
            action="site_check",
            obj=target,
            changes={
                "group": group.name,
                "problems": sum(f.outcome == "problem" for f in findings),
            },
        )
    return check
