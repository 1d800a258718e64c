"""Who may read and change registry records. Every view and endpoint calls these first.

- Officials (supervisor, department admins, inspectors) search the whole enterprise register;
  an enterprise user sees only its own enterprise; the public sees none.
- Everyone sees published bodies; unpublished ones only the supervisor and their own staff.
- The supervisor sees all inspectors; a department admin its own body's; an inspector
  themself.
- The supervisor changes bodies; the supervisor and department admins change enterprises;
  the supervisor and a body's admin change that body's inspectors.
- A supervisor with an area (a city's, in a province) sees and changes only the enterprises,
  bodies and inspectors of that area; the published bodies stay public to them as to everyone.
- A department's staff read and change the enterprises of their body's district and the divisions
  under it (a city bureau the whole city, a county bureau its county): not another city's, not
  another county's. `User.reach_codes` says where; every read and write of an enterprise goes
  through `enterprises_for_user`, and a new or moved enterprise through `require_in_reach`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.registry.models import (
    Body,
    District,
    Enterprise,
    EnterpriseQuerySet,
    Inspector,
    InspectorQuerySet,
)


def _user(user: Any) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user  # type: ignore[no-any-return]


def require_login(user: Any) -> User:
    found = _user(user)
    if found is None:
        raise PermissionDenied("Log in first.")
    return found


def require_official(user: Any) -> User:
    found = require_login(user)
    if not found.is_official:
        raise PermissionDenied("Only government staff may do this.")
    return found


def enterprises_for_user(user: Any) -> EnterpriseQuerySet:
    found = _user(user)
    qs = Enterprise.objects.with_refs()
    if found is None:
        raise PermissionDenied("Log in to see the enterprise register.")
    if found.is_official:
        return qs.filter(found.in_reach("district"))
    if found.is_enterprise_user:
        return qs.filter(pk=found.enterprise_id or 0)
    raise PermissionDenied("Your account has no role that may see enterprises.")


def get_enterprise_for_user(user: Any, pk: int) -> Enterprise:
    try:
        return enterprises_for_user(user).get(pk=pk)
    except Enterprise.DoesNotExist:
        raise Http404("No such enterprise") from None


def _within(codes: list[str] | None, district: District | str | None) -> bool:
    if codes is None:
        return True
    code = district.pk if isinstance(district, District) else district
    return code in codes


def in_area(user: Any, district: District | str | None) -> bool:
    """Whether a record in `district` lies in the user's area (always, for most users)."""
    return _within(getattr(user, "area_codes", None), district)


def require_in_area(user: Any, district: District | str | None) -> None:
    if not in_area(user, district):
        raise PermissionDenied("This lies outside your area.")


def in_reach(user: Any, district: District | str | None) -> bool:
    """Whether an enterprise in `district` lies where the user acts (see `User.reach_codes`)."""
    return _within(getattr(user, "reach_codes", None), district)


def require_in_reach(user: Any, district: District | str | None) -> None:
    if not in_reach(user, district):
        raise PermissionDenied("This enterprise lies outside the area your body acts in.")


def can_edit_enterprises(user: Any) -> bool:
    found = _user(user)
    return found is not None and (found.is_supervisor or found.is_body_admin)


def require_enterprise_editor(user: Any) -> User:
    if not can_edit_enterprises(user):
        raise PermissionDenied("Only the supervisor and department admins change enterprises.")
    return require_login(user)


def bodies_for_user(user: Any) -> QuerySet[Body]:
    qs = Body.objects.select_related("district", "entrusted_by")
    found = _user(user)
    if found is not None and found.supervises_everything:
        return qs
    if found is not None and found.is_supervisor:
        return qs.filter(Q(published=True) | found.in_area("district"))
    if found is not None and found.body_id is not None and found.is_official:
        return qs.filter(Q(published=True) | Q(pk=found.body_id))
    return qs.filter(published=True)


def get_body_for_user(user: Any, pk: int) -> Body:
    try:
        return bodies_for_user(user).get(pk=pk)
    except Body.DoesNotExist:
        raise Http404("No such body") from None


def require_body_editor(user: Any) -> User:
    found = require_login(user)
    if not found.is_supervisor:
        raise PermissionDenied("Only the supervisor changes the list of inspecting bodies.")
    return found


def inspectors_for_user(user: Any) -> InspectorQuerySet:
    found = require_login(user)
    qs = Inspector.objects.select_related("body", "body__district").prefetch_related("districts")
    if found.is_supervisor:
        return qs.filter(found.in_area("body__district"))
    if found.is_body_admin:
        return qs.filter(body_id=found.body_id or 0)
    if found.is_inspector:
        return qs.filter(user=found)
    raise PermissionDenied("Your account has no role that may see inspectors.")


def get_inspector_for_user(user: Any, pk: int) -> Inspector:
    try:
        return inspectors_for_user(user).get(pk=pk)
    except Inspector.DoesNotExist:
        raise Http404("No such inspector") from None


def require_inspector_editor(user: Any, body: Body | None = None) -> User:
    """The supervisor, or the admin of the body the inspector belongs to."""
    found = require_login(user)
    if found.is_supervisor and (body is None or in_area(found, body.district_id)):
        return found
    if found.is_body_admin and (body is None or body.pk == found.body_id):
        return found
    raise PermissionDenied("Only the supervisor or this body's admin change its inspectors.")


def importable_kinds(user: Any) -> list[str]:
    found = _user(user)
    if found is None:
        return []
    if found.is_supervisor:
        return [
            "enterprises",
            "bodies",
            "inspectors",
            "items",
            "ledger",
            "penalties",
            "holidays",
            "scope",
        ]
    if found.is_body_admin:
        kinds = ["enterprises", "inspectors", "items", "ledger", "penalties"]
        if found.body is not None and found.body.code == settings.ONEVISIT_MARKET_BODY:
            kinds.append("scope")
        return kinds
    return []
