"""Who sees the supervisor's warnings, evaluations and complaints.

- The supervisor: everything, and only they close warnings, read individual evaluations and
  complaints.
- A department admin: the warnings about its own body's visits, which it acknowledges with a
  note; never an individual evaluation or complaint.
- Everyone else: nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.inspections.models import Complaint
from onevisit.oversight.models import Warning
from onevisit.registry.access import require_login


def require_supervisor(user: Any) -> User:
    found = require_login(user)
    if not found.is_supervisor:
        raise PermissionDenied("Only the supervisor does this.")
    return found


def warnings_for_user(user: Any) -> QuerySet[Warning]:
    found = require_login(user)
    warnings = Warning.objects.select_related("enterprise", "body")
    if found.is_supervisor:
        return warnings.filter(found.in_area("enterprise__district"))
    if found.is_body_admin:
        mine = Q(body_id=found.body_id) | Q(visits__bodies=found.body_id)
        return warnings.filter(mine).distinct()
    raise PermissionDenied("Only the supervisor and department admins see warnings.")


def get_warning(user: Any, pk: int) -> Warning:
    try:
        return warnings_for_user(user).get(pk=pk)
    except Warning.DoesNotExist:
        raise Http404("No such warning.") from None


def complaints_for_supervisor(user: Any) -> QuerySet[Complaint]:
    found = require_supervisor(user)
    complaints = Complaint.objects.select_related("visit__enterprise", "visit__lead_body")
    return complaints.filter(found.in_area("visit__enterprise__district"))
