from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.lib.params import whole_number
from onevisit.planner.model import (
    CAP_REACHED,
    CAPACITY,
    DOOR_CAP,
    NO_INSPECTOR,
    TOO_FEW_INSPECTORS,
)
from onevisit.planning import access, actions, queries
from onevisit.planning.calendar import schedule_ics
from onevisit.planning.exports import PLAN_HEADERS, plan_pdf, plan_rows
from onevisit.planning.forms import (
    DecisionForm,
    DoorLimitForm,
    FrequencyRuleForm,
    OverrideForm,
    SpecialEntryForm,
    TierPolicyForm,
    YearForm,
)
from onevisit.planning.models import (
    DoorLimit,
    FrequencyRule,
    Kind,
    Level,
    PlannedVisit,
    PlanningRun,
    Tier,
    TierHistory,
    TierPolicy,
    UnplacedTask,
)
from onevisit.planning.tasks import queue_planning_runs, recompute_tiers
from onevisit.registry.access import enterprises_for_user, in_area, require_login
from onevisit.registry.models import Body, District, Inspector
from onevisit.registry.views import xlsx_response

PAGE_SIZE = 50
FEED_SALT = "onevisit.planning.schedule-feed"


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    return form.cleaned_data["year"] if form.is_valid() else YearForm.default_year()


# --- coordination ---------------------------------------------------------------------------


@login_required
def coordination(request: HttpRequest) -> HttpResponse:
    """The supervisor's view of a year's joint visits (a department admin sees its own)."""
    user = access.require_planner(request.user)
    return _coordination_page(request, user, _year(request), request.GET.get("city", ""))


