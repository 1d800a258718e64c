"""Who may see and change tiers, rules, plans and planned visits.

- The supervisor sees every plan, tier and planned visit of the city, and decides filed plans
  (a city's supervisor in a province, those of its city).
- A department admin sees and changes its own body's rules, tiers and plans, and the planned
  visits in which its body takes part (other bodies' plans stay theirs).
- An inspector sees their own schedule; an enterprise user its own enterprise's announced
  visits and tiers; the public none of this.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.planning.models import AnnualPlan, PlannedVisit, Tier
from onevisit.registry.access import in_area, in_reach, require_login
from onevisit.registry.models import Body, Enterprise, Inspector


def require_supervisor(user: Any) -> User:
    found = require_login(user)
    if not found.is_supervisor:
        raise PermissionDenied("Only the supervisor may do this.")
    return found


def require_planner(user: Any) -> User:
    """The supervisor or a department admin."""
    found = require_login(user)
    if not (found.is_supervisor or found.is_body_admin):
        raise PermissionDenied("Only the supervisor and department admins plan.")
    return found


def own_body(user: Any) -> Body:
    found = require_login(user)
    if not found.is_body_admin or found.body is None:
        raise PermissionDenied("Only a department admin keeps its body's plan and rules.")
    return found.body


def plans_for_user(user: Any) -> QuerySet[AnnualPlan]:
    found = require_planner(user)
    plans = AnnualPlan.objects.select_related("body")
    if found.is_supervisor:
        return plans.filter(found.in_area("body__district"))
    return plans.filter(body_id=found.body_id or 0)


def get_plan(user: Any, pk: int) -> AnnualPlan:
    try:
        return plans_for_user(user).get(pk=pk)
    except AnnualPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def visits_for_user(user: Any, run_id: int) -> QuerySet[PlannedVisit]:
    found = require_planner(user)
    visits = PlannedVisit.objects.filter(run_id=run_id)
    if found.is_supervisor:
        return visits.filter(found.in_area("enterprise__district"))
    return visits.filter(tasks__body_id=found.body_id or 0).distinct()


def tiers_for(user: Any, enterprise: Enterprise) -> QuerySet[Tier]:
    """Tiers on an enterprise's page: all for the supervisor and the enterprise itself, the
    own body's for a department's staff."""
    found = require_login(user)
    tiers = Tier.objects.filter(enterprise=enterprise).select_related("body")
    supervises = found.is_supervisor and in_area(found, enterprise.district_id)
    if supervises or (found.is_enterprise_user and found.enterprise_id == enterprise.pk):
        return tiers
    if found.is_official and found.body_id:
        return tiers.filter(body_id=found.body_id)
    raise PermissionDenied("You may not see this enterprise's tiers.")


def can_override(user: Any, tier: Tier) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_body_admin
        and user.body_id == tier.body_id
        and in_reach(user, tier.enterprise.district_id)
    )


def schedule_owner(user: Any, inspector: Inspector) -> None:
    """An inspector's schedule: the inspector, their body's admin, the supervisor."""
    found = require_login(user)
    if found.is_supervisor and in_area(found, inspector.body.district_id):
        return
    if found.is_body_admin and found.body_id == inspector.body_id:
        return
    if found.is_inspector and inspector.user_id == found.pk:
        return
    raise PermissionDenied("This is another inspector's schedule.")
