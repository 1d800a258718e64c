"""Writes of the visit's life: register (with its code), reschedule, check in, record the
checklist, sign, close (documents, recognition), evaluate and complain."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.assessments.models import Assessment
from onevisit.audit.actions import Actor, record, snapshot
from onevisit.catalog.models import CheckPoint, Item, ItemNotPublished
from onevisit.inspections import tokens
from onevisit.inspections.keyring import signer
from onevisit.inspections.models import (
    EVALUATION_DAYS,
    LATE_REGISTRATION_DAYS,
    Complaint,
    DocumentSequence,
    Evaluation,
    Finding,
    InspectionCode,
    Photo,
    PointResult,
    SlotProposal,
    TeamConfirmation,
    Visit,
    code_snapshot,
)
from onevisit.lib.receipts import new_secret, receipt_number
from onevisit.lib.uploads import PHOTOS, TooManyPixels, sniff, too_many_pixels
from onevisit.planning.models import DoorLimit, Kind, PlannedVisit, Task
from onevisit.rectification.models import working_days_for
from onevisit.registry.models import Body, Enterprise, Inspector, NotCertified
from onevisit.workdays.actions import track_deadline
from onevisit.workdays.calendar import is_working_day, working_deadline

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS_PER_POINT = 6


class VisitRefused(Exception):
    """A write that would break a rule; the message says which, in the user's language."""


@dataclass(frozen=True)
class Registration:
    """What a body tells the platform before a visit."""

    enterprise: Enterprise
    lead_body: Body
    date: dt.date
    inspectors: Sequence[Inspector]
    tasks: Sequence[Task] = ()
    items: Sequence[Item] = ()
    purpose: str = Visit.Purpose.INSPECTION
    origin: str = ""
    cause: str = ""
    unannounced_reason: str = ""
    late_reason: str = ""
    planned_visit: PlannedVisit | None = None


def _unplanned_items(reg: Registration) -> set[int]:
    """Items the visit checks that none of its tasks brings: what makes it special or ad hoc."""
    planned = {item.pk for task in reg.tasks for item in task.items.all()}
    return {item.pk for item in reg.items} - planned


def _origin(reg: Registration) -> str:
    if reg.purpose != Visit.Purpose.INSPECTION:
        return Visit.Origin.OTHER
    if reg.origin == Visit.Origin.EMERGENCY:
        return reg.origin
    if _unplanned_items(reg):  # whatever origin the caller claims: 事前评估 applies
        return Visit.Origin.SPECIAL
    if reg.origin:
        return reg.origin
    if any(t.kind == Kind.TRIGGERED for t in reg.tasks):
        return Visit.Origin.TRIGGERED
    if reg.tasks and all(t.draw_id for t in reg.tasks):
        return Visit.Origin.DRAWN
    return Visit.Origin.PLANNED


def _check_tasks(reg: Registration) -> None:
    for task in reg.tasks:
        if task.enterprise_id != reg.enterprise.pk:
            raise VisitRefused(_("A task of another enterprise cannot join this visit."))
        if task.status != Task.Status.OPEN:
            raise VisitRefused(_("Task %(task)s is not open.") % {"task": task.pk})
        if not reg.late_reason and not task.window_start <= reg.date <= task.window_end:
            raise VisitRefused(
                _("%(date)s lies outside the window of task %(task)s (%(start)s to %(end)s).")
                % {
                    "date": reg.date,
                    "task": task.pk,
                    "start": task.window_start,
                    "end": task.window_end,
                }
            )


def _check_date(reg: Registration, origin: str, today: dt.date) -> None:
    if reg.date >= today:
        if reg.late_reason:
            raise VisitRefused(_("Only a visit that already happened is registered late."))
        return
    if origin != Visit.Origin.EMERGENCY or not reg.late_reason.strip():
        raise VisitRefused(
            _(
                "A visit is registered before it happens; only an emergency visit may be "
                "registered afterwards, with the reason."
            )
        )
    if (today - reg.date).days > LATE_REGISTRATION_DAYS:
        raise VisitRefused(
            _("An emergency visit must be registered within %(days)s days.")
            % {"days": LATE_REGISTRATION_DAYS}
        )