def _coordination_page(
    request: HttpRequest,
    user: Any,
    year: int,
    city_code: str,
    door_form: DoorLimitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    cities = _cities_of(user)
    city = _city_asked(user, cities, city_code)
    if door_form is None and user.is_supervisor:
        door_form = DoorLimitForm(instance=DoorLimit.objects.for_city(city.code if city else None))
    runs = PlanningRun.objects.filter(year=year, city=city)
    latest = runs.filter(status=PlanningRun.Status.DONE).first()
    pending = runs.filter(
        status__in=[PlanningRun.Status.QUEUED, PlanningRun.Status.RUNNING]
    ).first()
    context: dict[str, Any] = {
        "year": year,
        "run": latest,
        "pending": pending,
        "can_run": user.is_supervisor and (user.area_id is None or bool(cities)),
        "failed": runs.first(),
        "cities": cities if len(cities) > 1 else [],
        "city": city,
        "city_runs": _city_runs(year, cities) if len(cities) > 1 else [],
        # in a province without a city chosen, the cities' table says what has been planned
        "nothing_yet": pending is None and (city is not None or len(cities) <= 1),
        "door": DoorLimit.objects.for_city(city.code if city else None),
        "door_form": door_form,
    }
    if latest is not None:
        visits = access.visits_for_user(user, latest.pk)
        joint = (
            visits.filter(joint=True)
            .select_related("enterprise", "lead_body")
            .prefetch_related(
                Prefetch("inspectors", queryset=Inspector.objects.select_related("body")),
                "tasks__body",
            )
        )
        context.update(
            reason_labels=REASON_LABELS,
            joint_page=Paginator(joint, PAGE_SIZE).get_page(request.GET.get("page")),
            weeks=_visits_per_week(visits, latest.weeks),
            by_body=_visits_per_body(visits),
            distribution=_distribution(latest),
            at_the_door=_at_the_door(latest),
            reasons=_reasons(latest, user),
            unplaced=_unplaced(latest, user)[:100],
        )
    return render(request, "planning/coordination.html", context, status=status)


def _city_runs(year: int, cities: list[District]) -> list[tuple[District, PlanningRun | None]]:
    """Each city's latest run of the year, finished or not, for the province's overview."""
    latest: dict[str | None, PlanningRun] = {}
    for run in PlanningRun.objects.filter(year=year, city__isnull=False):
        latest.setdefault(run.city_id, run)
    return [(city, latest.get(city.code)) for city in cities]


def _visits_per_week(visits: Any, weeks: int) -> list[tuple[int, int]]:
    """Visits in each week, with the bar height in percent of the busiest week."""
    counts = dict(visits.values_list("week").annotate(n=Count("id", distinct=True)))
    top = max([*counts.values(), 1])
    return [(counts.get(w, 0), round(100 * counts.get(w, 0) / top)) for w in range(weeks)]


def _visits_per_body(visits: Any) -> list[tuple[str, int, int]]:
    rows = visits.values("tasks__body__name").annotate(n=Count("id", distinct=True)).order_by("-n")
    led = Counter(dict(visits.values_list("lead_body__name").annotate(n=Count("id"))))
    return [(r["tasks__body__name"], r["n"], led.get(r["tasks__body__name"], 0)) for r in rows]


def _distribution(run: PlanningRun) -> list[tuple[str, int, int, int, int]]:
    """Enterprises by number of visits, before (every body alone) and after, for the chart."""
    before = {int(k): v for k, v in run.distribution.get("before", {}).items()}
    after = {int(k): v for k, v in run.distribution.get("after", {}).items()}
    top = max([*before, *after, 1])
    scale = max([*before.values(), *after.values(), 1])
    return [
        (
            str(k),
            before.get(k, 0),
            after.get(k, 0),
            round(100 * before.get(k, 0) / scale),
            round(100 * after.get(k, 0) / scale),
        )
        for k in range(1, top + 1)
    ]


def _at_the_door(run: PlanningRun) -> dict[str, list[tuple[int, int, int]]]:
    """Planned visits by the bodies and by the people they bring: (k, visits, bar width %)."""
    found: dict[str, list[tuple[int, int, int]]] = {}
    for key in ("bodies", "people"):
        counts = {int(k): v for k, v in run.distribution.get(key, {}).items()}
        top = max(counts.values(), default=1)
        found[key] = [(k, counts[k], round(100 * counts[k] / top)) for k in sorted(counts)]
    return found


def _unplaced(run: PlanningRun, user: Any) -> Any:
    rows = UnplacedTask.objects.filter(run=run).select_related("task__enterprise", "task__body")
    if user.is_supervisor:
        return rows.filter(user.in_area("task__enterprise__district"))
    return rows.filter(task__body_id=user.body_id)


REASON_LABELS = {
    NO_INSPECTOR: gettext_lazy("no inspector of the body serves the enterprise's district"),
    TOO_FEW_INSPECTORS: gettext_lazy(
        "fewer than two inspectors of the body serve the enterprise's district"
    ),
    CAPACITY: gettext_lazy("inspector capacity exhausted in the task's window"),
    CAP_REACHED: gettext_lazy("annual cap of visits by this body to this enterprise reached"),
    DOOR_CAP: gettext_lazy(
        "every visit the task could join is full at the door (bodies or inspectors)"
    ),
}


def _reasons(run: PlanningRun, user: Any) -> list[tuple[str, int]]:
    counts = _unplaced(run, user).values_list("reason").annotate(n=Count("id"))
    return [(str(REASON_LABELS.get(reason, reason)), n) for reason, n in counts]


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    user = access.require_supervisor(request.user)
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.problem())
        return redirect("planning:coordination")
    year = form.cleaned_data["year"]
    wanted = request.POST.get("city", "")
    cities = _cities_of(user)
    if wanted == EVERY_CITY and cities:
        queue_planning_runs(
            actions.do_start_planning_runs(actor=Actor.of(user), year=year, by=user, cities=cities)
        )
        messages.success(
            request,
            _("%(n)s planning runs queued, one per city; the workers plan them in parallel.")
            % {"n": len(cities)},
        )
        return redirect(f"{reverse('planning:coordination')}?year={year}")
    city = _city_asked(user, cities, wanted)
    province = District.objects.cities().count() > 1
    if city is None and (wanted or province or user.area_id):  # a province plans by city
        messages.error(request, _("Choose a city of the province."))
        return redirect(f"{reverse('planning:coordination')}?year={year}")
    queue_planning_runs(
        [actions.do_start_planning_run(actor=Actor.of(user), year=year, by=user, city=city)]
    )
    where = f"&city={city.code}" if city else ""
    return redirect(f"{reverse('planning:coordination')}?year={year}{where}")


