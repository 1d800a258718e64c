"""Who sees the requests (诉求).

- The supervisor: every request; routes them and sees the overdue ones.
- A department admin: the requests routed to its body, which it acknowledges and answers; of
  an anonymous request it sees neither the enterprise nor who asked.
- An enterprise user: the requests it raised; it rates the answers.
- A member of the public: one request, by its receipt number and secret.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.liaison.models import Concern, ConcernQuerySet
from onevisit.registry.access import require_login


def concerns_for_user(user: Any) -> ConcernQuerySet:
    found = require_login(user)
    concerns = Concern.objects.select_related("body", "enterprise")
    if found.is_supervisor:
        # an unrouted request about no registered enterprise reaches only a whole supervisor
        return concerns.filter(found.in_area("enterprise__district", "body__district"))
    if found.is_body_admin:
        return concerns.filter(body_id=found.body_id or 0)
    if found.is_enterprise_user:
        return concerns.filter(raised_by=found)
    raise PermissionDenied("Only the supervisor, departments and enterprises see requests.")


def get_concern(user: Any, pk: int) -> Concern:
    try:
        return concerns_for_user(user).get(pk=pk)
    except Concern.DoesNotExist:
        raise Http404("No such request.") from None


def is_handler(user: User, concern: Concern) -> bool:
    return user.is_body_admin and concern.body_id is not None and user.body_id == concern.body_id


def require_handler(user: Any, concern: Concern) -> User:
    found = require_login(user)
    if not is_handler(found, concern):
        raise PermissionDenied("Only the admins of the body it is routed to answer it.")
    return found


def require_raiser(user: Any, concern: Concern) -> User:
    found = require_login(user)
    if concern.raised_by_id != found.pk:
        raise PermissionDenied("Only the one who asked rates the answer.")
    return found


def find_by_receipt(receipt: str, secret: str) -> Concern | None:
    found = Concern.objects.select_related("body").filter(receipt=receipt.strip()).first()
    if found is not None and found.secret_matches(secret):
        return found
    return None
