"""Who sees and decides the 事前评估.

- A department admin files assessments for its own body and sees its own.
- The supervisor sees every assessment and decides any; a city may name an approver per kind
  (`Approver`), who sees and decides the assessments of that kind.
- Everyone else sees only the public list of approved special inspections, which names no
  enterprise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.assessments.models import Approver, Assessment
from onevisit.registry.access import require_login
from onevisit.registry.models import Body


def approved_kinds(user: User) -> list[str]:
    return list(Approver.objects.filter(user=user).values_list("kind", flat=True))


def assessments_for_user(user: Any) -> QuerySet[Assessment]:
    found = require_login(user)
    assessments = Assessment.objects.select_related("body")
    if found.is_supervisor:
        return assessments.filter(found.in_area("body__district"))
    kinds = approved_kinds(found)
    mine = Q(kind__in=kinds) if kinds else Q(pk__in=[])
    if found.is_body_admin:
        mine |= Q(body_id=found.body_id)
    if not found.is_body_admin and not kinds:
        raise PermissionDenied("Only department admins and approvers see assessments.")
    return assessments.filter(mine)


def get_assessment(user: Any, pk: int) -> Assessment:
    try:
        return assessments_for_user(user).get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


def can_decide(user: Any, assessment: Assessment) -> bool:
    found = require_login(user)
    return found.is_supervisor or assessment.kind in approved_kinds(found)


def require_decider(user: Any, assessment: Assessment) -> User:
    found = require_login(user)
    if not can_decide(found, assessment):
        raise PermissionDenied("Only the supervisor or the approver of this kind decides.")
    return found


def filing_body(user: Any) -> Body:
    """The body a department admin files for."""
    found = require_login(user)
    if not found.is_body_admin or found.body is None:
        raise PermissionDenied("Only a department admin files an assessment for its body.")
    return found.body
