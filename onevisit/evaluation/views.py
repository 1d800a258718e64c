from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.evaluation import access
from onevisit.evaluation.actions import (
    EvaluationRefused,
    do_confirm,
    do_decide,
    do_draft_diagnosis,
    do_edit_diagnosis,
    do_finalise,
    do_follow_up,
    do_issue_diagnosis,
    do_object,
    do_open_year,
    do_publish,
    do_score,
    do_set_rules,
)
from onevisit.evaluation.exports import diagnosis_pdf
from onevisit.evaluation.forms import (
    DecisionForm,
    DiagnosisForm,
    FiguresImportForm,
    ObjectionForm,
    OpenYearForm,
    RecommendationForm,
    RulesForm,
)
from onevisit.evaluation.imports import import_figures
from onevisit.evaluation.models import FIGURES, Diagnosis, Entry, Objection, Recommendation, Year
from onevisit.evaluation.queries import (
    class_counts,
    compare_with_industry,
    d_class_on_retirement_lists,
    diagnosis_counts,
    indicator_trends,
    monitored_electricity,
    retirement_lists,
)
from onevisit.evaluation.scoring import CLASSES, INDICATORS
from onevisit.lib.params import whole_number
from onevisit.monitoring.models import Device
from onevisit.registry.views import xlsx_response

NAMES = {code: (name, unit) for code, name, unit in INDICATORS}


@login_required
def year_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_enterprise_user and user.enterprise_id is not None:
        years = Year.objects.filter(entries__enterprise_id=user.enterprise_id).select_related(
            "area"
        )
        return render(request, "evaluation/my_years.html", {"years": years})
    years = access.years_for_official(request.user)
    listed = years.annotate(enterprises=Count("entries"))
    lead = user.body if isinstance(user, User) and user.is_body_admin else None
    form = OpenYearForm(request.POST or None) if lead is not None else None
    if request.method == "POST":
        if form is None or lead is None:
            raise PermissionDenied("Only a department admin opens a year.")
        if form.is_valid():
            try:
                year = do_open_year(
                    actor=Actor.of(request.user),
                    year=form.cleaned_data["year"],
                    lead_body=lead,
                    industries=form.cleaned_data["industries"],
                    excluded=form.cleaned_data["excluded"],
                    sources=form.sources(),
                    above_scale_only=form.cleaned_data["above_scale_only"],
                )
            except IntegrityError:
                form.add_error("year", _("This year is open already for your department's area."))
            else:
                messages.success(request, _("Year %(year)s opened.") % {"year": year.year})
                return redirect("evaluation:year_detail", year.pk)
    return render(
        request,
        "evaluation/year_list.html",
        {
            "years": listed,
            "form": form,
            "trend": indicator_trends(years),
            "indicators": INDICATORS,
        },
    )


def _year_context(request: HttpRequest, year: Year) -> dict[str, object]:
    sources = list(year.sources.select_related("body"))
    own = {s.figure for s in sources if s.body_id == getattr(request.user, "body_id", None)}
    return {
        "year": year,
        "labels": dict(FIGURES),
        "sources": sources,
        "own_figures": [label for code, label in FIGURES if code in own],
        "is_lead": access.is_lead(request.user, year),
        "may_import": access.may_import(request.user, year),
        "counts": year.summary.get("classes") or class_counts(year),
        "diagnoses": diagnosis_counts(year),
        "d_retiring": d_class_on_retirement_lists(year),
        "electricity_flags": _electricity_flags(request, year),
        "classes": CLASSES,
        "districts": year.summary.get("districts", []),
        "industries": year.summary.get("industries", []),
        "entries": year.entries.select_related("enterprise__district").order_by("-score")[:50],
        "total": year.entries.count(),
        "objections": Objection.objects.filter(entry__year=year)
        .select_related("entry__enterprise")
        .order_by("decision", "filed"),
        "decision_form": DecisionForm(),
        "import_form": FiguresImportForm(),
    }


