"""Who does what with the business scope.

- Anyone reads the catalogue and looks up an enterprise's published scope.
- A county-level department admin proposes regional entries for its district.
- The admins of market regulation (`ONEVISIT_MARKET_BODY`) review them and import the catalogue.
- An enterprise user publishes its own enterprise's scope.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied

from onevisit.accounts.models import User
from onevisit.registry.access import require_login
from onevisit.registry.models import Body, Enterprise


def is_reviewer(user: Any) -> bool:
    return bool(
        getattr(user, "is_body_admin", False)
        and user.body is not None
        and user.body.code == settings.ONEVISIT_MARKET_BODY
    )


def require_reviewer(user: Any) -> User:
    found = require_login(user)
    if not is_reviewer(found):
        raise PermissionDenied("Only market regulation reviews regional entries.")
    return found


def can_propose(user: Any) -> bool:
    return bool(
        getattr(user, "is_body_admin", False)
        and user.body is not None
        and user.body.level == Body.Level.COUNTY
    )


def require_proposer(user: Any) -> User:
    found = require_login(user)
    if not can_propose(found):
        raise PermissionDenied("A county-level department proposes its district's entries.")
    return found


def own_enterprise(user: Any) -> Enterprise:
    found = require_login(user)
    if not found.is_enterprise_user or found.enterprise is None:
        raise PermissionDenied("Only an enterprise publishes its own scope.")
    return found.enterprise