def _check_team(reg: Registration, bodies: set[int]) -> None:
    if len({i.pk for i in reg.inspectors}) < (2 if reg.purpose == Visit.Purpose.INSPECTION else 1):
        raise VisitRefused(_("An inspection needs at least two certified inspectors."))
    for inspector in reg.inspectors:
        try:
            inspector.assert_can_inspect(reg.date)
        except NotCertified:
            raise VisitRefused(
                _("%(name)s has no valid certificate on %(date)s.")
                % {"name": inspector.name, "date": reg.date}
            ) from None
        if inspector.body_id not in bodies:
            raise VisitRefused(
                _("%(name)s belongs to none of the visit's bodies.") % {"name": inspector.name}
            )


def _check_door(reg: Registration, bodies: set[int], origin: str) -> None:
    """进一次门: no more bodies and inspectors on one visit than the city allows (an emergency
    brings whom it needs)."""
    if origin == Visit.Origin.EMERGENCY:
        return
    limit = DoorLimit.objects.for_city(reg.enterprise.district.city_code())
    if len(bodies) > limit.max_bodies:
        raise VisitRefused(
            _(
                "At most %(limit)s bodies come on one visit (the city's limit at the door); this "
                "one brings %(n)s. Register the other checks on another day, or replace them by "
                "recognising results or by monitoring."
            )
            % {"limit": limit.max_bodies, "n": len(bodies)}
        )
    team = {inspector.pk for inspector in reg.inspectors}
    if len(team) > limit.max_inspectors:
        raise VisitRefused(
            _(
                "At most %(limit)s inspectors come to the door (the city's limit); this team "
                "has %(n)s."
            )
            % {"limit": limit.max_inspectors, "n": len(team)}
        )


def _check_one_level(
    reg: Registration, items: list[Item], origin: str, assessment: Assessment | None
) -> None:
    """One level of each system per matter: a city and a county body of one system do not both
    check an enterprise for the same item, in one visit or while the other's result is
    recognised (the item's recognition window), unless a 事前评估 gives the reason."""
    if assessment is not None or origin in (Visit.Origin.TRIGGERED, Visit.Origin.EMERGENCY):
        return
    if reg.purpose != Visit.Purpose.INSPECTION:
        return
    seen: dict[tuple[str, str], Item] = {}
    for item in items:
        key = (item.body.system_code(), item.code)
        other = seen.setdefault(key, item)
        if other.body_id != item.body_id:
            raise VisitRefused(
                _(
                    "%(first)s and %(second)s are two levels of one system: only one of them "
                    "checks %(code)s in a visit, and its result is recognised for the other."
                )
                % {"first": other.body.name, "second": item.body.name, "code": item.code}
            )
    links = (
        Visit.items.through.objects.filter(
            visit__enterprise=reg.enterprise,
            visit__date__lte=reg.date,
            visit__purpose=Visit.Purpose.INSPECTION,
            item__code__in=[item.code for item in items],
        )
        .exclude(visit__status=Visit.Status.CANCELLED)
        .exclude(visit__origin__in=[Visit.Origin.TRIGGERED, Visit.Origin.EMERGENCY])
        .exclude(item__body_id__in={item.body_id for item in items})
        .select_related("visit", "item__body")
        .order_by("-visit__date")
    )
    mine = {(item.body.system_code(), item.code): item for item in items}
    for link in links:
        other = link.item
        same = mine.get((other.body.system_code(), other.code))
        if same is not None and (reg.date - link.visit.date).days < same.recognition_days:
            raise VisitRefused(
                _(
                    "%(other)s, of the same system at another level, checked %(code)s here "
                    "on %(day)s; its result stands for %(days)s days. Recognise it, or file a "
                    "事前评估 that gives the reason to check again."
                )
                % {
                    "other": other.body.name,
                    "code": other.code,
                    "day": link.visit.date.isoformat(),
                    "days": same.recognition_days,
                }
            )


