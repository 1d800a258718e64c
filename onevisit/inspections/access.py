"""Who may see and do what with visits. Every view calls one of these first.

- The supervisor sees every visit, evaluation and complaint (a city's supervisor, those of
  enterprises in the city).
- A department admin sees the visits in which its body takes part, registers its own, and
  answers the enterprise's proposals for visits its body leads.
- An inspector sees the visits of their body and works (check-in, checklist, sign, close) on
  those whose team they are in.
- An enterprise user sees its own enterprise's visits, except an unannounced one before the
  team has checked in; it proposes days, signs nothing online, and evaluates closed visits.
- Evaluations: the inspected bodies see only aggregates over at least `MIN_EVALUATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Q, QuerySet
from django.http import Http404

from onevisit.accounts.models import User
from onevisit.inspections.models import Evaluation, Photo, Visit
from onevisit.registry.access import in_area, require_login
from onevisit.registry.models import Body, Inspector

MIN_EVALUATIONS = 5


def visits_for_user(user: Any) -> QuerySet[Visit]:
    found = require_login(user)
    visits = Visit.objects.with_refs()
    if found.is_supervisor:
        return visits.filter(found.in_area("enterprise__district"))
    if found.is_body_admin or found.is_inspector:
        return visits.filter(bodies=found.body_id).distinct()
    if found.is_enterprise_user:
        hidden = Q(unannounced=True, status=Visit.Status.SCHEDULED)
        return visits.filter(enterprise_id=found.enterprise_id or 0).exclude(hidden)
    raise PermissionDenied("Only officials and enterprises see visits.")


def get_visit(user: Any, pk: int) -> Visit:
    try:
        return visits_for_user(user).get(pk=pk)
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None


def inspector_of(user: Any) -> Inspector:
    found = require_login(user)
    inspector = Inspector.objects.filter(user=found).first() if found.is_inspector else None
    if inspector is None:
        raise PermissionDenied("Only an inspector works on site.")
    return inspector


def get_visit_for_team(user: Any, pk: int) -> Visit:
    """A visit the user works on: they are in its team. A visit the user may not see at all
    answers 404, as a missing one does; one they see but do not work on, 403."""
    visit = get_visit(user, pk)
    inspector = inspector_of(user)
    if not visit.inspectors.filter(pk=inspector.pk).exists():
        raise PermissionDenied("Only the visit's team works on it.")
    return visit


def get_visit_for_enterprise(user: Any, pk: int) -> Visit:
    found = require_login(user)
    visit = get_visit(found, pk)
    if not found.is_enterprise_user:
        raise PermissionDenied("Only the visited enterprise does this.")
    return visit


def get_visit_to_manage(user: Any, pk: int) -> Visit:
    """The supervisor, or a department admin of the visit's lead body."""
    found = require_login(user)
    visit = get_visit(found, pk)
    if found.is_supervisor or (found.is_body_admin and visit.lead_body_id == found.body_id):
        return visit
    raise PermissionDenied("Only the lead body's admin manages this visit.")


def registering_body(user: Any) -> Body:
    """Department admins register visits for their body; inspectors register emergencies."""
    found = require_login(user)
    if (found.is_body_admin or found.is_inspector) and found.body is not None:
        return found.body
    raise PermissionDenied("Only a department registers visits.")


def get_photo(user: Any, pk: int) -> Photo:
    try:
        photo = Photo.objects.select_related("result").get(pk=pk)
    except Photo.DoesNotExist:
        raise Http404("No such photo.") from None
    get_visit(user, photo.result.visit_id)
    return photo


def evaluations_for_supervisor(user: Any) -> QuerySet[Evaluation]:
    found = require_login(user)
    if not found.is_supervisor:
        raise PermissionDenied("Only the supervisor reads individual evaluations.")
    evaluations = Evaluation.objects.select_related("visit__enterprise", "visit__lead_body")
    return evaluations.filter(found.in_area("visit__enterprise__district"))


@dataclass(frozen=True)
class Summary:
    body: str
    count: int
    conduct: float | None
    professionalism: float | None
    burden: float | None

    @property
    def shown(self) -> bool:
        return self.conduct is not None


def evaluation_summary(user: Any, body: Body) -> Summary:
    """The averages of a body's evaluations, hidden below MIN_EVALUATIONS so that no single
    enterprise's rating can be told apart. The figures move only in whole blocks of
    MIN_EVALUATIONS (the oldest first), so that comparing them before and after one new
    evaluation reveals nothing about it."""
    found: User = require_login(user)
    supervises = found.is_supervisor and in_area(found, body.district_id)
    if not (supervises or (found.is_official and found.body_id == body.pk)):
        raise PermissionDenied("A body sees only its own evaluation summary.")
    of_body = Evaluation.objects.filter(visit__bodies=body)
    total = of_body.count()
    counted = total - total % MIN_EVALUATIONS
    if counted == 0:
        return Summary(body.name, total, None, None, None)
    ids = list(of_body.order_by("id").values_list("id", flat=True)[:counted])
    figures = Evaluation.objects.filter(id__in=ids).aggregate(
        c=Avg("conduct"), p=Avg("professionalism"), b=Avg("burden")
    )
    return Summary(body.name, counted, figures["c"], figures["p"], figures["b"])
