from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.assessments import access
from onevisit.assessments.actions import (
    Application,
    AssessmentRefused,
    do_assess_emergency,
    do_decide_assessment,
    do_file_assessment,
)
from onevisit.assessments.forms import AssessmentForm, EmergencyAssessmentForm
from onevisit.assessments.models import Assessment
from onevisit.assessments.queries import facts_for
from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.inspections import access as visit_access
from onevisit.lib.params import whole_number
from onevisit.registry.access import require_login
from onevisit.versions.actions import versions_of


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    assessments = access.assessments_for_user(request.user)
    status = request.GET.get("status", "")
    if status in Assessment.Status.values:
        assessments = assessments.filter(status=status)
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    user = require_login(request.user)
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Assessment.Status.choices,
            "can_file": user.is_body_admin,
        },
    )


@login_required
def assessment_new(request: HttpRequest) -> HttpResponse:
    body = access.filing_body(request.user)
    form = AssessmentForm(
        request.POST or None,
        items=Item.objects.published().filter(body=body),
        body=body,
        initial={"window_start": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = do_file_assessment(
                actor=Actor.of(request.user),
                by=require_login(request.user),
                body=body,
                app=Application(
                    kind=data["kind"],
                    title=data["title"],
                    cause=data["cause"],
                    legal_basis=data["legal_basis"],
                    why_not_joint=data["why_not_joint"],
                    why_not_replaced=data["why_not_replaced"],
                    burden=data["burden"],
                    window_start=data["window_start"],
                    window_end=data["window_end"],
                ),
                enterprises=data["enterprises"],
                items=list(data["items"]),
            )
        except AssessmentRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Filed; the approver has it now."))
            return redirect("assessments:assessment_detail", pk=assessment.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "assessments/assessment_new.html", {"form": form, "body": body}, status=status
    )


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_assessment(request.user, pk))


def _detail(
    request: HttpRequest,
    assessment: Assessment,
    unticked: set[int] | None = None,
    status: int = 200,
) -> HttpResponse:
    targets = assessment.targets.select_related("enterprise").order_by("id")
    page = Paginator(targets, 50).get_page(request.GET.get("page"))
    can_decide = access.can_decide(request.user, assessment) and not assessment.decided
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "items": assessment.items.select_related("body"),
            "page": page,
            "facts": facts_for(assessment, list(page), timezone.localdate()),
            "can_decide": can_decide,
            "targets": list(targets) if can_decide else [],
            "unticked": unticked or set(),
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "versions": versions_of(assessment),
            "visits": assessment.visits.select_related("enterprise").order_by("date"),
        },
        status=status,
    )


@login_required
@require_POST
def assessment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """What is ticked is what is approved: the form lists every enterprise of the assessment;
    a submission that does not list them all (an old page, a forged request) is refused, never
    widened."""
    assessment = access.get_assessment(request.user, pk)
    user = access.require_decider(request.user, assessment)
    approve = request.POST.get("decision") == "approve"
    listed = set(_ids(request.POST.getlist("listed")))
    keep = set(_ids(request.POST.getlist("keep"))) & listed
    try:
        if listed != set(assessment.targets.values_list("enterprise_id", flat=True)):
            raise AssessmentRefused(
                _(
                    "The decision did not list every enterprise of the assessment: nothing was "
                    "decided. Open the assessment again and tick the enterprises to approve."
                )
            )
        do_decide_assessment(
            actor=Actor.of(user),
            by=user,
            assessment=assessment,
            approve=approve,
            keep=keep,
            reason=request.POST.get("reason", ""),
        )
    except AssessmentRefused as error:
        messages.error(request, str(error))
        return _detail(request, assessment, unticked=listed - keep, status=422)
    messages.success(request, _("Approved.") if approve else _("Refused."))
    return redirect("assessments:assessment_detail", pk=assessment.pk)


def _ids(values: list[str]) -> list[int]:
    return [n for n in (whole_number(v) for v in values) if n is not None]


@login_required
def emergency_assess(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_access.get_visit_to_manage(request.user, visit_pk)
    user = require_login(request.user)
    if not user.is_body_admin:
        raise PermissionDenied("The lead body's admins assess its emergency visit.")
    form = EmergencyAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = do_assess_emergency(
                actor=Actor.of(user), by=user, visit=visit, **form.cleaned_data
            )
        except AssessmentRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Filed; the approver has it now."))
            return redirect("assessments:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "assessments/emergency.html",
        {"form": form, "visit": visit},
        status=422 if request.method == "POST" else 200,
    )


def public_list(request: HttpRequest) -> HttpResponse:
    """Approved special and ad-hoc inspections, as the public list of planned inspections
    shows them: who, why, on what legal basis, which items, when; no enterprise is named."""
    assessments = (
        Assessment.objects.public()
        .filter(window_end__gte=timezone.localdate().replace(month=1, day=1))
        .select_related("body")
        .prefetch_related("items")
        .annotate(enterprises=Count("targets", filter=Q(targets__approved=True)))
        .order_by("window_start", "id")
    )
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    return render(request, "assessments/public.html", {"page": page})