def _check_team_covers_items(reg: Registration, items: list[Item]) -> None:
    """The team rule of a joint inspection (README, "Who may form a team"): an inspector of
    every body whose items are checked, and none of a body that checks nothing in the visit."""
    if reg.purpose != Visit.Purpose.INSPECTION:
        return
    checking = {item.body_id for item in items}
    present = {inspector.body_id for inspector in reg.inspectors}
    for item in items:
        if item.body_id not in present:
            raise VisitRefused(
                _("Item %(code)s needs an inspector of its own body in the team.")
                % {"code": item.code}
            )
    for inspector in reg.inspectors:
        if inspector.body_id not in checking:
            raise VisitRefused(
                _("%(name)s's body checks no item in this visit, so they cannot be on the team.")
                % {"name": inspector.name}
            )


def _items_of(reg: Registration, bodies: set[int]) -> list[Item]:
    items = {i.pk: i for i in reg.items}
    for task in reg.tasks:
        for item in task.items.all():
            items[item.pk] = item
    for item in items.values():
        try:
            item.assert_plannable()
        except ItemNotPublished:
            raise VisitRefused(
                _("Item %(code)s is not published: 清单之外无检查.") % {"code": item.code}
            ) from None
        if item.body_id not in bodies:
            raise VisitRefused(_("Item %(code)s is not of a visiting body.") % {"code": item.code})
    if reg.purpose == Visit.Purpose.INSPECTION and not items:
        raise VisitRefused(_("An inspection checks at least one published item."))
    if reg.purpose != Visit.Purpose.INSPECTION and items:
        raise VisitRefused(_("A survey or publicity visit checks no items."))
    return list(items.values())


def _approval(reg: Registration, origin: str) -> Assessment | None:
    """事前评估: a special or ad-hoc inspection needs an approved assessment of its body that
    names the enterprise, covers the day and lists every item checked outside a task."""
    if origin != Visit.Origin.SPECIAL:
        return None
    unplanned = _unplanned_items(reg)
    for assessment in Assessment.objects.covering(reg.lead_body, reg.enterprise, reg.date):
        if unplanned <= set(assessment.items.values_list("pk", flat=True)):
            return assessment
    raise VisitRefused(
        _(
            "An inspection outside the plans (special or ad hoc) needs an approved prior "
            "assessment (事前评估) that names this enterprise, covers %(date)s and lists the "
            "items. File one under 事前评估, or register an emergency."
        )
        % {"date": reg.date}
    )


def do_register_visit(*, actor: Actor, by: User | None, reg: Registration) -> Visit:
    """Register a visit and issue its code; every rule is checked before anything is written."""
    today = timezone.localdate()
    origin = _origin(reg)
    if origin == Visit.Origin.TRIGGERED and not reg.cause.strip():
        # a triggered task brings its own cause (the tip, the alert, the referral)
        brought = "；".join(t.cause for t in reg.tasks if t.kind == Kind.TRIGGERED and t.cause)
        reg = replace(reg, cause=brought)
    if origin in (Visit.Origin.TRIGGERED, Visit.Origin.EMERGENCY) and not reg.cause.strip():
        raise VisitRefused(_("A triggered or emergency visit records its cause."))
    assessment = _approval(reg, origin)
    _check_date(reg, origin, today)
    _check_tasks(reg)
    bodies = {reg.lead_body.pk} | {t.body_id for t in reg.tasks}
    _check_team(reg, bodies)
    _check_door(reg, bodies, origin)
    items = _items_of(reg, bodies)
    _check_team_covers_items(reg, items)
    _check_one_level(reg, items, origin, assessment)
    with transaction.atomic():
        visit = Visit.objects.create(
            enterprise=reg.enterprise,
            lead_body=reg.lead_body,
            purpose=reg.purpose,
            origin=origin,
            date=reg.date,
            cause=reg.cause.strip() or (assessment.cause if assessment else ""),
            unannounced=bool(reg.unannounced_reason.strip()),
            unannounced_reason=reg.unannounced_reason.strip(),
            registered_late=bool(reg.late_reason.strip()),
            late_reason=reg.late_reason.strip(),
            planned_visit=reg.planned_visit,
            assessment=assessment,
            created_by=by,
        )
        visit.bodies.set(bodies)
        visit.tasks.set(reg.tasks)
        visit.items.set(items)
        visit.inspectors.set(reg.inspectors)
        code = _issue_code(visit)
        record(
            actor=actor,
            action="register",
            obj=visit,
            changes={
                **snapshot(visit),
                "bodies": sorted(bodies),
                "tasks": [t.pk for t in reg.tasks],
                "items": [i.code for i in items],
                "inspectors": [i.certificate_number for i in reg.inspectors],
                "code": code.short_code,
            },
        )
    return visit


