"""Who sees campaigns and acts on them.

- Officials (supervisor, department staff) see every campaign and its figures; a city's
  supervisor in a province those their city's bodies lead.
- The lead body's staff close out units and bind monitors; they and the enterprise itself
  record the proof of dismantling.
- An enterprise user sees its own 一企一策 list only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from onevisit.accounts.models import User
from onevisit.campaigns.models import Campaign, RetirementUnit, SupervisionGroup, Target
from onevisit.registry.access import require_login


def campaigns_for_user(user: Any) -> QuerySet[Campaign]:
    found = require_login(user)
    if not found.is_official:
        raise PermissionDenied("Only officials see campaigns.")
    return Campaign.objects.filter(found.in_area("lead_body__district")).select_related("lead_body")


def may_see_plan(user: Any, enterprise_id: int) -> User:
    found = require_login(user)
    if found.is_official or (found.is_enterprise_user and found.enterprise_id == enterprise_id):
        return found
    raise PermissionDenied("Only officials and the enterprise itself see its list.")


def is_lead_staff(user: Any, campaign: Campaign) -> bool:
    return bool(
        (getattr(user, "is_body_admin", False) or getattr(user, "is_inspector", False))
        and getattr(user, "body_id", None) == campaign.lead_body_id
    )


def require_lead_staff(user: Any, campaign: Campaign) -> User:
    found = require_login(user)
    if not is_lead_staff(found, campaign):
        raise PermissionDenied("Only the lead body's staff do this.")
    return found


def require_prover(user: Any, unit: RetirementUnit) -> User:
    found = require_login(user)
    own = found.is_enterprise_user and found.enterprise_id == unit.enterprise_id
    if own or is_lead_staff(found, unit.campaign):
        return found
    raise PermissionDenied("Only the enterprise or the lead body records the proof.")


def groups_of(user: Any, campaign: Campaign) -> QuerySet[SupervisionGroup]:
    """The campaign's supervision groups the user may check for: the lead body's staff any of
    them, an inspector those they are a member of."""
    found = require_login(user)
    groups = SupervisionGroup.objects.filter(campaign=campaign)
    if is_lead_staff(found, campaign):
        return groups
    return groups.filter(members__user=found)


def require_checker(user: Any, target: Target) -> User:
    found = require_login(user)
    if not groups_of(found, target.campaign).exists():
        raise PermissionDenied("Only the campaign's supervision groups and lead body check.")
    return found
