"""Who sees and handles rectifications.

- The supervisor: the city-wide ledger (read, and the long-overdue ones as warnings).
- A department's staff: their body's rectifications; the admin and inspectors verify, close
  out and reopen them, and the admin imports the body's existing ledger.
- An enterprise user: its own enterprise's, and submits evidence for them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.rectification.models import Evidence, Rectification, RectificationQuerySet
from onevisit.registry.access import require_login


def rectifications_for_user(user: Any) -> RectificationQuerySet:
    found = require_login(user)
    rects = Rectification.objects.with_refs()
    if found.is_supervisor:
        return rects.filter(found.in_area("enterprise__district", "body__district"))
    if (found.is_body_admin or found.is_inspector) and found.body_id:
        return rects.filter(body_id=found.body_id)
    if found.is_enterprise_user:
        return rects.filter(enterprise_id=found.enterprise_id or 0)
    raise PermissionDenied("Only officials and the enterprise concerned see rectifications.")


def get_rectification(user: Any, pk: int) -> Rectification:
    try:
        return rectifications_for_user(user).get(pk=pk)
    except Rectification.DoesNotExist:
        raise Http404("No such rectification.") from None


def require_body_staff(user: Any, rect: Rectification) -> User:
    found = require_login(user)
    if (found.is_body_admin or found.is_inspector) and found.body_id == rect.body_id:
        return found
    raise PermissionDenied("Only the body's staff verify and close out.")


def require_owner(user: Any, rect: Rectification) -> User:
    found = require_login(user)
    if (
        found.is_enterprise_user
        and rect.enterprise_id
        and found.enterprise_id == rect.enterprise_id
    ):
        return found
    raise PermissionDenied("Only the enterprise concerned submits evidence.")


def require_evidence_giver(user: Any, rect: Rectification) -> User:
    """The enterprise, or the body's staff recording what the enterprise handed in on paper."""
    found = require_login(user)
    if (found.is_body_admin or found.is_inspector) and found.body_id == rect.body_id:
        return found
    return require_owner(found, rect)


def get_evidence(user: Any, pk: int) -> Evidence:
    try:
        evidence = Evidence.objects.get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404("No such file.") from None
    get_rectification(user, evidence.rectification_id)
    return evidence
