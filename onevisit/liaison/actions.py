"""Writes of 政企沟通: raise a request, route it, acknowledge and answer it (a guidance visit
planned as a service visit is its answer), rate the answer, reopen a low-rated one once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record
from onevisit.catalog.models import Item
from onevisit.inspections.actions import Registration, VisitRefused, do_register_visit
from onevisit.inspections.models import Visit
from onevisit.liaison.models import (
    ANONYMOUS_KINDS,
    DEADLINES,
    LOW_RATING,
    Concern,
    Kind,
    Reply,
)
from onevisit.lib.receipts import new_secret, receipt_number
from onevisit.registry.models import Body, Enterprise, Inspector
from onevisit.tips.actions import PHONE
from onevisit.tips.sealing import seal, unseal
from onevisit.versions.actions import do_freeze
from onevisit.versions.models import Kind as VersionKind
from onevisit.workdays.actions import track_deadline
from onevisit.workdays.calendar import working_deadline


class ConcernRefused(Exception):
    """A write that breaks a rule; the message says which, in the user's language."""


@dataclass(frozen=True)
class Raised:
    """What the requester says. An enterprise user asks for its own enterprise; a member of
    the public names the enterprise and may leave a name and phone, sealed at rest."""

    kind: str
    subject: str
    text: str
    body: Body | None = None
    enterprise: Enterprise | None = None
    enterprise_name: str = ""
    item: Item | None = None
    visit: Visit | None = None
    anonymous: bool = False
    name: str = ""
    phone: str = ""


def _route(raised: Raised) -> Body | None:
    """By kind: a question about an item goes to the item's body, a problem with a visit to
    its lead body, the rest to the body chosen (or to the supervisor to route)."""
    if raised.kind == Kind.QUESTION and raised.item is not None:
        return raised.item.body
    if raised.kind == Kind.PROBLEM and raised.visit is not None:
        return raised.visit.lead_body
    return raised.body


def _check(raised: Raised, by: User | None) -> None:
    if raised.kind not in Kind.values:
        raise ConcernRefused(_("Choose what kind of request this is."))
    if not raised.subject.strip() or not raised.text.strip():
        raise ConcernRefused(_("Say in a line what it is about, and then what you would like."))
    if raised.anonymous and raised.kind not in ANONYMOUS_KINDS:
        raise ConcernRefused(
            _("A problem with an inspection or a guidance visit cannot be anonymous.")
        )
    if raised.kind == Kind.PROBLEM and raised.visit is None:
        raise ConcernRefused(_("Choose the inspection the problem is about."))
    if raised.kind == Kind.GUIDANCE and (raised.enterprise is None or raised.body is None):
        raise ConcernRefused(
            _("A guidance visit is asked for by a registered enterprise, of one body.")
        )
    if raised.visit is not None and (
        raised.enterprise is None or raised.visit.enterprise_id != raised.enterprise.pk
    ):
        raise ConcernRefused(_("Choose one of your own enterprise's inspections."))
    named = raised.name.strip() or raised.phone.strip()
    if by is None and named and not (raised.name.strip() and PHONE.fullmatch(raised.phone.strip())):
        raise ConcernRefused(_("Give a name and a phone number, or leave both empty."))


def _receipt(today: dt.date) -> str:
    return receipt_number("SQ", today)


