"""Who sees tips, and who sees who sent them.

- The public: only its own tip, by receipt number and secret (the status and public notes).
- The handling body's staff (department admin and inspectors): the tips routed to it.
- The reporter's identity: only the department admin of the body the tip is routed to, and
  each reading is written to the audit log.
- The supervisor: every tip, to re-route and oversee — but never the reporter's identity.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.registry.access import require_login
from onevisit.tips.models import Attachment, Tip


def tips_for_user(user: Any) -> QuerySet[Tip]:
    found = require_login(user)
    tips = Tip.objects.select_related("category", "body", "enterprise")
    if found.is_supervisor:
        return tips.filter(found.in_area("body__district"))
    if (found.is_body_admin or found.is_inspector) and found.body_id:
        return tips.filter(body_id=found.body_id)
    raise PermissionDenied("Only the handling body and the supervisor see tips.")


def get_tip(user: Any, pk: int) -> Tip:
    try:
        return tips_for_user(user).get(pk=pk)
    except Tip.DoesNotExist:
        raise Http404("No such tip.") from None


def is_handler(user: Any, tip: Tip) -> bool:
    """The department admin of the body the tip is routed to."""
    return bool(
        getattr(user, "is_body_admin", False) and getattr(user, "body_id", None) == tip.body_id
    )


def require_handler(user: Any, tip: Tip) -> User:
    found = require_login(user)
    if not is_handler(found, tip):
        raise PermissionDenied("Only the handling body's admin does this.")
    return found


def get_attachment(user: Any, pk: int) -> Attachment:
    try:
        attachment = Attachment.objects.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such attachment.") from None
    get_tip(user, attachment.tip_id)
    return attachment


def find_own_tip(receipt: str, secret: str) -> Tip | None:
    """The reporter's view: the receipt number and the secret together, or nothing."""
    tip = Tip.objects.select_related("category", "body").filter(receipt=receipt.strip()).first()
    if tip is None or not tip.secret_matches(secret):
        return None
    return tip