def _issue_code(visit: Visit) -> InspectionCode:
    snapshot = code_snapshot(
        visit,
        list(visit.bodies.all()),
        list(visit.inspectors.select_related("body")),
        list(visit.items.select_related("body")),
    )
    for _attempt in range(10):
        short = tokens.new_short_code()
        claim = tokens.Claim(visit.pk, visit.date, short)
        try:
            with transaction.atomic():
                key = signer()
                return InspectionCode.objects.create(
                    visit=visit,
                    short_code=short,
                    token=key.issue(claim),
                    suite=key.suite,
                    valid_on=visit.date,
                    snapshot=snapshot,
                )
        except IntegrityError:
            if InspectionCode.objects.filter(visit=visit, cancelled_at__isnull=True).exists():
                raise
    raise RuntimeError("could not draw a free short code")


def _cancel_code(visit: Visit, reason: str) -> None:
    visit.codes.filter(cancelled_at__isnull=True).update(
        cancelled_at=timezone.now(), cancel_reason=reason
    )


def do_schedule_planned_visit(
    *,
    actor: Actor,
    by: User | None,
    planned: PlannedVisit,
    date: dt.date,
    inspectors: Sequence[Inspector] | None = None,
    unannounced_reason: str = "",
) -> Visit:
    """Turn a planned (joint) visit of a planning run into a registered visit on one day."""
    if not planned.week_start <= date <= planned.week_start + dt.timedelta(days=6):
        raise VisitRefused(_("Choose a day of the planned week."))
    if planned.visits.exclude(status=Visit.Status.CANCELLED).exists():
        raise VisitRefused(_("This planned visit is registered already."))
    tasks = list(planned.tasks.filter(status=Task.Status.OPEN).prefetch_related("items"))
    if not tasks:
        raise VisitRefused(_("None of the planned checks is still open."))
    team = list(inspectors) if inspectors is not None else list(planned.inspectors.all())
    reg = Registration(
        enterprise=planned.enterprise,
        lead_body=planned.lead_body,
        date=date,
        inspectors=team,
        tasks=tasks,
        unannounced_reason=unannounced_reason,
        planned_visit=planned,
    )
    return do_register_visit(actor=actor, by=by, reg=reg)


def do_cancel_visit(*, actor: Actor, visit: Visit, reason: str) -> Visit:
    if visit.status != Visit.Status.SCHEDULED:
        raise VisitRefused(_("Only a scheduled visit can be cancelled."))
    if not reason.strip():
        raise VisitRefused(_("Say why the visit is cancelled."))
    with transaction.atomic():
        visit.status = Visit.Status.CANCELLED
        visit.cancel_reason = reason.strip()
        visit.save(update_fields=["status", "cancel_reason"])
        _cancel_code(visit, reason.strip())
        record(actor=actor, action="cancel", obj=visit, changes={"reason": reason.strip()})
    return visit


def do_propose_slot(
    *, actor: Actor, visit: Visit, by: User, date: dt.date, reason: str
) -> SlotProposal:
    """双向预约: the enterprise proposes another day within the visit's window."""
    today = timezone.localdate()
    if visit.status != Visit.Status.SCHEDULED or visit.unannounced:
        raise VisitRefused(_("Another day can be proposed only for an announced, scheduled visit."))
    window = visit.window()
    if window is None or not window[0] <= date <= window[1]:
        raise VisitRefused(_("The proposed day must lie within the visit's window."))
    if date <= today or date == visit.date:
        raise VisitRefused(_("Propose a later day than today, other than the current one."))
    if not is_working_day(date):
        raise VisitRefused(
            _("%(day)s is a weekend or a public holiday: propose a working day.")
            % {"day": date.isoformat()}
        )
    if not reason.strip():
        raise VisitRefused(_("Say why another day suits better."))
    if visit.proposals.filter(status=SlotProposal.Status.PENDING).exists():
        raise VisitRefused(_("A proposal is already waiting for an answer."))
    with transaction.atomic():
        proposal = SlotProposal.objects.create(
            visit=visit, proposed_date=date, reason=reason.strip(), proposed_by=by
        )
        record(actor=actor, action="propose", obj=visit, changes={"date": date})
    return proposal