EVERY_CITY = "each"


@login_required
@require_POST
def door_limit(request: HttpRequest) -> HttpResponse:
    """The supervisor sets how many bodies and inspectors may come through one door."""
    user = access.require_supervisor(request.user)
    cities = _cities_of(user)
    city = _city_asked(user, cities, request.POST.get("city", ""))
    if city is None and user.area_id is not None:
        raise PermissionDenied("A city's supervisor sets their own city's limits.")
    form = DoorLimitForm(
        request.POST, instance=DoorLimit.objects.for_city(city.code if city else None)
    )
    year_form = YearForm(request.POST)
    year = year_form.cleaned_data["year"] if year_form.is_valid() else YearForm.default_year()
    back = f"{reverse('planning:coordination')}?year={year}" + (
        f"&city={city.code}" if city else ""
    )
    if not form.is_valid():
        # the page again, with what was typed and what is wrong with it
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, "；".join(problems))
        code = city.code if city else ""
        return _coordination_page(request, user, year, code, door_form=form, status=422)
    actions.do_set_door_limit(
        actor=Actor.of(user),
        by=user,
        city=city,
        max_bodies=form.cleaned_data["max_bodies"],
        max_inspectors=form.cleaned_data["max_inspectors"],
    )
    messages.success(
        request,
        _(
            "Saved: at most %(bodies)s bodies and %(people)s inspectors on one visit. The next "
            "planning run and every visit registered from now on keep it."
        )
        % {
            "bodies": form.cleaned_data["max_bodies"],
            "people": form.cleaned_data["max_inspectors"],
        },
    )
    return redirect(back)


def _cities_of(user: Any) -> list[District]:
    """The cities the user may plan and read runs of: all, or those in a supervisor's area."""
    return [city for city in District.objects.cities() if in_area(user, city.code)]


def _city_asked(user: Any, cities: list[District], code: str) -> District | None:
    """The city asked for; a city's own supervisor always has theirs."""
    if user.area_id is not None and len(cities) == 1:
        return cities[0]
    return next((city for city in cities if city.code == code), None)


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_planner(request.user)
    run = get_object_or_404(PlanningRun, pk=pk)
    response = render(request, "planning/run_progress.html", {"run": run})
    if run.status in {PlanningRun.Status.DONE, PlanningRun.Status.FAILED}:
        response["HX-Refresh"] = "true"
    return response


# --- rules, tiers ---------------------------------------------------------------------------


def policy_in_force(body: Body) -> TierPolicy:
    """The body's own scoring rules, or a copy of the city's that are in force for it: the form
    shows what applies, so that saving it unchanged changes nothing."""
    own = TierPolicy.objects.filter(body=body).first()
    if own is not None:
        return own
    city = TierPolicy.objects.filter(body__isnull=True).first()
    copied = {
        field.name: getattr(city, field.name)
        for field in TierPolicy._meta.concrete_fields
        if city is not None and field.name not in ("id", "body")
    }
    return TierPolicy(body=body, **copied)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    body = access.own_body(request.user)
    rule_id = whole_number(request.GET.get("edit") or request.POST.get("rule"))
    rule = get_object_or_404(FrequencyRule, pk=rule_id, body=body) if rule_id else None
    form = FrequencyRuleForm(
        request.POST or None, instance=rule or FrequencyRule(body=body), prefix="rule"
    )
    if request.method == "POST" and "save_rule" in request.POST and form.is_valid():
        form.save()
        messages.success(request, _("Rule saved."))
        return redirect("planning:rules")
    policy = policy_in_force(body)
    policy_form = TierPolicyForm(
        request.POST if "save_policy" in request.POST else None, instance=policy, prefix="policy"
    )
    if request.method == "POST" and "save_policy" in request.POST and policy_form.is_valid():
        if not policy_form.has_changed():
            messages.info(
                request, _("Nothing changed: the scoring rules in force stay as they are.")
            )
            return redirect("planning:rules")
        policy_form.save()
        recompute_tiers.enqueue(body.pk, reason=str(_("scoring rules changed")))
        messages.success(request, _("Scoring rules saved; the tiers are being recomputed."))
        return redirect("planning:rules")
    levels = dict(
        Tier.objects.filter(body=body).values_list("computed_level").annotate(n=Count("id"))
    )
    return render(
        request,
        "planning/rules.html",
        {
            "body": body,
            "rules": queries.rules_by_body(body),
            "form": form,
            "policy_form": policy_form,
            "levels": levels,
            "contradictions": queries.contradictions(body)[:200],
        },
    )


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    body = access.own_body(request.user)
    recompute_tiers.enqueue(body.pk, reason=str(_("recomputed on request")))
    messages.success(request, _("The tiers are being recomputed."))
    return redirect("planning:rules")


