from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor
from onevisit.lib.params import whole_number
from onevisit.penalties import access
from onevisit.penalties.actions import Case, DecisionRefused, consistency_report, do_decide_penalty
from onevisit.penalties.models import Level, Violation
from onevisit.registry.access import enterprises_for_user
from onevisit.registry.models import Body, Enterprise, Inspector


def catalogue(request: HttpRequest) -> HttpResponse:
    """The published discretion catalogues, no login."""
    violations = Violation.objects.select_related("body").prefetch_related("levels")
    q = request.GET.get("q", "").strip()
    if q:
        violations = violations.filter(name__icontains=q) | violations.filter(code__icontains=q)
    page = Paginator(violations, 30).get_page(request.GET.get("page"))
    return render(request, "penalties/catalogue.html", {"page": page, "q": q})


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    decisions = access.decisions_for_user(request.user)
    if request.GET.get("outside") == "1":
        decisions = decisions.filter(outside_range=True)
    page = Paginator(decisions, 50).get_page(request.GET.get("page"))
    return render(request, "penalties/decision_list.html", {"page": page})


def _enterprise(request: HttpRequest, uscc: str) -> Enterprise | None:
    if not uscc:
        return None
    found = enterprises_for_user(request.user).filter(uscc=uscc).first()
    if found is None:
        raise DecisionRefused(
            _("No enterprise with this credit code is registered in the area your body acts in.")
        )
    return found


def _case(request: HttpRequest, body: Body) -> Case:
    post = request.POST
    try:
        level = Level.objects.select_related("violation").get(
            pk=whole_number(post.get("level")) or 0
        )
    except Level.DoesNotExist:
        raise DecisionRefused(_("Choose the violation and its level from the catalogue.")) from None
    try:
        fine = Decimal(post.get("fine") or "0")
        decided = dt.date.fromisoformat(post.get("decided_on") or timezone.localdate().isoformat())
        ordered = (
            dt.date.fromisoformat(post["order_to_correct_on"])
            if post.get("order_to_correct_on")
            else None
        )
    except (InvalidOperation, ValueError):
        raise DecisionRefused(_("Give the fine in yuan and dates as YYYY-MM-DD.")) from None
    if not fine.is_finite() or not 0 <= fine < 10**10:
        raise DecisionRefused(_("Give the fine in yuan and dates as YYYY-MM-DD."))
    uscc = post.get("uscc", "").strip().upper()
    return Case(
        case_number=post.get("case_number", ""),
        body=body,
        violation=level.violation,
        level=level,
        fine=fine,
        reasons=post.get("reasons", ""),
        decided_on=decided,
        measure=post.get("measure", ""),
        enterprise=_enterprise(request, uscc),
        inspector=Inspector.objects.filter(
            pk=whole_number(post.get("inspector")) or 0, body=body
        ).first(),
        order_to_correct_on=ordered,
        first_violation=post.get("first_violation") == "on",
        corrected_in_time=post.get("corrected_in_time") == "on",
        justification=post.get("justification", ""),
    )


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    user = access.deciding_user(request.user)
    body = user.body
    assert body is not None
    if request.method == "POST":
        try:
            decision = do_decide_penalty(actor=Actor.of(user), case=_case(request, body), by=user)
        except DecisionRefused as error:
            messages.error(request, str(error))
        else:
            if decision.outside_range:
                messages.warning(
                    request, _("Recorded, and flagged for the supervisor: outside the range.")
                )
            else:
                messages.success(request, _("Recorded."))
            return redirect("penalties:decision_list")
    levels = Level.objects.filter(
        violation__body_id__in={body.pk, body.acts_in_name_of().pk}
    ).select_related("violation")
    return render(
        request,
        "penalties/decision_new.html",
        {
            "levels": levels,
            "inspectors": Inspector.objects.filter(body=body, active=True),
            "post": request.POST,
            "today": timezone.localdate(),
        },
    )


@login_required
def consistency(request: HttpRequest) -> HttpResponse:
    access.require_supervisor(request.user)
    spreads = consistency_report(among=access.decisions_for_user(request.user))
    return render(request, "penalties/consistency.html", {"spreads": spreads})
