from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.campaigns import access
from onevisit.campaigns.actions import (
    CampaignRefused,
    SiteFinding,
    do_bind_device,
    do_close_unit,
    do_record_dismantling,
    do_record_site_check,
    retirement_totals,
)
from onevisit.campaigns.models import Campaign, RetirementUnit, SiteResult, Target
from onevisit.lib.params import whole_number
from onevisit.monitoring.models import Alert, Device
from onevisit.rectification.models import Rectification
from onevisit.registry.models import Enterprise


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = access.campaigns_for_user(request.user)
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(access.campaigns_for_user(request.user), pk=pk)
    today = timezone.localdate()
    problems = Rectification.objects.filter(campaign=campaign.name).aggregate(
        found=Count("id"),
        closed=Count("id", filter=Q(status=Rectification.Status.CLOSED)),
        overdue=Count("id", filter=Q(status__in=["open", "reopened"], deadline__lt=today)),
    )
    enterprises = (
        RetirementUnit.objects.filter(campaign=campaign)
        .values("enterprise_id", "enterprise__name")
        .annotate(
            units=Sum("count"),
            closed=Sum("count", filter=Q(status=RetirementUnit.Status.CLOSED)),
            overdue=Count(
                "id", filter=~Q(status=RetirementUnit.Status.CLOSED) & Q(deadline__lt=today)
            ),
        )
        .order_by("enterprise__name")
    )
    revived = Alert.objects.filter(
        kind=Alert.Kind.REVIVED, device__retired_units__campaign=campaign
    ).distinct()
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "problems": problems,
            "closed_share": round(100 * problems["closed"] / problems["found"])
            if problems["found"]
            else 0,
            "totals": retirement_totals(campaign, today),
            "enterprises": enterprises,
            "revived": revived.select_related("device__enterprise")[:20],
            "groups": campaign.groups.prefetch_related("members__body"),
            "site_types": campaign.site_types.prefetch_related("points"),
            "targets": campaign.targets.select_related("site_type", "group").annotate(
                check_count=Count("checks", distinct=True)
            ),
        },
    )


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        Target.objects.select_related("campaign", "site_type", "group"), pk=pk
    )
    get_object_or_404(access.campaigns_for_user(request.user), pk=target.campaign_id)
    groups = access.groups_of(request.user, target.campaign)
    checks = target.checks.select_related("group", "by").prefetch_related(
        "results__point", "results__rectification"
    )
    return render(
        request,
        "campaigns/target_detail.html",
        {
            "target": target,
            "checks": checks,
            "groups": groups,
            "points": target.site_type.points.all() if target.site_type else [],
            "outcomes": SiteResult.Outcome.choices,
        },
    )


@login_required
@require_POST
def target_check(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target.objects.select_related("campaign", "site_type"), pk=pk)
    user = access.require_checker(request.user, target)
    group = get_object_or_404(
        access.groups_of(user, target.campaign), pk=whole_number(request.POST.get("group")) or 0
    )
    points = list(target.site_type.points.all()) if target.site_type else []
    findings = [
        SiteFinding(
            point=point,
            outcome=request.POST.get(f"outcome-{point.pk}", ""),
            problem=request.POST.get(f"problem-{point.pk}", ""),
            severity=request.POST.get(f"severity-{point.pk}", "general") or "general",
        )
        for point in points
    ]
    try:
        do_record_site_check(
            actor=Actor.of(user),
            target=target,
            group=group,
            by=user,
            findings=findings,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Saved; the problems are in the campaign's ledger."))
    except CampaignRefused as error:
        messages.error(request, str(error))
    return redirect("campaigns:target_detail", pk=target.pk)


@login_required
def enterprise_plan(request: HttpRequest, pk: int, enterprise_id: int) -> HttpResponse:
    """一企一策: the enterprise's list of units to retire, with proof and close-out."""
    access.may_see_plan(request.user, enterprise_id)
    campaign = get_object_or_404(Campaign, pk=pk)
    enterprise = get_object_or_404(Enterprise, pk=enterprise_id)
    units = RetirementUnit.objects.filter(campaign=campaign, enterprise=enterprise).select_related(
        "device"
    )
    lead = access.is_lead_staff(request.user, campaign)
    return render(
        request,
        "campaigns/enterprise_plan.html",
        {
            "campaign": campaign,
            "enterprise": enterprise,
            "units": units,
            "lead": lead,
            "own": getattr(request.user, "enterprise_id", None) == enterprise.pk,
            "devices": Device.objects.filter(enterprise=enterprise) if lead else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def unit_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    unit = get_object_or_404(RetirementUnit.objects.select_related("campaign"), pk=pk)
    actor = Actor.of(request.user)
    try:
        if action == "dismantle":
            access.require_prover(request.user, unit)
            do_record_dismantling(
                actor=actor,
                unit=unit,
                note=request.POST.get("note", ""),
                proof=request.FILES.get("proof"),
            )
        elif action == "close":
            access.require_lead_staff(request.user, unit.campaign)
            do_close_unit(actor=actor, unit=unit)
        elif action == "bind":
            access.require_lead_staff(request.user, unit.campaign)
            device = get_object_or_404(Device, pk=request.POST.get("device") or 0)
            do_bind_device(actor=actor, unit=unit, device=device)
        else:
            raise Http404("Unknown action.")
        messages.success(request, _("Saved."))
    except CampaignRefused as error:
        messages.error(request, str(error))
    return redirect(
        "campaigns:enterprise_plan", pk=unit.campaign_id, enterprise_id=unit.enterprise_id
    )


@login_required
def proof(request: HttpRequest, pk: int) -> FileResponse:
    unit = get_object_or_404(RetirementUnit, pk=pk)
    access.may_see_plan(request.user, unit.enterprise_id)
    if not unit.proof:
        raise Http404("No proof.")
    return FileResponse(unit.proof.open("rb"), filename=f"proof-{unit.pk}")
