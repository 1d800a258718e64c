from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.evaluation import access
from onevisit.evaluation.actions import (
    EvaluationRefused,
    diagnosis_snapshot,
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
    do_withdraw_publication,
    missing_figures,
)
from onevisit.evaluation.exports import diagnosis_pdf
from onevisit.evaluation.forms import (
    DecisionForm,
    DiagnosisForm,
    EntrySearchForm,
    FiguresImportForm,
    ObjectionForm,
    OpenYearForm,
    PublishForm,
    RecommendationForm,
    RulesForm,
    WithdrawForm,
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
from onevisit.versions.actions import VersionRefused, versions_of
from onevisit.versions.models import Version

NAMES = {code: (name, unit) for code, name, unit in INDICATORS}


@login_required
def year_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_enterprise_user and user.enterprise_id is not None:
        mine = (
            Entry.objects.filter(enterprise_id=user.enterprise_id)
            .select_related("year__area")
            .prefetch_related("objections")
            .order_by("-year__year")
        )
        issued = set(
            Diagnosis.objects.filter(entry__in=mine, issued__isnull=False).values_list(
                "entry_id", flat=True
            )
        )
        rows = [(e, e.objections.all(), e.pk in issued) for e in mine]
        return render(request, "evaluation/my_years.html", {"rows": rows})
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
    search = EntrySearchForm(request.GET or None, year=year)
    entries = search.filter(
        year.entries.select_related("enterprise__district", "enterprise__industry")
    ).order_by(F("score").desc(nulls_last=True), "id")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
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
        "search": search,
        "page": page,
        "query": query.urlencode(),
        "total": year.entries.count(),
        "missing": missing_figures(year) if year.rules_used or year.entries.exists() else [],
        "max_missing_percent": f"{year.max_missing_share * 100:.0f}",
        "versions": versions_of(year),
        "objections": with_corrections(
            Objection.objects.filter(entry__year=year)
            .select_related("entry__enterprise")
            .order_by("decision", "filed")
        ),
        "waiting": Objection.objects.filter(
            entry__year=year, decision=Objection.Decision.PENDING
        ).count(),
        "decision_form": DecisionForm(),
        "publish_form": PublishForm(),
        "withdraw_form": WithdrawForm(),
        "import_form": FiguresImportForm(),
    }


def with_corrections(objections: Any) -> list[Objection]:
    """The objections, each with its corrections as (what, before, after) to show."""
    labels = {**dict(FIGURES), "class": _("class")}
    found = list(objections)
    for objection in found:
        objection.shown_corrections = [
            (labels.get(code, code), before, after)
            for code, (before, after) in objection.corrections.items()
        ]
    return found


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
    template = "evaluation/year_detail.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, _year_context(request, found))


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
            _score(request, actor, found)
        elif step == "publish":
            form = PublishForm(request.POST)
            form.is_valid()
            do_publish(
                actor=actor,
                by=user,
                year=found,
                today=today,
                reason=form.cleaned_data.get("reason", ""),
                notice=form.cleaned_data.get("notice", ""),
            )
            messages.success(
                request, _("Published: objections until %(day)s.") % {"day": found.objections_until}
            )
        elif step == "withdraw":
            withdraw = WithdrawForm(request.POST)
            reason = withdraw.cleaned_data["reason"] if withdraw.is_valid() else ""
            do_withdraw_publication(actor=actor, year=found, reason=reason)
            messages.success(
                request,
                _("The 公示 is withdrawn; publish it again, with a notice, once it is right."),
            )
        elif step == "finalise":
            do_finalise(actor=actor, by=user, year=found, today=today)
            messages.success(request, _("The year's classes are final."))
        else:
            raise PermissionDenied("No such step.")
    except (EvaluationRefused, VersionRefused) as refused:
        messages.error(request, refused.localized(_))
    return redirect("evaluation:year_detail", found.pk)


def _score(request: HttpRequest, actor: Actor, year: Year) -> None:
    done = do_score(actor=actor, year=year)
    if not done.missing:
        messages.success(request, _("%(count)s enterprises scored.") % {"count": done.scored})
        return
    missing = "；".join(
        _("%(figure)s missing for %(count)s (%(body)s)")
        % {"figure": m.figure, "count": m.count, "body": m.body}
        for m in done.missing
    )
    messages.warning(
        request,
        _("%(count)s enterprises scored, with figures missing: %(missing)s.")
        % {"count": done.scored, "missing": missing},
    )


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
                corrections=form.corrections(),
            )
            messages.success(request, _("Objection decided."))
        except (EvaluationRefused, VersionRefused) as refused:
            messages.error(request, refused.localized(_))
    return redirect(
        f"{reverse('evaluation:year_detail', args=[objection.entry.year_id])}#objections"
    )


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
    """The 公示 list (or the final one) as it stands: the published classes and the corrections
    made since by upheld objections; the year's earlier versions stay readable."""
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    versions = versions_of(found)
    if not versions:
        raise PermissionDenied("The year's classes are not published yet.")
    in_force = found.status != Year.Status.COLLECTING
    entries = found.entries.exclude(klass="").select_related("enterprise__district")
    wanted = request.GET.get("class", "")
    if wanted in CLASSES:
        entries = entries.filter(klass=wanted)
    query = request.GET.get("q", "").strip()[:50]
    if query:
        entries = entries.filter(enterprise__name__contains=query)
    ordered = entries.order_by("klass", "-score", "id") if in_force else entries.none()
    page = Paginator(ordered, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/public.html",
        {
            "year": found,
            "in_force": in_force,
            "version": versions[-1],
            "versions": versions,
            "corrections": Objection.objects.filter(
                entry__year=found, decision=Objection.Decision.UPHELD
            ).select_related("entry__enterprise"),
            "page": page,
            "counts": found.summary.get("classes") or class_counts(found),
            "classes": CLASSES,
            "wanted": wanted,
            "q": query,
        },
    )