@login_required
def enterprise_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Tiers with their factors and the planned visits, for the enterprise's page (htmx)."""
    enterprise = get_object_or_404(enterprises_for_user(request.user), pk=pk)
    tiers = list(access.tiers_for(request.user, enterprise))
    history = TierHistory.objects.filter(
        enterprise=enterprise, body__in=[t.body_id for t in tiers]
    ).select_related("body", "by")[:10]
    done = PlanningRun.objects.filter(status=PlanningRun.Status.DONE)
    latest_year = done.aggregate(year=Max("year"))["year"]
    visits = (
        PlannedVisit.objects.filter(
            run_id__in=done.filter(year=latest_year).current_ids(), enterprise=enterprise
        )
        .select_related("lead_body")
        .prefetch_related("tasks__body", "inspectors")
    )
    user = require_login(request.user)
    if not (user.is_supervisor or user.is_enterprise_user):
        visits = visits.filter(tasks__body_id=user.body_id or 0).distinct()
    return render(
        request,
        "planning/enterprise_panel.html",
        {
            "enterprise": enterprise,
            "tiers": [(t, access.can_override(user, t)) for t in tiers],
            "history": history,
            "visits": visits,
            "override_form": OverrideForm(),
        },
    )


@login_required
@require_POST
def override_tier(request: HttpRequest, pk: int) -> HttpResponse:
    tier = get_object_or_404(Tier.objects.select_related("enterprise", "body"), pk=pk)
    if not access.can_override(request.user, tier):
        raise PermissionDenied("Only the body's admin overrides its tiers.")
    form = OverrideForm(request.POST)
    if form.is_valid():
        actions.do_override_tier(
            actor=Actor.of(request.user), tier=tier, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Tier overridden."))
    else:
        messages.error(request, _("The override needs a tier, a reason and an end date."))
    return redirect("registry:enterprise_detail", pk=tier.enterprise_id)


# --- annual plans ---------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = access.require_planner(request.user)
    plans = access.plans_for_user(user).annotate(entry_count=Count("entries"))
    return render(
        request,
        "planning/plan_list.html",
        {"plans": plans, "can_generate": user.is_body_admin, "year": YearForm.default_year()},
    )


@login_required
@require_POST
def plan_generate(request: HttpRequest) -> HttpResponse:
    body = access.own_body(request.user)
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.problem())
        return redirect("planning:plan_list")
    try:
        plan = actions.do_generate_plan(
            actor=Actor.of(request.user), body=body, year=form.cleaned_data["year"]
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("planning:plan_list")
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.require_planner(request.user)
    plan = access.get_plan(user, pk)
    entries = plan.entries.select_related("enterprise").prefetch_related("items")
    kinds = {
        Kind(kind).label: n
        for kind, n in plan.entries.values_list("kind").annotate(n=Count("id")).order_by("kind")
    }
    tiers = {
        tier: (Level(tier).label, n)
        for tier, n in plan.entries.values_list("tier").annotate(n=Count("id")).order_by("tier")
        if tier
    }
    special_form = SpecialEntryForm(body=plan.body) if user.body_id == plan.body_id else None
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
            "kinds": kinds,
            "tiers": tiers,
            "special_form": special_form,
            "is_owner": user.body_id == plan.body_id,
            "decision_form": DecisionForm(),
        },
    )


