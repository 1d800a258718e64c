from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.inspections import access as visit_access
from onevisit.inspections.actions import VisitRefused, do_handle_complaint, do_note_evaluation
from onevisit.inspections.models import Complaint, Visit
from onevisit.oversight import access
from onevisit.oversight.actions import (
    WarningRefused,
    current_rules,
    do_acknowledge_warning,
    do_close_warning,
    do_save_rule,
)
from onevisit.oversight.models import ABSENT, Kind, Warning
from onevisit.oversight.statistics import dashboard_figures
from onevisit.registry.access import require_login


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = access.require_supervisor(request.user)
    figures = dashboard_figures(timezone.localdate(), user)
    return render(request, "oversight/dashboard.html", figures)


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    warnings = access.warnings_for_user(request.user).prefetch_related("visits")
    status = request.GET.get("status", "open")
    if status in Warning.Status.values:
        warnings = warnings.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        warnings = warnings.filter(kind=kind)
    elif kind == "absent":
        warnings = warnings.filter(kind__in=ABSENT)
    page = Paginator(warnings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/warning_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": Warning.Status.choices,
            "kinds": Kind.choices,
        },
    )


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = access.get_warning(request.user, pk)
    visits = Visit.objects.with_refs().filter(warnings=warning).prefetch_related("bodies")
    return render(request, "oversight/warning_detail.html", {"warning": warning, "visits": visits})


@login_required
@require_POST
def warning_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    warning = access.get_warning(request.user, pk)
    note = request.POST.get("note", "")
    try:
        if action == "acknowledge":
            do_acknowledge_warning(
                actor=Actor.of(request.user),
                warning=warning,
                by=require_login(request.user),
                note=note,
            )
        elif action == "close":
            access.require_supervisor(request.user)
            do_close_warning(
                actor=Actor.of(request.user),
                warning=warning,
                by=require_login(request.user),
                note=note,
            )
        else:
            raise Http404("Unknown action.")
        messages.success(request, _("Saved."))
    except WarningRefused as error:
        messages.error(request, str(error))
    return redirect("oversight:warning_detail", pk=warning.pk)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user = access.require_supervisor(request.user)
    if request.method == "POST" and not user.supervises_everything:
        messages.error(request, _("Only the supervisor of the whole deployment changes the rules."))
        return redirect("oversight:rules")
    if request.method == "POST":
        try:
            kind = request.POST.get("kind", "")
            days = request.POST.get("days", "").strip()
            threshold = request.POST.get("threshold", "").strip()
            do_save_rule(
                actor=Actor.of(request.user),
                kind=kind,
                enabled=request.POST.get("enabled") == "on",
                days=int(days) if days else None,
                threshold=Decimal(threshold) if threshold else None,
            )
            messages.success(request, _("Saved."))
        except (ValueError, InvalidOperation):
            messages.error(request, _("Give whole days and a number."))
        except WarningRefused as error:
            messages.error(request, str(error))
        return redirect("oversight:rules")
    return render(
        request,
        "oversight/rules.html",
        {"rules": current_rules().values(), "can_change": user.supervises_everything},
    )


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    evaluations = visit_access.evaluations_for_supervisor(request.user)
    page = Paginator(evaluations, 50).get_page(request.GET.get("page"))
    return render(request, "oversight/evaluation_list.html", {"page": page})


@login_required
@require_POST
def evaluation_note(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(visit_access.evaluations_for_supervisor(request.user), pk=pk)
    do_note_evaluation(
        actor=Actor.of(request.user), evaluation=evaluation, note=request.POST.get("note", "")
    )
    messages.success(request, _("Saved."))
    return redirect("oversight:evaluation_list")


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    complaints = access.complaints_for_supervisor(request.user)
    status = request.GET.get("status", "open")
    if status in Complaint.Status.values:
        complaints = complaints.filter(status=status)
    page = Paginator(complaints, 50).get_page(request.GET.get("page"))
    return render(request, "oversight/complaint_list.html", {"page": page, "status": status})


@login_required
@require_POST
def complaint_handle(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(access.complaints_for_supervisor(request.user), pk=pk)
    try:
        do_handle_complaint(
            actor=Actor.of(request.user), complaint=complaint, note=request.POST.get("note", "")
        )
        messages.success(request, _("Saved."))
    except VisitRefused as error:
        messages.error(request, str(error))
    return redirect("oversight:complaint_list")
