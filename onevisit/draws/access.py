"""Draws are public (一公开): anyone reads plans, pools and records. A department admin creates
and runs its body's draws; the supervisor creates and runs joint draws."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from onevisit.draws.models import Draw
from onevisit.registry.access import require_login
from onevisit.registry.models import Body


def body_for_new_draw(user: Any) -> Body | None:
    """The body a new draw belongs to: the admin's own, or none for the supervisor's joint draw."""
    found = require_login(user)
    if found.supervises_everything:  # its pool is the whole register
        return None
    if found.is_body_admin and found.body is not None:
        return found.body
    raise PermissionDenied(
        "Only department admins and the supervisor of the whole deployment organise draws."
    )


def require_owner(user: Any, draw: Draw) -> None:
    found = require_login(user)
    if draw.body_id is None and found.supervises_everything:
        return
    if draw.body_id is not None and found.is_body_admin and found.body_id == draw.body_id:
        return
    raise PermissionDenied("Only the body that organised the draw enters its seed.")


def can_run(user: Any, draw: Draw) -> bool:
    try:
        require_owner(user, draw)
    except PermissionDenied:
        return False
    return True