@login_required
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The plan as a spreadsheet, or as the PDF filed with the supervisor (备案)."""
    user = access.require_planner(request.user)
    plan = access.get_plan(user, pk)
    name = f"{plan.body.name}-{plan.year}年度检查计划"
    if fmt == "xlsx":
        return xlsx_response(name, f"{plan.year}年度检查计划", PLAN_HEADERS, plan_rows(plan))
    if fmt == "pdf":
        response = HttpResponse(plan_pdf(plan), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.pdf"
        return response
    raise Http404("Unknown format.")


@login_required
@require_POST
def plan_special(request: HttpRequest, pk: int) -> HttpResponse:
    body = access.own_body(request.user)
    plan = access.get_plan(request.user, pk)
    if plan.body_id != body.pk:
        raise PermissionDenied("Another body's plan.")
    form = SpecialEntryForm(request.POST, request.FILES, body=body)
    if form.is_valid():
        try:
            added = actions.do_add_special_entries(
                actor=Actor.of(request.user),
                plan=plan,
                enterprises=form.enterprises,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                items=list(form.cleaned_data["items"]),
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("%(n)s special inspections added; they are approved with the plan.")
                % {"n": len(added)},
            )
        except ValueError as error:
            messages.error(request, str(error))
    else:
        messages.error(
            request, "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_file(request: HttpRequest, pk: int) -> HttpResponse:
    body = access.own_body(request.user)
    plan = access.get_plan(request.user, pk)
    if plan.body_id != body.pk:
        raise PermissionDenied("Another body's plan.")
    try:
        actions.do_file_plan(actor=Actor.of(request.user), plan=plan)
        messages.success(request, _("Filed with the supervisor."))
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = access.require_supervisor(request.user)
    plan = access.get_plan(user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    if decision not in {"accept", "return"}:
        raise Http404("Unknown decision.")
    try:
        actions.do_decide_plan(
            actor=Actor.of(user),
            plan=plan,
            accept=decision == "accept",
            comments=form.cleaned_data.get("comments", ""),
            by=user,
        )
        messages.success(
            request,
            _("Plan accepted: its entries are now tasks.")
            if decision == "accept"
            else _("Plan returned with comments."),
        )
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("planning:plan_detail", pk=plan.pk)


# --- inspector schedules --------------------------------------------------------------------


def _schedule(inspector: Inspector) -> Any:
    return (
        inspector.planned_visits.filter(run_id__in=PlanningRun.objects.current_ids())
        .select_related("enterprise", "lead_body", "enterprise__district")
        .prefetch_related("tasks__body", "inspectors")
        .order_by("week_start")
    )


@login_required
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_object_or_404(Inspector.objects.select_related("body"), pk=pk)
    access.schedule_owner(request.user, inspector)
    today = timezone.localdate()
    visits = _schedule(inspector).filter(week_start__gte=today - dt.timedelta(days=7))
    key = signing.Signer(salt=FEED_SALT).sign(str(inspector.pk))
    feed = request.build_absolute_uri(reverse("planning:schedule_feed", args=[inspector.pk]))
    return render(
        request,
        "planning/schedule.html",
        {"inspector": inspector, "visits": visits[:200], "feed": f"{feed}?key={key}"},
    )


def schedule_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """The schedule as iCalendar, for a phone's calendar: the link carries a signed key."""
    try:
        signed = signing.Signer(salt=FEED_SALT).unsign(request.GET.get("key", ""))
    except signing.BadSignature:
        raise PermissionDenied("This calendar link is not valid.") from None
    if signed != str(pk):
        raise PermissionDenied("This calendar link is not valid.")
    inspector = get_object_or_404(Inspector, pk=pk)
    body = schedule_ics(inspector, list(_schedule(inspector)))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="schedule-{pk}.ics"'
    return response


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    user = require_login(request.user)
    inspector = Inspector.objects.filter(user=user).first()
    if inspector is None:
        raise Http404("Your account is not an inspector's.")
    return redirect("planning:schedule", pk=inspector.pk)