def do_decide_proposal(
    *, actor: Actor, proposal: SlotProposal, by: User, accept: bool, answer: str = ""
) -> SlotProposal:
    """Accepting moves the visit and replaces its code (the old one stops working)."""
    if proposal.status != SlotProposal.Status.PENDING:
        raise VisitRefused(_("This proposal was answered already."))
    visit = proposal.visit
    if accept and visit.status != Visit.Status.SCHEDULED:
        raise VisitRefused(_("The visit is no longer scheduled."))
    if not accept and not answer.strip():
        raise VisitRefused(_("Say why the proposal is declined: the enterprise reads it."))
    with transaction.atomic():
        proposal.status = SlotProposal.Status.ACCEPTED if accept else SlotProposal.Status.DECLINED
        proposal.answer = answer.strip()
        proposal.decided_by = by
        proposal.save(update_fields=["status", "answer", "decided_by"])
        if accept:
            before = visit.date
            visit.date = proposal.proposed_date
            visit.save(update_fields=["date"])
            _cancel_code(visit, "rescheduled")
            _issue_code(visit)
            record(
                actor=actor,
                action="reschedule",
                obj=visit,
                changes={"date": [before, visit.date]},
            )
        else:
            record(actor=actor, action="decline", obj=visit, changes={"answer": answer})
    return proposal


def _same_uscc(given: str, enterprise: Enterprise) -> bool:
    return "".join(given.split()).upper() == enterprise.uscc


def do_check_in(*, actor: Actor, visit: Visit, by: User, uscc: str) -> Visit:
    """On arrival: the code must be valid today, and the enterprise the one on the licence."""
    today = timezone.localdate()
    if visit.status != Visit.Status.SCHEDULED:
        raise VisitRefused(_("This visit is not waiting for a check-in."))
    code = visit.current_code()
    if code is None or code.valid_on != today:
        raise VisitRefused(
            _("The code of this visit is valid on %(day)s, not today.")
            % {"day": code.valid_on if code else "—"}
        )
    if not _same_uscc(uscc, visit.enterprise):
        raise VisitRefused(
            _("The credit code given is not that of %(name)s: wrong enterprise?")
            % {"name": visit.enterprise.name}
        )
    with transaction.atomic():
        visit.status = Visit.Status.IN_PROGRESS
        visit.checked_in_at = timezone.now()
        visit.checked_in_by = by
        visit.save(update_fields=["status", "checked_in_at", "checked_in_by"])
        record(actor=actor, action="check_in", obj=visit, changes={"code": code.short_code})
    return visit


@dataclass(frozen=True)
class PointEntry:
    """One row of the joint checklist as the inspector fills it."""

    points: Sequence[CheckPoint]
    outcome: str
    note: str = ""
    severity: str = ""
    description: str = ""


def _checked_photos(photos: Sequence[UploadedFile]) -> list[tuple[bytes, str]]:
    if len(photos) > MAX_PHOTOS_PER_POINT:
        raise VisitRefused(_("At most %(n)s photos per point.") % {"n": MAX_PHOTOS_PER_POINT})
    checked = []
    for photo in photos:
        if (photo.size or 0) > MAX_PHOTO_BYTES:
            raise VisitRefused(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": photo.name, "mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            )
        data = photo.read()
        try:
            kind = sniff(str(photo.name), data)
        except TooManyPixels as error:
            raise VisitRefused(too_many_pixels(error)) from None
        if kind is None or not kind.startswith("image/"):
            raise VisitRefused(_("%(name)s is not an image.") % {"name": photo.name})
        if kind not in PHOTOS:
            raise VisitRefused(_("%(name)s: only JPEG, PNG or WebP photos.") % {"name": photo.name})
        checked.append((data, kind))
    return checked


