"""Who may read and change item lists. Published items are public; drafts and withdrawn
versions only the supervisor and the body's own staff; only a body's admin changes its items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from onevisit.catalog.models import Item, ItemQuerySet
from onevisit.registry.access import require_login
from onevisit.registry.models import Body


def items_for_user(user: Any) -> ItemQuerySet:
    """Published items for everyone, plus every version of their own body's items for staff."""
    qs = Item.objects.select_related("body")
    if not getattr(user, "is_authenticated", False):
        return qs.published().filter(body__published=True)
    if user.supervises_everything:
        return qs
    if user.is_supervisor:
        return qs.filter(Q(status=Item.Status.PUBLISHED) | user.in_area("body__district"))
    if user.is_official and user.body_id:
        return qs.filter(Q(status=Item.Status.PUBLISHED) | Q(body_id=user.body_id))
    return qs.published().filter(body__published=True)


def get_item(user: Any, pk: int) -> Item:
    try:
        return items_for_user(user).get(pk=pk)
    except Item.DoesNotExist:
        raise Http404("No such item.") from None


def require_item_editor(user: Any, body: Body) -> None:
    found = require_login(user)
    if not (found.is_body_admin and found.body_id == body.pk):
        raise PermissionDenied("Only the body's admin changes its item list.")