def _electricity_flags(request: HttpRequest, year: Year) -> list[tuple[Entry, object]]:
    """Enterprises whose monitored electricity exceeds their reported energy: for those who
    see the energy figure."""
    if "energy_tce" not in access.department_figures(request.user, year):
        return []
    with_monitors = Device.objects.values("enterprise_id")
    monitored = list(
        year.entries.filter(enterprise_id__in=with_monitors).select_related("enterprise")
    )
    metered = monitored_electricity(year, monitored)
    return [
        (entry, metered[entry.enterprise_id])
        for entry in monitored
        if entry.enterprise_id in metered and metered[entry.enterprise_id].flagged
    ]


@login_required
def year_detail(request: HttpRequest, year_id: int) -> HttpResponse:
    found = get_object_or_404(access.years_for_official(request.user), pk=year_id)
    return render(request, "evaluation/year_detail.html", _year_context(request, found))


@login_required
def import_figures_view(request: HttpRequest, year_id: int) -> HttpResponse:
    found = get_object_or_404(access.years_for_official(request.user), pk=year_id)
    user = access.require_importer(request.user, found)
    context = _year_context(request, found)
    form = FiguresImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        context["report"] = import_figures(
            upload,
            upload.name,
            actor=Actor.of(user),
            year=found,
            body=user.body,  # type: ignore[arg-type]
            dry_run=form.cleaned_data["dry_run"],
        )
    context["import_form"] = form
    return render(request, "evaluation/year_detail.html", context)


@login_required
def year_rules(request: HttpRequest, year_id: int) -> HttpResponse:
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    user = access.require_lead(request.user, found)
    form = RulesForm(request.POST or None, year=found)
    if request.method == "POST" and form.is_valid():
        try:
            do_set_rules(actor=Actor.of(user), year=found, settings=form.settings())
        except EvaluationRefused as refused:
            messages.error(request, refused.localized(_))
        else:
            messages.success(request, _("Rules saved: score the year again to apply them."))
            return redirect("evaluation:year_detail", found.pk)
    return render(request, "evaluation/rules.html", {"year": found, "form": form})