def _require_on_site(visit: Visit) -> None:
    if visit.status != Visit.Status.IN_PROGRESS:
        raise VisitRefused(_("Results are recorded on site, after the check-in."))
    if visit.enterprise_signed_at or visit.team_signed_at:
        raise VisitRefused(_("The record is signed: results can no longer change."))


def do_record_result(
    *,
    actor: Actor,
    visit: Visit,
    by: User,
    entry: PointEntry,
    photos: Sequence[UploadedFile] = (),
) -> list[PointResult]:
    """Record one checklist row (a shared point counts for every body that has it)."""
    _require_on_site(visit)
    allowed = set(CheckPoint.objects.filter(item__visits=visit).values_list("pk", flat=True))
    if not entry.points or any(p.pk not in allowed for p in entry.points):
        raise VisitRefused(_("This point is not among the visit's items: 清单之外无检查."))
    if entry.outcome not in PointResult.Outcome.values:
        raise VisitRefused(_("Choose 合格, 不合格 or 不适用."))
    noncompliant = entry.outcome == PointResult.Outcome.NONCOMPLIANT
    if noncompliant and (
        entry.severity not in Finding.Severity.values or not entry.description.strip()
    ):
        raise VisitRefused(_("A finding needs its severity and a description of the problem."))
    checked = _checked_photos(photos)
    today = timezone.localdate()
    with transaction.atomic():
        results = []
        for point in entry.points:
            result, _created = PointResult.objects.update_or_create(
                visit=visit,
                point=point,
                defaults={
                    "outcome": entry.outcome,
                    "note": entry.note.strip(),
                    "recorded_by": by,
                    "recorded_at": timezone.now(),
                },
            )
            results.append(result)
            _set_finding(visit, point, by, entry if noncompliant else None, today)
        for data, content_type in checked:
            _store_photo(results[0], data, content_type, by)
        record(
            actor=actor,
            action="result",
            obj=visit,
            changes={
                "points": [p.pk for p in entry.points],
                "outcome": entry.outcome,
                "severity": entry.severity,
                "photos": [hashlib.sha256(d).hexdigest() for d, _t in checked],
            },
        )
    return results


def _set_finding(
    visit: Visit, point: CheckPoint, by: User, entry: PointEntry | None, today: dt.date
) -> None:
    if entry is None:
        Finding.objects.filter(visit=visit, point=point).delete()
        return
    rectify_by = working_deadline(today, working_days_for(point.item.body_id, entry.severity))
    finding, _created = Finding.objects.update_or_create(
        visit=visit,
        point=point,
        defaults={
            "body_id": point.item.body_id,
            "severity": entry.severity,
            "description": entry.description.strip(),
            "rectify_by": rectify_by.date,
            "created_by": by,
        },
    )
    track_deadline(finding, "rectify_by", rectify_by)


def _store_photo(result: PointResult, data: bytes, content_type: str, by: User) -> Photo:
    digest = hashlib.sha256(data).hexdigest()
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    photo = Photo(
        result=result, sha256=digest, size=len(data), content_type=content_type, uploaded_by=by
    )
    photo.image.save(f"{digest[:32]}.{extension}", ContentFile(data), save=False)
    photo.save()
    return photo


def missing_points(visit: Visit) -> int:
    total = CheckPoint.objects.filter(item__visits=visit).count()
    return total - visit.results.count()