def do_raise_concern(*, by: User | None, raised: Raised) -> tuple[Concern, str]:
    """Take a request; returns it with the secret a member of the public needs to follow it
    (shown once, only its digest kept)."""
    _check(raised, by)
    today = timezone.localdate()
    ack_days, answer_days = DEADLINES[Kind(raised.kind)]
    ack_due = working_deadline(today, ack_days)
    answer_due = working_deadline(today, answer_days)
    secret, digest = new_secret()
    named = by is None and bool(raised.name.strip())
    for _attempt in range(10):
        try:
            with transaction.atomic():
                concern = Concern.objects.create(
                    receipt=_receipt(today),
                    secret_sha256=digest,
                    kind=raised.kind,
                    body=_route(raised),
                    enterprise=raised.enterprise,
                    enterprise_name=(
                        raised.enterprise_name.strip()
                        or (raised.enterprise.name if raised.enterprise else "")
                    )[:200],
                    raised_by=by,
                    anonymous=raised.anonymous,
                    identity_sealed=seal(
                        {"name": raised.name.strip(), "phone": raised.phone.strip()}
                    )
                    if named
                    else "",
                    item=raised.item,
                    visit=raised.visit,
                    subject=raised.subject.strip()[:200],
                    text=raised.text.strip(),
                    ack_due=ack_due.date,
                    answer_due=answer_due.date,
                )
                track_deadline(concern, "ack_due", ack_due)
                track_deadline(concern, "answer_due", answer_due)
                record(
                    actor=Actor.system("liaison"),
                    action="raise",
                    obj=concern,
                    changes={"kind": raised.kind, "body": concern.body_id},
                )
            return concern, secret
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a free receipt number")


def _require_open(concern: Concern) -> None:
    if not concern.is_open:
        raise ConcernRefused(_("This request is not open."))


def do_route_concern(*, actor: Actor, concern: Concern, body: Body, note: str) -> Concern:
    """The supervisor sends a request to the body that should answer it."""
    _require_open(concern)
    if concern.body_id == body.pk:
        raise ConcernRefused(_("The request is with this body already."))
    with transaction.atomic():
        before = concern.body_id
        concern.body = body
        concern.save(update_fields=["body"])
        record(
            actor=actor,
            action="route",
            obj=concern,
            changes={"body": [before, body.pk], "note": note.strip()},
        )
    return concern


def do_acknowledge_concern(*, actor: Actor, concern: Concern) -> Concern:
    if concern.status != Concern.Status.RECEIVED:
        raise ConcernRefused(_("Only a request just received is acknowledged."))
    with transaction.atomic():
        concern.status = Concern.Status.ACKNOWLEDGED
        concern.acknowledged_at = timezone.now()
        concern.save(update_fields=["status", "acknowledged_at"])
        record(actor=actor, action="acknowledge", obj=concern, changes={})
    return concern


def do_answer_concern(*, actor: Actor, concern: Concern, by: User, answer: str) -> Concern:
    _require_open(concern)
    if not answer.strip():
        raise ConcernRefused(_("Write the answer."))
    if concern.kind == Kind.GUIDANCE and concern.service_visit_id is None:
        raise ConcernRefused(_("A guidance request is answered by planning the guidance visit."))
    with transaction.atomic():
        now = timezone.now()
        concern.status = Concern.Status.ANSWERED
        concern.acknowledged_at = concern.acknowledged_at or now
        concern.answer = answer.strip()
        concern.answered_at = now
        concern.answered_by = by
        concern.rating, concern.rating_comment, concern.rated_at = None, "", None
        concern.save(
            update_fields=[
                "status",
                "acknowledged_at",
                "answer",
                "answered_at",
                "answered_by",
                "rating",
                "rating_comment",
                "rated_at",
            ]
        )
        previous = concern.replies.order_by("-number").first()
        reply = Reply.objects.create(
            concern=concern,
            number=(previous.number + 1) if previous else 1,
            answer=concern.answer,
            answered_at=now,
            answered_by=by,
        )
        do_freeze(
            actor=actor,
            by=by,
            obj=concern,
            kind=VersionKind.ANSWER,
            snapshot={
                "round": reply.number,
                "answer": reply.answer,
                "answered_by": str(by),
                "body": concern.body.name if concern.body else "",
                "answered_at": now.isoformat(),
            },
            reason=previous.reopen_reason if previous else "",
        )
        record(actor=actor, action="answer", obj=concern, changes={"answer": answer.strip()})
    return concern


