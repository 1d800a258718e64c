from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.lib.params import whole_number
from onevisit.rectification import access
from onevisit.rectification.actions import (
    Check,
    RectificationRefused,
    do_close_out,
    do_plan_recheck,
    do_reopen_rectification,
    do_submit_evidence,
    do_verify_rectification,
)
from onevisit.rectification.exports import LEDGER_HEADERS, ledger_rows
from onevisit.rectification.models import Rectification, RectificationQuerySet
from onevisit.registry.access import require_login
from onevisit.registry.models import Body
from onevisit.registry.views import xlsx_response

FILTERS = ("open", "submitted", "overdue", "closed", "all")


def _filtered(request: HttpRequest) -> tuple[RectificationQuerySet, dict[str, Any]]:
    rects = access.rectifications_for_user(request.user)
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    if show == "open":
        rects = rects.open()
    elif show == "submitted":
        rects = rects.filter(status=Rectification.Status.SUBMITTED)
    elif show == "overdue":
        rects = rects.overdue(today)
    elif show == "closed":
        rects = rects.filter(status=Rectification.Status.CLOSED)
    body = request.GET.get("body", "")
    if (body_id := whole_number(body)) is not None:
        rects = rects.filter(body_id=body_id)
    campaign = request.GET.get("campaign", "").strip()
    if campaign:
        rects = rects.filter(campaign=campaign)
    q = request.GET.get("q", "").strip()
    if q:
        rects = rects.filter(
            Q(unit_name__icontains=q) | Q(problem__icontains=q) | Q(enterprise__uscc=q.upper())
        )
    return rects, {"show": show, "body": body, "campaign": campaign, "q": q, "today": today}


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """台账: per body for its staff, city-wide for the supervisor, own for an enterprise."""
    rects, params = _filtered(request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "ledger", "整改台账", LEDGER_HEADERS, ledger_rows(rects.order_by("found_on", "id"))
        )
    page = Paginator(rects.order_by("deadline", "id"), 50).get_page(request.GET.get("page"))
    mine = access.rectifications_for_user(request.user).order_by()
    # Three counts that each walk an index, rather than one pass over every row.
    counts = {
        "open": mine.open().count(),
        "overdue": mine.overdue(params["today"]).count(),
        "closed": mine.filter(status=Rectification.Status.CLOSED).count(),
    }
    user: Any = request.user
    return render(
        request,
        "rectification/ledger.html",
        {
            **params,
            "page": page,
            "counts": counts,
            "filters": FILTERS,
            "bodies": Body.objects.filter(
                user.in_area("district"), rectifications__isnull=False
            ).distinct()
            if user.is_supervisor
            else [],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_rectification(request.user, pk))


def _detail(
    request: HttpRequest, rect: Rectification, typed: dict[str, str] | None = None
) -> HttpResponse:
    """The page; after a refusal, with the refused form's text back in it (and status 422)."""
    user: Any = request.user
    return render(
        request,
        "rectification/detail.html",
        {
            "rect": rect,
            "events": rect.events.select_related("by"),
            "evidence": rect.evidence.all(),
            "is_owner": user.is_enterprise_user and user.enterprise_id == rect.enterprise_id,
            "is_staff": (user.is_body_admin or user.is_inspector) and user.body_id == rect.body_id,
            "today": timezone.localdate(),
            "typed": typed or {},
        },
        status=422 if typed else 200,
    )


def _say_what_happened(request: HttpRequest, rect: Rectification) -> None:
    """The message says what the step did: a rectification found not fixed is a warning, not
    a green "saved"."""
    status = Rectification.Status
    if rect.status == status.REOPENED:
        messages.warning(
            request,
            _("Recorded as not fixed: the rectification starts again, due %(day)s.")
            % {"day": rect.deadline},
        )
    elif rect.status == status.SUBMITTED and rect.recheck_task_id:
        messages.info(request, _("An on-site re-check is planned; record its outcome here."))
    elif rect.status == status.SUBMITTED:
        messages.success(request, _("Evidence submitted; the body checks it."))
    elif rect.status == status.VERIFIED:
        messages.success(request, _("Verified as fixed; it can be closed out (销号)."))
    elif rect.status == status.CLOSED:
        messages.success(request, _("Closed out (销号)."))
    else:
        messages.success(request, _("Saved."))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rect = access.get_rectification(request.user, pk)
    actor = Actor.of(request.user)
    note = request.POST.get("note", "")
    try:
        if action == "evidence":
            user = access.require_evidence_giver(request.user, rect)
            do_submit_evidence(
                actor=actor,
                rect=rect,
                by=user,
                text=note,
                files=request.FILES.getlist("files"),
                on_paper=not user.is_enterprise_user,
            )
        elif action == "recheck":
            user = access.require_body_staff(request.user, rect)
            do_plan_recheck(actor=actor, rect=rect, by=user)
        elif action == "verify":
            user = access.require_body_staff(request.user, rect)
            check = Check(
                method=request.POST.get("method", ""),
                passed=request.POST.get("passed") == "yes",
                note=note,
            )
            do_verify_rectification(actor=actor, rect=rect, by=user, check=check)
        elif action == "close":
            user = access.require_body_staff(request.user, rect)
            do_close_out(actor=actor, rect=rect, by=user)
        elif action == "reopen":
            user = access.require_body_staff(request.user, rect)
            days = request.POST.get("days", "10")
            do_reopen_rectification(
                actor=actor,
                rect=rect,
                by=user,
                reason=note,
                working_days=whole_number(days, low=1, high=90) or 10,
            )
        else:
            raise Http404("Unknown action.")
        _say_what_happened(request, rect)
    except RectificationRefused as error:
        messages.error(request, str(error))
        rect.refresh_from_db()
        return _detail(request, rect, typed={"action": action, "note": note})
    return redirect("rectification:detail", pk=rect.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    found = access.get_evidence(request.user, pk)
    if not found.file:
        raise Http404("No file.")
    require_login(request.user)
    return FileResponse(
        found.file.open("rb"), content_type=found.content_type, filename=found.file_name
    )
