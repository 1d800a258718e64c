from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.inspections import access
from onevisit.inspections.actions import (
    PointEntry,
    Registration,
    Scores,
    VisitRefused,
    do_cancel_visit,
    do_check_in,
    do_close_visit,
    do_complain,
    do_decide_proposal,
    do_evaluate_visit,
    do_propose_slot,
    do_record_result,
    do_register_visit,
    do_schedule_planned_visit,
    do_sign_off,
)
from onevisit.inspections.checklist import Row, merge
from onevisit.inspections.forms import EvaluationForm, ResultForm, VisitForm
from onevisit.inspections.lookup import details_html, look_up
from onevisit.inspections.models import (
    Complaint,
    Evaluation,
    Finding,
    SlotProposal,
    Visit,
    visit_points,
)
from onevisit.lib.params import whole_number
from onevisit.lib.ratelimit import too_many
from onevisit.planning.models import PlannedVisit, PlanningRun, Task
from onevisit.planning.queries import full_industry_code
from onevisit.registry.access import enterprises_for_user, in_area, require_login
from onevisit.registry.models import Enterprise, Inspector
from onevisit.scope.queries import licensed_codes
from onevisit.workdays.calendar import add_working_days

TEAM = Prefetch("inspectors", queryset=Inspector.objects.select_related("body"))


# ---- public: the code at the door ---------------------------------------------------------


def verify_entry(request: HttpRequest) -> HttpResponse:
    # a code is letters, digits, "-" and "_": anything else typed or pasted is dropped
    code = re.sub(r"[^A-Za-z0-9_-]", "", request.GET.get("code", ""))[:400]
    if code:
        return redirect("inspections:verify", code=code)
    return render(request, "inspections/verify_entry.html")