def do_plan_guidance_visit(
    *,
    actor: Actor,
    concern: Concern,
    by: User,
    date: dt.date,
    inspectors: Sequence[Inspector],
    note: str = "",
) -> Visit:
    """有求必应: the answer to a guidance request is a service visit, registered like any visit
    (with its code at the door) but inspecting nothing and counting toward no cap."""
    _require_open(concern)
    if concern.kind != Kind.GUIDANCE or concern.enterprise is None or concern.body is None:
        raise ConcernRefused(_("Only a guidance request becomes a guidance visit."))
    try:
        with transaction.atomic():
            visit = do_register_visit(
                actor=actor,
                by=by,
                reg=Registration(
                    enterprise=concern.enterprise,
                    lead_body=concern.body,
                    date=date,
                    inspectors=list(inspectors),
                    purpose=Visit.Purpose.GUIDANCE,
                    # what the officers come to explain, as the enterprise asked it, and the
                    # department's note: shown on the enterprise's page and at the door
                    cause="；".join(
                        part for part in (concern.subject, note.strip(), concern.receipt) if part
                    )[:500],
                ),
            )
            concern.service_visit = visit
            concern.save(update_fields=["service_visit"])
            do_answer_concern(
                actor=actor,
                concern=concern,
                by=by,
                answer=_("A guidance visit is planned for %(date)s.") % {"date": date.isoformat()}
                + (f" {note.strip()}" if note.strip() else ""),
            )
    except VisitRefused as error:
        raise ConcernRefused(str(error)) from None
    return visit


def do_rate_concern(*, concern: Concern, rating: int, comment: str) -> Concern:
    """The requester rates the answer, which closes the request."""
    if concern.status != Concern.Status.ANSWERED:
        raise ConcernRefused(_("Only an answered request is rated."))
    if not 1 <= rating <= 5:
        raise ConcernRefused(_("Rate from 1 to 5."))
    with transaction.atomic():
        concern.status = Concern.Status.CLOSED
        concern.rating = rating
        concern.rating_comment = comment.strip()
        concern.rated_at = timezone.now()
        concern.save(update_fields=["status", "rating", "rating_comment", "rated_at"])
        concern.replies.filter(number=_latest_round(concern)).update(
            rating=rating, rating_comment=comment.strip(), rated_at=concern.rated_at
        )
        record(
            actor=Actor.system("liaison"), action="rate", obj=concern, changes={"rating": rating}
        )
    return concern


def _latest_round(concern: Concern) -> int:
    return concern.replies.aggregate(n=Max("number"))["n"] or 0


def do_reopen_concern(*, concern: Concern, reason: str) -> Concern:
    """An answer rated low may be reopened once; it gets a new answer deadline."""
    if not concern.can_reopen:
        raise ConcernRefused(
            _("Only an answer rated %(low)s or lower is reopened, and only once.")
            % {"low": LOW_RATING}
        )
    if not reason.strip():
        raise ConcernRefused(_("Say what the answer left open."))
    _ack, answer_days = DEADLINES[Kind(concern.kind)]
    due = working_deadline(timezone.localdate(), answer_days)
    with transaction.atomic():
        concern.status = Concern.Status.ACKNOWLEDGED
        concern.reopened = True
        concern.reopen_reason = reason.strip()
        concern.answer_due = due.date
        concern.save(update_fields=["status", "reopened", "reopen_reason", "answer_due"])
        concern.replies.filter(number=_latest_round(concern)).update(reopen_reason=reason.strip())
        track_deadline(concern, "answer_due", due)
        record(
            actor=Actor.system("liaison"),
            action="reopen",
            obj=concern,
            changes={"reason": reason.strip(), "previous_rating": concern.rating},
        )
    return concern


def reveal_contact(*, actor: Actor, concern: Concern) -> dict[str, str]:
    """A named public requester's name and phone, for the handler; every reading is logged."""
    if concern.anonymous or not concern.identity_sealed:
        return {}
    with transaction.atomic():
        record(actor=actor, action="reveal_identity", obj=concern, changes={})
    return {str(k): str(v) for k, v in unseal(concern.identity_sealed).items()}