@login_required
@require_POST
def year_step(request: HttpRequest, year_id: int, step: str) -> HttpResponse:
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    user = access.require_lead(request.user, found)
    actor, today = Actor.of(user), timezone.localdate()
    try:
        if step == "score":
            count = do_score(actor=actor, year=found)
            messages.success(request, _("%(count)s enterprises scored.") % {"count": count})
        elif step == "publish":
            do_publish(actor=actor, year=found, today=today)
            messages.success(
                request, _("Published: objections until %(day)s.") % {"day": found.objections_until}
            )
        elif step == "finalise":
            do_finalise(actor=actor, year=found, today=today)
            messages.success(request, _("The year's classes are final."))
        else:
            raise PermissionDenied("No such step.")
    except EvaluationRefused as refused:
        messages.error(request, refused.localized(_))
    return redirect("evaluation:year_detail", found.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("entry__year"), pk=pk)
    user = access.require_lead(request.user, objection.entry.year)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give its reason."))
    else:
        try:
            do_decide(
                actor=Actor.of(user),
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
            messages.success(request, _("Objection decided."))
        except EvaluationRefused as refused:
            messages.error(request, refused.localized(_))
    return redirect("evaluation:year_detail", objection.entry.year_id)


@login_required
def export(request: HttpRequest, year_id: int) -> HttpResponse:
    found = get_object_or_404(access.years_for_official(request.user), pk=year_id)
    entries = found.entries.select_related("enterprise__district", "enterprise__industry")
    wanted = request.GET.get("class", "")
    if wanted in CLASSES:
        entries = entries.filter(klass=wanted)
    shown = [
        (code, label)
        for code, label in FIGURES
        if code in access.department_figures(request.user, found)
    ]
    with_values = len(shown) == len(FIGURES)  # an indicator's value gives its figures away
    headers = ["统一社会信用代码", "企业名称", "行政区划", "行业", "得分", "类别"]
    headers += [f"{name}（{unit}）" for _code, name, unit in INDICATORS if with_values]
    headers += [str(label) for _code, label in shown]

    def rows() -> Iterator[list[Any]]:
        for e in entries.iterator(chunk_size=2000):
            values = {p["code"]: p["value"] for p in e.parts}
            yield [
                e.enterprise.uscc,
                e.enterprise.name,
                e.enterprise.district.name,
                e.enterprise.industry.name,
                None if e.score is None else float(e.score),
                e.klass,
                *[
                    None if values.get(c) is None else float(values[c])
                    for c, _n, _u in INDICATORS
                    if with_values
                ],
                *[None if getattr(e, c) is None else float(getattr(e, c)) for c, _l in shown],
            ]

    return xlsx_response(
        f"亩产效益-{found.area.name}-{found.year}{wanted}", "亩产效益评价", headers, rows()
    )


def public_list(request: HttpRequest, year_id: int) -> HttpResponse:
    found = access.public_year(year_id)
    entries = found.entries.exclude(klass="").select_related("enterprise__district")
    wanted = request.GET.get("class", "")
    if wanted in CLASSES:
        entries = entries.filter(klass=wanted)
    query = request.GET.get("q", "").strip()[:50]
    if query:
        entries = entries.filter(enterprise__name__contains=query)
    ordered = entries.order_by("klass", "-score", "id")
    page = Paginator(ordered, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/public.html",
        {
            "year": found,
            "page": page,
            "counts": found.summary.get("classes") or class_counts(found),
            "classes": CLASSES,
            "wanted": wanted,
            "q": query,
        },
    )


def _entry_page(request: HttpRequest, entry: Entry, own: bool) -> HttpResponse:
    visible = access.visible_figures(request.user, entry)
    values = access.sees_indicator_values(request.user, entry)
    parts = [
        {**p, "name": NAMES[p["code"]][0], "unit": NAMES[p["code"]][1], "shown": values}
        for p in entry.parts
    ]
    weakest = sorted(parts, key=lambda p: float(p["ratio"]))[:2] if parts else []
    return render(
        request,
        "evaluation/entry.html",
        {
            "entry": entry,
            "year": entry.year,
            "own": own,
            "figures": [
                (label, getattr(entry, code)) for code, label in FIGURES if code in visible
            ],
            "parts": parts,
            "weakest": weakest,
            "objections": entry.objections.all(),
            "is_lead": access.is_lead(request.user, entry.year),
            "retirement": retirement_lists(entry) if entry.klass == "D" else [],
            "diagnosis": Diagnosis.objects.filter(entry=entry).first(),
            "metered": monitored_electricity(entry.year, [entry]).get(entry.enterprise_id)
            if "energy_tce" in visible
            else None,
            "objection_form": ObjectionForm(),
            "window_open": entry.year.status == Year.Status.PUBLISHED
            and entry.year.objections_until is not None
            and timezone.localdate() <= entry.year.objections_until,
        },
    )


@login_required
def entry_detail(request: HttpRequest, year_id: int, pk: int) -> HttpResponse:
    found = get_object_or_404(access.years_for_official(request.user), pk=year_id)
    return _entry_page(request, access.entry_for(request.user, found, pk), own=False)


@login_required
def my_entry(request: HttpRequest, year_id: int) -> HttpResponse:
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    entry = access.entry_for(request.user, found)
    if request.method == "POST":
        actor = Actor.of(request.user)
        try:
            if "confirm" in request.POST:
                do_confirm(actor=actor, entry=entry)
                messages.success(request, _("Thank you: the figures are confirmed."))
            else:
                form = ObjectionForm(request.POST)
                reason = form.data.get("reason", "")
                do_object(actor=actor, entry=entry, reason=str(reason), today=timezone.localdate())
                messages.success(request, _("Your objection is filed; the department decides it."))
        except EvaluationRefused as refused:
            messages.error(request, refused.localized(_))
        return redirect("evaluation:mine", found.pk)
    return _entry_page(request, entry, own=True)


# --- 工业绿色诊断 -----------------------------------------------------------------------------


@login_required
def diagnosis(request: HttpRequest, year_id: int, pk: int) -> HttpResponse:
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    user = access.require_lead(request.user, found)
    entry = get_object_or_404(Entry.objects.select_related("enterprise", "year"), year=found, pk=pk)
    actor, body = Actor.of(user), found.lead_body
    current = Diagnosis.objects.filter(entry=entry).first()
    form = DiagnosisForm(body=body)
    if request.method == "POST":
        try:
            if "draft" in request.POST:
                current = do_draft_diagnosis(actor=actor, entry=entry)
            elif current is not None and "follow_up" in request.POST:
                advice = get_object_or_404(
                    current.advice, pk=whole_number(request.POST.get("advice"))
                )
                do_follow_up(
                    actor=actor,
                    advice=advice,
                    note=request.POST.get("note", ""),
                    today=timezone.localdate(),
                )
                messages.success(request, _("Follow-up recorded."))
            elif current is not None:
                form = DiagnosisForm(request.POST, body=body)
                if form.is_valid():
                    do_edit_diagnosis(
                        actor=actor,
                        diagnosis=current,
                        summary=form.cleaned_data["summary"],
                        recommendations=list(form.cleaned_data["recommendations"]),
                    )
                    if "issue" in request.POST:
                        do_issue_diagnosis(
                            actor=actor, diagnosis=current, today=timezone.localdate()
                        )
                        messages.success(request, _("The diagnosis is issued to the enterprise."))
                    else:
                        messages.success(request, _("Diagnosis saved."))
        except EvaluationRefused as refused:
            messages.error(request, refused.localized(_))
        if not form.is_bound or form.is_valid():  # else: show the form with its errors
            return redirect("evaluation:diagnosis", found.pk, entry.pk)
    if current is not None and not form.is_bound:
        form = DiagnosisForm(
            initial={
                "summary": current.summary,
                "recommendations": list(current.advice.values_list("recommendation", flat=True)),
            },
            body=body,
        )
    return render(
        request,
        "evaluation/diagnosis.html",
        {
            "entry": entry,
            "year": found,
            "diagnosis": current,
            "advice": current.advice.select_related("recommendation") if current else [],
            "form": form,
            "comparisons": compare_with_industry(entry),
        },
    )


@login_required
def diagnosis_pdf_view(request: HttpRequest, year_id: int, pk: int) -> HttpResponse:
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    user = request.user
    official = isinstance(user, User) and user.is_official
    entry = access.entry_for(user, found, pk if official else None)
    current = get_object_or_404(Diagnosis, entry=entry)
    if not official and current.issued is None:
        raise PermissionDenied("A draft diagnosis is the department's.")
    response = HttpResponse(diagnosis_pdf(current), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="diagnosis-{found.year}-{entry.pk}.pdf"'
    return response


@login_required
def recommendations(request: HttpRequest) -> HttpResponse:
    """A department's catalogue of recommendations for 工业绿色诊断."""
    user = request.user
    if not (isinstance(user, User) and user.is_body_admin and user.body is not None):
        raise PermissionDenied("Only a department admin keeps a catalogue.")
    body = user.body
    form = RecommendationForm(request.POST or None)
    if request.method == "POST":
        toggled = whole_number(request.POST.get("toggle"))
        if toggled:
            item = get_object_or_404(Recommendation, pk=toggled, body=body)
            item.active = not item.active
            item.save(update_fields=["active"])
            return redirect("evaluation:recommendations")
        if form.is_valid():
            added = form.save(commit=False)
            added.body = body
            added.save()
            messages.success(request, _("Recommendation added."))
            return redirect("evaluation:recommendations")
    catalogue = Recommendation.objects.filter(body=body)
    return render(
        request, "evaluation/recommendations.html", {"catalogue": catalogue, "form": form}
    )