def public_version(request: HttpRequest, year_id: int, number: int) -> HttpResponse:
    """One published version of the year, as it was published: readable for good."""
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    version = get_object_or_404(Version.objects.of(found), number=number)
    rows = version.snapshot.get("entries", [])
    wanted = request.GET.get("class", "")
    if wanted in CLASSES:
        rows = [r for r in rows if r[4] == wanted]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/public_version.html",
        {"year": found, "version": version, "page": page, "classes": CLASSES, "wanted": wanted},
    )


def _entry_page(request: HttpRequest, entry: Entry, own: bool) -> HttpResponse:
    visible = access.visible_figures(request.user, entry)
    diagnosis = Diagnosis.objects.filter(entry=entry).first()
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
            "objections": with_corrections(entry.objections.all()),
            "is_lead": access.is_lead(request.user, entry.year),
            "retirement": retirement_lists(entry) if entry.klass == "D" else [],
            "diagnosis": diagnosis,
            "diagnosis_versions": versions_of(diagnosis) if diagnosis else [],
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
            invalid = _act_on_diagnosis(request, actor, user, entry, current)
        except (EvaluationRefused, VersionRefused) as refused:
            messages.error(request, refused.localized(_))
            form = DiagnosisForm(request.POST, body=body)  # what was chosen stays on the page
        else:
            if invalid is None:
                return redirect("evaluation:diagnosis", found.pk, entry.pk)
            form = invalid
        current = Diagnosis.objects.filter(entry=entry).first()
    elif current is not None:
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
            "versions": versions_of(current) if current else [],
        },
    )


def _act_on_diagnosis(
    request: HttpRequest, actor: Actor, user: User, entry: Entry, current: Diagnosis | None
) -> DiagnosisForm | None:
    """Draft, save, issue or follow up; a form with errors to show again, or None when done."""
    body = entry.year.lead_body
    if "draft" in request.POST:
        do_draft_diagnosis(actor=actor, entry=entry)
        return None
    if current is None:
        raise PermissionDenied("Draft the diagnosis first.")
    if "follow_up" in request.POST:
        advice = get_object_or_404(current.advice, pk=whole_number(request.POST.get("advice")))
        note = request.POST.get("note", "")
        do_follow_up(actor=actor, advice=advice, note=note, today=timezone.localdate())
        messages.success(request, _("Follow-up recorded."))
        return None
    form = DiagnosisForm(request.POST, body=body)
    if not form.is_valid():
        return form
    chosen = list(form.cleaned_data["recommendations"])
    summary = form.cleaned_data["summary"]
    if "issue" in request.POST:
        do_issue_diagnosis(
            actor=actor,
            by=user,
            diagnosis=current,
            today=timezone.localdate(),
            summary=summary,
            recommendations=chosen,
        )
        messages.success(request, _("The diagnosis is issued to the enterprise."))
    else:
        do_edit_diagnosis(actor=actor, diagnosis=current, summary=summary, recommendations=chosen)
        messages.success(request, _("Diagnosis saved."))
    return None


@login_required
def diagnosis_pdf_view(
    request: HttpRequest, year_id: int, pk: int, number: int | None = None
) -> HttpResponse:
    """The report: an issued version as it was issued (the newest, or `number`), or the
    department's preview of its draft."""
    found = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    user = request.user
    official = isinstance(user, User) and user.is_official
    entry = access.entry_for(user, found, pk if official else None)
    current = get_object_or_404(Diagnosis, entry=entry)
    issued = [v for v in versions_of(current) if number in (None, v.number)]
    if issued:
        version = issued[-1]
        data, label = version.snapshot, f"v{version.number}"
    elif official and number is None:
        data, label = diagnosis_snapshot(current), "draft"
    else:
        raise PermissionDenied("A draft diagnosis is the department's.")
    response = HttpResponse(diagnosis_pdf(data, label), content_type="application/pdf")
    name = f"diagnosis-{found.year}-{entry.pk}-{label}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
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
