"""Who sees and decides penalties.

- Everyone reads the published discretion catalogues (裁量基准 are public documents).
- A department's staff record its decisions and see them; its admin imports its catalogue.
- The supervisor sees every decision and the consistency report (同案不同罚).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from onevisit.accounts.models import User
from onevisit.penalties.models import Decision
from onevisit.registry.access import require_login


def decisions_for_user(user: Any) -> QuerySet[Decision]:
    found = require_login(user)
    decisions = Decision.objects.select_related(
        "body", "violation", "level", "enterprise", "inspector"
    )
    if found.is_supervisor:
        return decisions.filter(found.in_area("enterprise__district", "body__district"))
    if (found.is_body_admin or found.is_inspector) and found.body_id:
        return decisions.filter(body_id=found.body_id)
    raise PermissionDenied("Only the deciding body and the supervisor see decisions.")


def deciding_user(user: Any) -> User:
    found = require_login(user)
    if (found.is_body_admin or found.is_inspector) and found.body is not None:
        return found
    raise PermissionDenied("Only a department records its decisions.")


def require_supervisor(user: Any) -> User:
    found = require_login(user)
    if not found.is_supervisor:
        raise PermissionDenied("Only the supervisor sees the consistency report.")
    return found