def do_sign_off(
    *,
    actor: Actor,
    visit: Visit,
    by: User,
    party: str,
    name: str = "",
    certificates: Mapping[int, str] | None = None,
) -> Visit:
    """The enterprise's representative signs by name; the team signs when every member has
    confirmed with their own certificate number (`certificates`: inspector id -> number)."""
    if visit.status != Visit.Status.IN_PROGRESS:
        raise VisitRefused(_("Only a visit on site can be signed."))
    if missing_points(visit):
        raise VisitRefused(_("%(n)s points have no result yet.") % {"n": missing_points(visit)})
    now = timezone.now()
    if party == "enterprise":
        if visit.enterprise_signed_at:
            raise VisitRefused(_("The enterprise has signed already."))
        if not name.strip():
            raise VisitRefused(_("Give the name of the enterprise's representative."))
        visit.enterprise_signed_by, visit.enterprise_signed_at = name.strip()[:50], now
        fields = ["enterprise_signed_by", "enterprise_signed_at"]
    elif party == "team":
        if visit.team_signed_at:
            raise VisitRefused(_("The team has signed already."))
        team = _confirmed_team(visit, certificates or {})
        visit.team_signed_by, visit.team_signed_at = by, now
        fields = ["team_signed_by", "team_signed_at"]
    else:
        raise VisitRefused(_("Unknown party."))
    with transaction.atomic():
        visit.save(update_fields=fields)
        if party == "team":
            TeamConfirmation.objects.bulk_create(
                TeamConfirmation(visit=visit, inspector=i, confirmed_at=now, recorded_by=by)
                for i in team
            )
        record(actor=actor, action="sign", obj=visit, changes={"party": party, "name": name})
    return visit


def _confirmed_team(visit: Visit, certificates: Mapping[int, str]) -> list[Inspector]:
    """Every member, each confirmed by their own certificate number; else nobody signs."""
    team = list(visit.inspectors.order_by("pk"))
    wrong = [
        i.name
        for i in team
        if "".join(certificates.get(i.pk, "").split()).upper() != i.certificate_number.upper()
    ]
    if wrong:
        raise VisitRefused(
            _("Every member confirms with their own certificate number; not confirmed: %(names)s.")
            % {"names": "、".join(wrong)}
        )
    return team


DOCUMENT_MARKS = {
    DocumentSequence.Kind.RECORD: "检记",
    DocumentSequence.Kind.FEEDBACK: "检馈",
    DocumentSequence.Kind.ORDER: "责改",
}


def next_document_number(body: Body, year: int, kind: str) -> str:
    """The body's next number for this kind of document this year, after its 机关代字:
    聊市监〔2026〕检记12号."""
    with transaction.atomic():
        sequence, _created = DocumentSequence.objects.get_or_create(body=body, year=year, kind=kind)
        DocumentSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
        sequence.refresh_from_db(fields=["last"])
    mark = DOCUMENT_MARKS[DocumentSequence.Kind(kind)]
    return f"{body.document_prefix}〔{year}〕{mark}{sequence.last}号"