def verify(request: HttpRequest, code: str) -> HttpResponse:
    if too_many(request, "code", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
        return render(
            request,
            "inspections/too_many.html",
            {
                "limited": _("This address has checked %(n)s codes in the last minute.")
                % {"n": settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE}
            },
            status=429,
        )
    return _verify_page(request, code)


def _verify_page(
    request: HttpRequest, code: str, typed: dict[str, str] | None = None, status: int = 0
) -> HttpResponse:
    """The door page; after a refused complaint, with the complaint's text back in its form."""
    found = look_up(code, timezone.localdate())
    details = ""
    if found.shows_details:
        details = details_html(found, get_language())
    return render(
        request,
        "inspections/verify.html",
        {"status": found, "code": code[:200], "details": details, "typed": typed or {}},
        status=status or (404 if found.state == "unknown" else 200),
    )


def public_key(request: HttpRequest) -> HttpResponse:
    """The public key that signs today's codes (SM2 under the gm suite, Ed25519 under intl)."""
    from onevisit.inspections.keyring import signer

    return HttpResponse(signer().public_pem(), content_type="text/plain; charset=ascii")


def public_keys(request: HttpRequest) -> HttpResponse:
    """Every public key codes were signed with, today's first, each PEM block after a comment
    line with its suite and key id (the 4 bytes after a token's version byte)."""
    from onevisit.inspections.keyring import public_keys as every_key

    blocks = [
        f"# {key.suite} key id {key.key_id.hex()}\n".encode("ascii") + key.public_pem()
        for key in every_key()
    ]
    return HttpResponse(b"".join(blocks), content_type="text/plain; charset=ascii")


@require_POST
def complain(request: HttpRequest, code: str) -> HttpResponse:
    typed = {"text": request.POST.get("text", ""), "contact": request.POST.get("contact", "")}
    if too_many(request, "complain", settings.ONEVISIT_COMPLAINTS_PER_MINUTE):
        messages.error(
            request,
            _(
                "This address has sent %(n)s complaints in the last minute, the most allowed. "
                "Wait a minute and send it again: your text is kept below."
            )
            % {"n": settings.ONEVISIT_COMPLAINTS_PER_MINUTE},
        )
        return _verify_page(request, code, typed, status=429)
    status = look_up(code, timezone.localdate())
    try:
        complaint, secret = do_complain(
            visit=Visit.objects.filter(pk=status.visit_id).first() if status.visit_id else None,
            code_presented=code,
            text=typed["text"],
            contact=typed["contact"],
        )
    except VisitRefused as error:
        messages.error(request, str(error))
        return _verify_page(request, code, typed, status=422)
    # the secret is shown here once and kept nowhere but as a digest
    return render(
        request,
        "inspections/complaint_receipt.html",
        {"complaint": complaint, "secret": secret},
        status=201,
    )


def complaint_status(request: HttpRequest) -> HttpResponse:
    """The complainant follows the complaint with its receipt number and secret (by POST, so
    that the secret stays out of addresses and logs)."""
    complaint = None
    error = ""
    receipt = request.POST.get("receipt", "").strip()
    if request.method == "POST":
        if too_many(request, "complaint-status", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
            error = _("This address has looked up too many complaints in the last minute.")
        else:
            found = Complaint.objects.filter(receipt=receipt).first() if receipt else None
            if found is not None and found.secret_matches(request.POST.get("secret", "")):
                complaint = found
            else:
                error = _("No complaint with this receipt number and secret.")
    return render(
        request,
        "inspections/complaint_status.html",
        {"complaint": complaint, "error": error, "receipt": receipt},
        status=422 if error else 200,
    )


# ---- office: lists, registration, detail --------------------------------------------------


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = access.visits_for_user(request.user).prefetch_related("bodies", TEAM, "codes")
    status = request.GET.get("status", "")
    if status in Visit.Status.values:
        visits = visits.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        visits = visits.filter(enterprise__name__icontains=q)
    if request.GET.get("unassessed"):
        visits = visits.filter(origin=Visit.Origin.EMERGENCY, assessment__isnull=True).exclude(
            status=Visit.Status.CANCELLED
        )
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/visit_list.html",
        {"page": page, "status": status, "statuses": Visit.Status.choices, "q": q},
    )


def _enterprise_from(request: HttpRequest) -> Enterprise | None:
    uscc = "".join(request.GET.get("uscc", request.POST.get("uscc", "")).split()).upper()
    return enterprises_for_user(request.user).filter(uscc=uscc).first() if uscc else None


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    body = access.registering_body(request.user)
    enterprise = _enterprise_from(request)
    form = None
    if enterprise is not None:
        today = timezone.localdate()
        form = VisitForm(
            request.POST or None,
            initial={"date": today},
            tasks=Task.objects.filter(
                enterprise=enterprise, body=body, status=Task.Status.OPEN
            ).order_by("window_end"),
            items=Item.objects.published()
            .filter(body=body)
            .for_industry(
                full_industry_code(enterprise),
                *licensed_codes(body, [enterprise.pk]).get(enterprise.pk, ()),
            ),
            inspectors=Inspector.objects.certified(today).filter(body=body),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            reg = Registration(
                enterprise=enterprise,
                lead_body=body,
                date=data["date"],
                inspectors=list(data["inspectors"]),
                tasks=list(data["tasks"].prefetch_related("items")),
                items=list(data["items"]),
                purpose=data["purpose"],
                origin=Visit.Origin.EMERGENCY if data["emergency"] else "",
                cause=data["cause"],
                unannounced_reason=data["unannounced_reason"],
                late_reason=data["late_reason"],
            )
            try:
                visit = do_register_visit(
                    actor=Actor.of(request.user), by=require_login(request.user), reg=reg
                )
            except VisitRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Registered; the code is ready."))
                return redirect("inspections:visit_detail", pk=visit.pk)
    return render(
        request,
        "inspections/visit_new.html",
        {"body": body, "enterprise": enterprise, "form": form, "uscc": request.GET.get("uscc", "")},
    )


@login_required
def planned_list(request: HttpRequest) -> HttpResponse:
    """The latest planning run's visits that the user's body leads, waiting to be registered."""
    user = request.user
    if not (getattr(user, "is_supervisor", False) or getattr(user, "is_body_admin", False)):
        raise PermissionDenied("Only the supervisor and department admins register visits.")
    runs = PlanningRun.objects.of_latest_year().current_ids()  # one per city in a province
    planned: QuerySet[PlannedVisit] = PlannedVisit.objects.none()
    if runs:
        planned = (
            PlannedVisit.objects.filter(
                run_id__in=runs, week_start__gte=timezone.localdate() - dt.timedelta(days=6)
            )
            .exclude(
                visits__status__in=[
                    Visit.Status.SCHEDULED,
                    Visit.Status.IN_PROGRESS,
                    Visit.Status.CLOSED,
                ]
            )
            .select_related("enterprise", "lead_body")
            .prefetch_related("inspectors", "tasks__body")
            .order_by("week", "id")
        )
        if user.is_supervisor:  # type: ignore[union-attr]
            planned = planned.filter(user.in_area("enterprise__district"))  # type: ignore[union-attr]
        else:
            planned = planned.filter(lead_body_id=user.body_id)  # type: ignore[union-attr]
    page = Paginator(planned, 50).get_page(request.GET.get("page"))
    run = PlanningRun.objects.filter(pk__in=runs).first()  # the page names the year
    return render(request, "inspections/planned_list.html", {"page": page, "run": run})


@login_required
@require_POST
def schedule_planned(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    planned = get_object_or_404(PlannedVisit.objects.select_related("enterprise"), pk=pk)
    if not (
        (getattr(user, "is_supervisor", False) and in_area(user, planned.enterprise.district_id))
        or (getattr(user, "is_body_admin", False) and user.body_id == planned.lead_body_id)  # type: ignore[union-attr]
    ):
        raise PermissionDenied("Only the lead body's admin registers this visit.")
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
        visit = do_schedule_planned_visit(
            actor=Actor.of(user),
            by=user,  # type: ignore[arg-type]
            planned=planned,
            date=day,
            unannounced_reason=request.POST.get("unannounced_reason", ""),
        )
    except ValueError:
        messages.error(request, _("Choose a day."))
    except VisitRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Registered; the code is ready."))
        return redirect("inspections:visit_detail", pk=visit.pk)
    return redirect("inspections:planned_list")


def _rows(visit: Visit) -> list[Row]:
    results = list(visit.results.prefetch_related("photos"))
    findings = list(visit.findings.all())
    return merge(visit_points(visit), results, findings)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit(request.user, pk)
    user: Any = request.user
    in_team = visit.inspectors.filter(user=user).exists()
    manages = user.is_supervisor or (user.is_body_admin and user.body_id == visit.lead_body_id)
    return render(
        request,
        "inspections/visit_detail.html",
        {
            "visit": visit,
            "code": visit.current_code(),
            "team": visit.inspectors.select_related("body"),
            "rows": _rows(visit),
            "findings": visit.findings.select_related("point__item", "body"),
            "proposals": visit.proposals.all(),
            "in_team": in_team,
            "manages": manages,
            "is_enterprise": user.is_enterprise_user,
            "window": visit.window(),
            "can_evaluate": user.is_enterprise_user and visit.evaluation_open,
        },
    )


@login_required
def visit_qr(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit(request.user, pk)
    code = visit.current_code()
    if code is None:
        raise Http404("No live code.")
    url = request.build_absolute_uri(reverse("inspections:verify", args=[code.token]))
    # A stand-alone SVG document: an <img> only renders one that declares its namespace.
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=4, title=code.display)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_to_manage(request.user, pk)
    try:
        do_cancel_visit(
            actor=Actor.of(request.user), visit=visit, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Cancelled; the code no longer works."))
    except VisitRefused as error:
        messages.error(request, str(error))
    return redirect("inspections:visit_detail", pk=visit.pk)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    proposal = get_object_or_404(SlotProposal, pk=pk)
    access.get_visit_to_manage(request.user, proposal.visit_id)
    if decision not in ("accept", "decline"):
        raise Http404("Unknown decision.")
    try:
        do_decide_proposal(
            actor=Actor.of(request.user),
            proposal=proposal,
            by=require_login(request.user),
            accept=decision == "accept",
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, _("Answered."))
    except VisitRefused as error:
        messages.error(request, str(error))
    return redirect("inspections:visit_detail", pk=proposal.visit_id)


# ---- the inspector's phone ----------------------------------------------------------------


@login_required
def today(request: HttpRequest) -> HttpResponse:
    return _today_page(request)


def _today_page(
    request: HttpRequest, typed: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    """The inspector's next seven days; after a refused check-in, the code typed is kept."""
    inspector = access.inspector_of(request.user)
    day = timezone.localdate()
    visits = list(
        Visit.objects.with_refs()
        .filter(inspectors=inspector, date__gte=day, date__lte=day + dt.timedelta(days=7))
        .exclude(status=Visit.Status.CANCELLED)
        .prefetch_related("bodies", TEAM, "codes")
        .order_by("date", "id")
    )
    for visit in visits:
        visit.typed_uscc = (typed or {}).get(visit.pk, "")  # type: ignore[attr-defined]
    return render(request, "inspections/today.html", {"visits": visits, "day": day}, status=status)


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_for_team(request.user, pk)
    uscc = request.POST.get("uscc", "")
    try:
        do_check_in(
            actor=Actor.of(request.user), visit=visit, by=require_login(request.user), uscc=uscc
        )
    except VisitRefused as error:
        messages.error(request, str(error))
        return _today_page(request, {visit.pk: uscc[:18]}, status=422)
    return redirect("inspections:checklist", pk=visit.pk)


@login_required
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    return _checklist_page(request, access.get_visit_for_team(request.user, pk))


def _checklist_page(
    request: HttpRequest, visit: Visit, typed: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """The joint checklist; after a refused signature, what was typed is kept."""
    rows = _rows(visit)
    typed = typed or {}
    return render(
        request,
        "inspections/checklist.html",
        {
            "visit": visit,
            "rows": rows,
            "missing": sum(1 for r in rows if not r.done),
            "outcomes": ResultForm.base_fields["outcome"].choices,  # type: ignore[attr-defined]
            "severities": Finding.Severity.choices,
            "team": [(i, typed.get(f"cert-{i.pk}", "")) for i in visit.inspectors.all()],
            "typed_name": typed.get("name", ""),
        },
        status=status,
    )


@login_required
@require_POST
def checklist_row(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    visit = access.get_visit_for_team(request.user, pk)
    rows = {r.key: r for r in _rows(visit)}
    row = rows.get(key)
    error = ""
    if row is None:
        error = _("This point is not among the visit's items: 清单之外无检查.")
    else:
        form = ResultForm(request.POST)
        data = form.cleaned_data if form.is_valid() else {}
        try:
            do_record_result(
                actor=Actor.of(request.user),
                visit=visit,
                by=require_login(request.user),
                entry=PointEntry(
                    points=row.points,
                    outcome=data.get("outcome", ""),
                    note=data.get("note", ""),
                    severity=data.get("severity", ""),
                    description=data.get("description", ""),
                ),
                photos=request.FILES.getlist("photos"),
            )
        except VisitRefused as refused:
            error = str(refused)
        row = {r.key: r for r in _rows(visit)}[key]
    if request.htmx and row is not None:  # type: ignore[attr-defined]
        return render(
            request,
            "inspections/checklist.html#row",
            {
                "visit": visit,
                "row": row,
                "error": error,
                "typed": {
                    name: request.POST.get(name, "")
                    for name in ("outcome", "note", "severity", "description")
                },
                "outcomes": ResultForm.base_fields["outcome"].choices,  # type: ignore[attr-defined]
                "severities": Finding.Severity.choices,
            },
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("inspections:checklist", pk=visit.pk)


@login_required
@require_POST
def sign(request: HttpRequest, pk: int, party: str) -> HttpResponse:
    visit = access.get_visit_for_team(request.user, pk)
    try:
        do_sign_off(
            actor=Actor.of(request.user),
            visit=visit,
            by=require_login(request.user),
            party=party,
            name=request.POST.get("name", ""),
            certificates={
                int(key[5:]): request.POST.get(key, "")
                for key in request.POST
                if key.startswith("cert-") and whole_number(key[5:]) is not None
            },
        )
    except VisitRefused as error:
        messages.error(request, str(error))
        typed = {
            key: str(request.POST.get(key, ""))[:50]
            for key in request.POST
            if key == "name" or key.startswith("cert-")
        }
        return _checklist_page(request, visit, typed, status=422)
    messages.success(request, _("Signed."))
    return redirect("inspections:checklist", pk=visit.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_for_team(request.user, pk)
    try:
        do_close_visit(actor=Actor.of(request.user), visit=visit, by=require_login(request.user))
    except VisitRefused as error:
        messages.error(request, str(error))
        return redirect("inspections:checklist", pk=visit.pk)
    messages.success(request, _("Closed. The on-site record and the feedback report are ready."))
    return redirect("inspections:visit_detail", pk=visit.pk)


# ---- documents and photos -----------------------------------------------------------------


def _pdf(field: Any, name: str) -> FileResponse:
    if not field:
        raise Http404("Not closed yet.")
    return FileResponse(field.open("rb"), content_type="application/pdf", filename=name)


@login_required
def record_pdf(request: HttpRequest, pk: int) -> FileResponse:
    visit = access.get_visit(request.user, pk)
    return _pdf(visit.record_pdf, f"现场检查笔录-{visit.pk}.pdf")


@login_required
def order_pdf(request: HttpRequest, pk: int) -> FileResponse:
    visit = access.get_visit(request.user, pk)
    if not visit.order_pdf:
        raise Http404("No rectification order for this visit.")
    return _pdf(visit.order_pdf, f"责令限期整改通知书-{visit.pk}.pdf")


@login_required
def feedback_pdf(request: HttpRequest, pk: int) -> FileResponse:
    visit = access.get_visit(request.user, pk)
    return _pdf(visit.feedback_pdf, f"检查反馈-{visit.pk}.pdf")


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit(request.user, pk)
    if visit.status != Visit.Status.CLOSED:
        raise Http404("The feedback follows the closing of the visit.")
    rows = _rows(visit)
    return render(
        request,
        "inspections/feedback.html",
        {
            "visit": visit,
            "rows": rows,
            "findings": visit.findings.select_related("point__item", "body"),
            "compliant": sum(1 for r in rows if r.result and r.result.outcome == "compliant"),
        },
    )


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    found = access.get_photo(request.user, pk)
    return FileResponse(found.image.open("rb"), content_type=found.content_type)


# ---- the enterprise -----------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_enterprise_user:
        raise PermissionDenied("Only an enterprise user has this page.")
    day = timezone.localdate()
    notice_until = add_working_days(day, settings.ONEVISIT_NOTICE_WORKING_DAYS)
    visits = access.visits_for_user(user).prefetch_related(
        "bodies",
        TEAM,
        "codes",
        "proposals",
        "tasks",
        Prefetch("items", queryset=Item.objects.prefetch_related("points")),
    )
    upcoming = visits.filter(status=Visit.Status.SCHEDULED, date__gte=day).order_by("date")
    past = visits.exclude(status=Visit.Status.SCHEDULED)[:50]
    return render(
        request,
        "inspections/mine.html",
        {
            "upcoming": upcoming,
            "past": past,
            "notice_until": notice_until,
            "notice_days": settings.ONEVISIT_NOTICE_WORKING_DAYS,
        },
    )


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_for_enterprise(request.user, pk)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
        do_propose_slot(
            actor=Actor.of(request.user),
            visit=visit,
            by=require_login(request.user),
            date=day,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Your proposal was sent to the lead body."))
    except ValueError:
        messages.error(request, _("Choose a day."))
    except VisitRefused as error:
        messages.error(request, str(error))
    return redirect("inspections:mine")


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_for_enterprise(request.user, pk)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_evaluate_visit(
                visit=visit,
                by=require_login(request.user),
                scores=Scores(
                    data["conduct"], data["professionalism"], data["burden"], data["comment"]
                ),
            )
        except VisitRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Thank you. The inspected bodies will never see who said what.")
            )
            return redirect("inspections:mine")
    rated = Evaluation.objects.filter(visit=visit).exists()
    return render(
        request,
        "inspections/evaluate.html",
        {"visit": visit, "form": form, "rated": rated, "open": visit.evaluation_open},
        status=422 if form.errors else 200,
    )


@login_required
def evaluation_summary(request: HttpRequest) -> HttpResponse:
    """A department's own evaluations, as aggregates only."""
    user: Any = request.user
    if not (user.is_official and user.body is not None):
        raise PermissionDenied("Only a department's staff see its summary.")
    summary = access.evaluation_summary(user, user.body)
    return render(
        request,
        "inspections/evaluation_summary.html",
        {"summary": summary, "minimum": access.MIN_EVALUATIONS},
    )
