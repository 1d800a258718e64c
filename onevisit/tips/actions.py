"""Writes of a tip's life: submitted (identity sealed, receipt and secret issued), acknowledged,
noted, concluded (a verified tip can become a triggered visit), rewarded, re-routed, closed."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record
from onevisit.catalog.models import Item
from onevisit.lib.receipts import new_secret, receipt_number
from onevisit.lib.uploads import PDF, PHOTOS, TooManyPixels, sniff, too_many_pixels
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind
from onevisit.planning.queries import full_industry_code
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.models import Body, District, Enterprise
from onevisit.tips.models import Attachment, Category, Tip, Update
from onevisit.tips.sealing import seal, unseal
from onevisit.workdays.actions import track_deadline
from onevisit.workdays.calendar import working_deadline

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PHONE = re.compile(r"\+?[0-9][0-9 -]{6,19}")


class TipRefused(Exception):
    """A tip or a handling step that breaks a rule; the message says which."""


@dataclass(frozen=True)
class Report:
    """What a member of the public sends."""

    category: Category
    description: str
    enterprise_name: str = ""
    uscc: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    name: str = ""
    phone: str = ""


def check_attachments(files: Sequence[UploadedFile]) -> list[tuple[str, bytes, str]]:
    if len(files) > MAX_ATTACHMENTS:
        raise TipRefused(_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS})
    checked = []
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise TipRefused(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
        data = upload.read()
        checked.append((str(upload.name)[:200], data, _attachment_type(str(upload.name), data)))
    return checked


def _attachment_type(name: str, data: bytes) -> str:
    try:
        kind = sniff(name, data)
    except TooManyPixels as error:
        raise TipRefused(too_many_pixels(error)) from None
    if kind not in PHOTOS | {PDF}:
        raise TipRefused(_("%(name)s: only photos (JPEG, PNG, WebP) or PDF.") % {"name": name})
    return kind


def validate_report(report: Report) -> None:
    if not report.category.active:
        raise TipRefused(_("This category no longer takes tips."))
    if not 10 <= len(report.description.strip()) <= 4000:
        raise TipRefused(_("Describe what happened in 10 to 4,000 characters."))
    named = bool(report.name.strip() or report.phone.strip())
    if named and not (report.name.strip() and PHONE.fullmatch(report.phone.strip())):
        raise TipRefused(_("A named tip gives a name and a phone number; or leave both empty."))
    uscc = "".join(report.uscc.split()).upper()
    if uscc:
        try:
            validate_uscc(uscc, District.objects.local_codes())
        except InvalidIdentifier as error:
            raise TipRefused(
                _("The credit code %(code)s is not valid: %(why)s")
                % {"code": uscc, "why": error.localized(_)}
            ) from None


def _receipt(today: dt.date) -> str:
    return receipt_number("JB", today)


def do_submit_tip(*, report: Report, files: Sequence[UploadedFile] = ()) -> tuple[Tip, str]:
    """Take a tip; returns it with the secret the reporter needs to follow it (shown once,
    only its digest is kept). Nothing is written if anything is refused."""
    validate_report(report)
    checked = check_attachments(files)
    today = timezone.localdate()
    secret, digest = new_secret()
    uscc = "".join(report.uscc.split()).upper()
    enterprise = Enterprise.objects.filter(uscc=uscc).first() if uscc else None
    named = bool(report.name.strip())
    ack_due = working_deadline(today, report.category.ack_working_days)
    handle_due = working_deadline(today, report.category.handle_working_days)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                tip = Tip.objects.create(
                    receipt=_receipt(today),
                    secret_sha256=digest,
                    category=report.category,
                    body=report.category.body,
                    description=report.description.strip(),
                    enterprise=enterprise,
                    enterprise_name=(
                        report.enterprise_name.strip() or (enterprise.name if enterprise else "")
                    )[:200],
                    address=report.address.strip()[:300],
                    latitude=report.latitude,
                    longitude=report.longitude,
                    anonymous=not named,
                    identity_sealed=seal(
                        {"name": report.name.strip(), "phone": report.phone.strip()}
                    )
                    if named
                    else "",
                    ack_due=ack_due.date,
                    handle_due=handle_due.date,
                )
                track_deadline(tip, "ack_due", ack_due)
                track_deadline(tip, "handle_due", handle_due)
                for name, data, content_type in checked:
                    _attach(tip, name, data, content_type)
                Update.objects.create(
                    tip=tip,
                    status=Tip.Status.RECEIVED,
                    note=_("Received and passed to %(body)s.") % {"body": tip.body.name},
                )
                record(
                    actor=Actor.system("tips"),
                    action="receive",
                    obj=tip,
                    changes={
                        "category": report.category.code,
                        "body": tip.body_id,
                        "anonymous": tip.anonymous,
                    },
                )
            return tip, secret
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a free receipt number")


def _attach(tip: Tip, name: str, data: bytes, content_type: str) -> None:
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        tip=tip, name=name, sha256=digest, size=len(data), content_type=content_type
    )
    attachment.file.save(digest[:32], ContentFile(data), save=False)
    attachment.save()


def _step(tip: Tip, by: User, status: str, note: str, public: bool = True) -> None:
    tip.status = status
    tip.save(update_fields=["status", "updated"])
    Update.objects.create(tip=tip, status=status, note=note, public=public, by=by)


def do_acknowledge_tip(*, actor: Actor, tip: Tip, by: User, note: str = "") -> Tip:
    if tip.status != Tip.Status.RECEIVED:
        raise TipRefused(_("Only a newly received tip is acknowledged."))
    with transaction.atomic():
        tip.acknowledged_at = timezone.now()
        tip.save(update_fields=["acknowledged_at"])
        _step(tip, by, Tip.Status.ACKNOWLEDGED, note.strip() or _("Being checked."))
        record(actor=actor, action="acknowledge", obj=tip, changes={})
    return tip


def do_note_tip(*, actor: Actor, tip: Tip, by: User, note: str, public: bool) -> Update:
    if not note.strip():
        raise TipRefused(_("Write the note."))
    with transaction.atomic():
        update = Update.objects.create(
            tip=tip, status=tip.status, note=note.strip(), public=public, by=by
        )
        record(actor=actor, action="note", obj=tip, changes={"public": public})
    return update


def _items_for(body: Body, enterprise: Enterprise) -> list[Item]:
    return list(
        Item.objects.published().filter(body=body).for_industry(full_industry_code(enterprise))[:3]
    )


def do_conclude_tip(
    *,
    actor: Actor,
    tip: Tip,
    by: User,
    verified: bool,
    note: str,
    visit_within_days: int | None = None,
) -> Tip:
    """属实 or 不属实, with a note for the reporter. A verified tip about a registered enterprise
    can become a triggered visit (exempt from the annual cap) with the tip as its cause."""
    if not tip.is_open:
        raise TipRefused(_("This tip is concluded already."))
    if not note.strip():
        raise TipRefused(_("Tell the reporter what was found."))
    if visit_within_days is not None and not (verified and tip.enterprise):
        raise TipRefused(_("Only a verified tip about a registered enterprise leads to a visit."))
    with transaction.atomic():
        if visit_within_days is not None and tip.enterprise is not None:
            items = _items_for(tip.body, tip.enterprise)
            if not items:
                raise TipRefused(
                    _("The body has no published item for this enterprise's industry.")
                )
            today = timezone.localdate()
            tip.task = do_create_task(
                actor=actor,
                enterprise=tip.enterprise,
                body=tip.body,
                kind=Kind.TRIGGERED,
                start=today,
                end=today + dt.timedelta(days=max(1, visit_within_days)),
                items=items,
                cause=f"群众举报核实属实：{tip.receipt}（{tip.category.name}）",
            )
            tip.save(update_fields=["task"])
        status = Tip.Status.VERIFIED if verified else Tip.Status.UNFOUNDED
        _step(tip, by, status, note.strip())
        record(
            actor=actor,
            action="conclude",
            obj=tip,
            changes={"verified": verified, "task": tip.task_id},
        )
    return tip


def do_close_tip(*, actor: Actor, tip: Tip, by: User, note: str) -> Tip:
    if tip.status == Tip.Status.CLOSED:
        raise TipRefused(_("This tip is closed already."))
    if tip.is_open:
        raise TipRefused(_("Conclude the tip (verified or not) before closing it."))
    with transaction.atomic():
        tip.closed_at = timezone.now()
        tip.save(update_fields=["closed_at"])
        _step(tip, by, Tip.Status.CLOSED, note.strip() or _("Closed."))
        record(actor=actor, action="close", obj=tip, changes={})
    return tip


def do_record_reward(*, actor: Actor, tip: Tip, by: User, amount: Decimal, note: str) -> Tip:
    """举报奖励: only for a verified tip, and only once."""
    if not tip.updates.filter(status=Tip.Status.VERIFIED).exists():
        raise TipRefused(_("Only a verified tip is rewarded."))
    if tip.reward_amount is not None:
        raise TipRefused(_("The reward is recorded already."))
    if amount <= 0:
        raise TipRefused(_("Give the amount in yuan."))
    with transaction.atomic():
        tip.reward_amount = amount
        tip.reward_note = note.strip()
        tip.save(update_fields=["reward_amount", "reward_note"])
        Update.objects.create(
            tip=tip,
            status=tip.status,
            note=_("A reward was granted for this tip."),
            public=True,
            by=by,
        )
        record(actor=actor, action="reward", obj=tip, changes={"amount": amount})
    return tip


def do_route_tip(*, actor: Actor, tip: Tip, body: Body, by: User, note: str) -> Tip:
    """The supervisor sends a tip to the body that should handle it."""
    if not tip.is_open:
        raise TipRefused(_("Only an open tip is re-routed."))
    if body.pk == tip.body_id:
        raise TipRefused(_("The tip is with this body already."))
    with transaction.atomic():
        before = tip.body_id
        tip.body = body
        tip.save(update_fields=["body", "updated"])
        Update.objects.create(
            tip=tip,
            status=tip.status,
            note=_("Passed to %(body)s.") % {"body": body.name}
            + (f" {note.strip()}" if note.strip() else ""),
            public=True,
            by=by,
        )
        record(actor=actor, action="route", obj=tip, changes={"body": [before, body.pk]})
    return tip


def reveal_identity(*, actor: Actor, tip: Tip) -> dict[str, str]:
    """The reporter's name and phone, for the handler; every reading is in the audit log."""
    if tip.anonymous:
        return {}
    with transaction.atomic():
        record(actor=actor, action="reveal_identity", obj=tip, changes={})
    return {str(k): str(v) for k, v in unseal(tip.identity_sealed).items()}


def verified_tip_counts(enterprise_ids: Sequence[int], body: Body) -> dict[int, dict[str, int]]:
    """Verified tips of the last 12 months per enterprise, for the body's risk tiers."""
    since = timezone.now() - dt.timedelta(days=365)
    rows = (
        Tip.objects.filter(
            enterprise_id__in=enterprise_ids,
            body=body,
            created__gte=since,
            updates__status=Tip.Status.VERIFIED,
        )
        .values_list("enterprise_id")
        .annotate(n=Count("id", distinct=True))
    )
    return {enterprise_id: {"verified_tips": n} for enterprise_id, n in rows}