def _store(visit: Visit, kind: str, data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    getattr(visit, f"{kind}_pdf").save(
        f"visit-{visit.pk}-{kind}.pdf", ContentFile(data), save=False
    )
    setattr(visit, f"{kind}_sha256", digest)


def do_close_visit(*, actor: Actor, visit: Visit, by: User) -> Visit:
    """Close on site: the on-site record, the feedback report and, for problems with a
    deadline, the rectification order become numbered, fixed PDFs; the tasks are done, and
    compliant results start counting for other bodies."""
    from onevisit.inspections.documents import feedback_report, onsite_record, rectification_order
    from onevisit.inspections.recognition import do_apply_recognition
    from onevisit.rectification.actions import do_open_rectification

    if visit.status != Visit.Status.IN_PROGRESS:
        raise VisitRefused(_("Only a visit on site can be closed."))
    if not (visit.enterprise_signed_at and visit.team_signed_at):
        raise VisitRefused(_("Both the enterprise and the team sign before closing."))
    with transaction.atomic():
        visit.status = Visit.Status.CLOSED
        visit.closed_at = timezone.now()
        year = timezone.localdate(visit.closed_at).year
        visit.record_number = next_document_number(visit.lead_body, year, "record")
        visit.feedback_number = next_document_number(visit.lead_body, year, "feedback")
        _store(visit, "record", onsite_record(visit))
        _store(visit, "feedback", feedback_report(visit))
        fields = ["status", "closed_at", "record_number", "feedback_number"]
        fields += ["record_pdf", "record_sha256", "feedback_pdf", "feedback_sha256"]
        if visit.findings.exists():
            visit.order_number = next_document_number(visit.lead_body, year, "order")
            _store(visit, "order", rectification_order(visit))
            fields += ["order_number", "order_pdf", "order_sha256"]
        visit.save(update_fields=fields)
        visit.tasks.filter(status=Task.Status.OPEN).update(status=Task.Status.DONE)
        for finding in visit.findings.select_related("point", "body"):
            do_open_rectification(actor=actor, finding=finding)
        record(
            actor=actor,
            action="close",
            obj=visit,
            changes={
                "record_sha256": visit.record_sha256,
                "feedback_sha256": visit.feedback_sha256,
                "findings": visit.findings.count(),
            },
        )
        do_apply_recognition(enterprise=visit.enterprise, today=timezone.localdate())
        transaction.on_commit(lambda: _scan_warnings_later(visit.enterprise_id))
    return visit


def _scan_warnings_later(enterprise_id: int) -> None:
    from onevisit.oversight.tasks import scan_enterprise_warnings

    scan_enterprise_warnings.enqueue(enterprise_id)


@dataclass(frozen=True)
class Scores:
    conduct: int
    professionalism: int
    burden: int
    comment: str = ""


def do_evaluate_visit(*, visit: Visit, by: User, scores: Scores) -> Evaluation:
    """The enterprise rates a closed visit once. Neither the evaluation nor the audit entry
    names the person: the audit records a system actor."""
    today = timezone.localdate()
    if not (by.is_enterprise_user and by.enterprise_id == visit.enterprise_id):
        raise VisitRefused(_("Only the visited enterprise evaluates a visit."))
    if visit.status != Visit.Status.CLOSED or visit.closed_at is None:
        raise VisitRefused(_("A visit is evaluated after it is closed."))
    if (today - timezone.localdate(visit.closed_at)).days > EVALUATION_DAYS:
        raise VisitRefused(
            _("Evaluations are accepted within %(days)s days.") % {"days": EVALUATION_DAYS}
        )
    values = (scores.conduct, scores.professionalism, scores.burden)
    if any(not 1 <= v <= 5 for v in values):
        raise VisitRefused(_("Scores run from 1 to 5."))
    with transaction.atomic():
        if Evaluation.objects.select_for_update().filter(visit=visit).exists():
            raise VisitRefused(_("This visit has been evaluated already."))
        evaluation = Evaluation.objects.create(
            visit=visit,
            conduct=scores.conduct,
            professionalism=scores.professionalism,
            burden=scores.burden,
            comment=scores.comment.strip(),
            submitted_on=today,
        )
        record(actor=Actor.system("evaluation"), action="evaluate", obj=visit, changes={})
        transaction.on_commit(lambda: _scan_warnings_later(visit.enterprise_id))
    return evaluation


def do_note_evaluation(*, actor: Actor, evaluation: Evaluation, note: str) -> Evaluation:
    with transaction.atomic():
        evaluation.supervisor_note = note.strip()
        evaluation.save(update_fields=["supervisor_note"])
        record(actor=actor, action="note", obj=evaluation, changes={"note": note.strip()})
    return evaluation


def do_complain(
    *, visit: Visit | None, code_presented: str, text: str, contact: str
) -> tuple[Complaint, str]:
    """A complaint to the supervisor; returns it with the secret that, with its receipt number,
    lets the complainant follow it (shown once, kept only as a digest)."""
    if not text.strip():
        raise VisitRefused(_("Write what happened."))
    secret, digest = new_secret()
    today = timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.create(
            visit=visit,
            code_presented=code_presented[:200],
            text=text.strip()[:4000],
            contact=contact.strip()[:100],
            receipt=receipt_number("TS", today),
            secret_sha256=digest,
        )
        record(
            actor=Actor.system("complaint"),
            action="complain",
            obj=complaint,
            object_repr=f"complaint {complaint.pk}",
            changes={"visit": visit.pk if visit else None, "receipt": complaint.receipt},
        )
    return complaint, secret


def do_handle_complaint(*, actor: Actor, complaint: Complaint, note: str) -> Complaint:
    if not note.strip():
        raise VisitRefused(_("Say how the complaint was handled."))
    with transaction.atomic():
        complaint.status = Complaint.Status.HANDLED
        complaint.handling_note = note.strip()
        complaint.save(update_fields=["status", "handling_note"])
        record(
            actor=actor,
            action="handle",
            obj=complaint,
            object_repr=f"complaint {complaint.pk}",
            changes={"note": note.strip()},
        )
    return complaint
