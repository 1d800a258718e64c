"""What waits for each role today: counts of open work, each pointing where it is done.

Every count goes through the same permission-checked querysets as the pages it links to, so a
workbench never counts what its user could not open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.assessments import access as assessment_access
from onevisit.assessments.models import Assessment
from onevisit.campaigns.models import RetirementUnit
from onevisit.evaluation.models import Diagnosis, Objection
from onevisit.evaluation.models import Entry as EvaluationEntry
from onevisit.evaluation.models import Year as EvaluationYear
from onevisit.inspections import access as visit_access
from onevisit.inspections.models import EVALUATION_DAYS, SlotProposal, Visit
from onevisit.liaison import access as liaison_access
from onevisit.liaison.models import Concern
from onevisit.monitoring import access as alert_access
from onevisit.monitoring.models import Alert
from onevisit.oversight import access as oversight_access
from onevisit.oversight.models import ABSENT, Warning
from onevisit.planning import access as planning_access
from onevisit.planning.models import AnnualPlan, Kind, PlannedVisit, PlanningRun, Task, UnplacedTask
from onevisit.rectification import access as rect_access
from onevisit.rectification.models import Rectification
from onevisit.registry.models import Inspector
from onevisit.scope import access as scope_access
from onevisit.scope.models import Entry as ScopeEntry
from onevisit.tips import access as tip_access
from onevisit.tips.models import Tip
from onevisit.workdays.calendar import add_working_days

CERTIFICATE_NOTICE_DAYS = 60
TIP_NOTICE_WORKING_DAYS = 3


@dataclass(frozen=True)
class Entry:
    """One kind of waiting work: how many, where to do it, and whether it is late."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


def inspector_sections(user: User, today: dt.date) -> list[Section]:
    inspector = Inspector.objects.filter(user=user).first()
    if inspector is None:
        return []
    mine = (
        Visit.objects.with_refs()
        .filter(inspectors=inspector)
        .exclude(status__in=[Visit.Status.CANCELLED, Visit.Status.CLOSED])
    )
    week_end = today + dt.timedelta(days=7)
    todays = list(mine.filter(date=today).prefetch_related("bodies").order_by("id"))
    visits = Section(_("My visits"), visits=todays)
    visits.entries = [
        Entry(_("Visits today"), len(todays), reverse("inspections:today")),
        Entry(
            _("Visits in the next seven days"),
            mine.filter(date__gt=today, date__lte=week_end).count(),
            reverse("inspections:today"),
        ),
        Entry(
            _("Visits on site, checklist or signatures to finish"),
            mine.filter(status=Visit.Status.IN_PROGRESS).count(),
            reverse("inspections:today"),
            urgent=mine.filter(status=Visit.Status.IN_PROGRESS, date__lt=today).exists(),
        ),
    ]
    rechecks = Task.objects.filter(
        body_id=user.body_id or 0,
        kind=Kind.RECHECK,
        status=Task.Status.OPEN,
        window_start__lte=week_end,
    )
    follow_up = Section(_("Follow-up"))
    follow_up.entries = [
        Entry(
            _("Re-checks of rectification due"),
            rechecks.count(),
            reverse("rectification:ledger") + "?show=open",
            urgent=rechecks.filter(window_end__lt=today).exists(),
        ),
    ]
    return [visits, follow_up]


def body_admin_sections(user: User, today: dt.date) -> list[Section]:
    sections = [
        Section(_("Plans and visits"), _planning_entries(user.body_id or 0, today)),
        Section(_("Follow-up"), _follow_up_entries(user, today)),
        _checks_owed(user),
        Section(_("Prior assessments (事前评估)"), _assessment_entries(user)),
        Section(_("Inspectors"), _certificate_entries(user.body_id or 0, today)),
    ]
    evaluation = _evaluation_entries(user, today)
    if evaluation:
        sections.append(Section(_("Land-efficiency evaluation (亩产效益评价)"), evaluation))
    scope = _scope_entries(user)
    if scope:
        sections.append(Section(_("Business scope (经营范围)"), scope))
    return sections


def _evaluation_entries(user: User, today: dt.date) -> list[Entry]:
    """The lead department's 公示 under way: its deadline, and the objections that wait."""
    found = []
    published = EvaluationYear.objects.filter(
        lead_body_id=user.body_id or 0, status=EvaluationYear.Status.PUBLISHED
    ).order_by("objections_until")
    for year in published:
        waiting = Objection.objects.filter(entry__year=year, decision=Objection.Decision.PENDING)
        url = reverse("evaluation:year_detail", args=[year.pk])
        found.append(
            Entry(
                _("%(year)s 公示: objections until %(day)s, waiting for a decision")
                % {"year": year.year, "day": year.objections_until},
                waiting.count(),
                f"{url}#objections",
                urgent=waiting.exists()
                and year.objections_until is not None
                and year.objections_until < today,
            )
        )
    return found


def _scope_entries(user: User) -> list[Entry]:
    """Regional entries: those market regulation reviews, those returned to a district."""
    regional = ScopeEntry.objects.filter(regional=True)
    url = reverse("scope:regional")
    found = []
    if scope_access.is_reviewer(user):
        waiting = regional.filter(status=ScopeEntry.Status.PROPOSED).count()
        found.append(Entry(_("Regional entries to review"), waiting, url))
    if scope_access.can_propose(user) and user.body is not None:
        returned = regional.filter(
            status=ScopeEntry.Status.RETURNED, district_id=user.body.district_id
        ).count()
        proposed = regional.filter(
            status=ScopeEntry.Status.PROPOSED, district_id=user.body.district_id
        ).count()
        found.append(Entry(_("Regional entries returned to revise"), returned, url, returned > 0))
        found.append(Entry(_("Regional entries under review"), proposed, url))
    return found


SHOWN_WARNINGS = 5


def _assessment_entries(user: User) -> list[Entry]:
    mine = assessment_access.assessments_for_user(user).filter(body_id=user.body_id or 0)
    unassessed = Visit.objects.filter(
        lead_body_id=user.body_id or 0,
        origin=Visit.Origin.EMERGENCY,
        assessment__isnull=True,
    ).exclude(status=Visit.Status.CANCELLED)
    return [
        Entry(
            _("Assessments awaiting approval"),
            mine.filter(status=Assessment.Status.SUBMITTED).count(),
            reverse("assessments:assessment_list") + "?status=submitted",
        ),
        Entry(
            _("Emergency visits to assess afterwards"),
            unassessed.count(),
            reverse("inspections:visit_list") + "?unassessed=1",
            urgent=True,
        ),
    ]


def _checks_owed(user: User) -> Section:
    """应查未查: the 缺位 warnings about the body's own duties, the first few listed by name."""
    owed = (
        oversight_access.warnings_for_user(user)
        .filter(kind__in=ABSENT, status__in=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED])
        .order_by("created", "id")
    )
    return Section(
        _("Checks owed (应查未查)"),
        [
            Entry(
                _("Required checks not made"),
                owed.count(),
                reverse("oversight:warning_list") + "?status=&kind=absent",
                urgent=True,
            )
        ],
        warnings=list(owed[:SHOWN_WARNINGS]),
    )


def _planning_entries(body_id: int, today: dt.date) -> list[Entry]:
    plans = AnnualPlan.objects.filter(body_id=body_id, year__in=[today.year, today.year + 1])
    editable = [AnnualPlan.Status.DRAFT, AnnualPlan.Status.RETURNED]
    missing_plan = 0 if plans.filter(year=today.year + 1).exists() else 1
    runs = PlanningRun.objects.of_latest_year().current_ids()  # one per city in a province
    unplaced = UnplacedTask.objects.filter(
        run_id__in=runs, task__body_id=body_id, task__status=Task.Status.OPEN
    )
    registered = [Visit.Status.SCHEDULED, Visit.Status.IN_PROGRESS, Visit.Status.CLOSED]
    to_register = PlannedVisit.objects.filter(
        run_id__in=runs, lead_body_id=body_id, week_start=today - dt.timedelta(days=today.weekday())
    ).exclude(visits__status__in=registered)
    proposals = SlotProposal.objects.filter(
        status=SlotProposal.Status.PENDING, visit__lead_body_id=body_id
    )
    return [
        Entry(
            _("Annual plans to generate or file"),
            plans.filter(status__in=editable).count() + missing_plan,
            reverse("planning:plan_list"),
            urgent=plans.filter(status__in=editable, year=today.year).exists(),
        ),
        Entry(
            _("Open tasks the planner could not place"),
            unplaced.count() if runs else 0,
            reverse("planning:coordination"),
        ),
        Entry(
            _("Planned visits to register this week"),
            to_register.count() if runs else 0,
            reverse("inspections:planned_list"),
        ),
        Entry(
            _("Date proposals from enterprises to answer"),
            proposals.count(),
            reverse("inspections:visit_list") + "?status=scheduled",
        ),
    ]


def _follow_up_entries(user: User, today: dt.date) -> list[Entry]:
    rects = rect_access.rectifications_for_user(user)
    return [
        Entry(
            _("Rectifications waiting for verification"),
            rects.filter(status=Rectification.Status.SUBMITTED).count(),
            reverse("rectification:ledger") + "?show=submitted",
        ),
        Entry(
            _("Overdue rectifications"),
            rects.overdue(today).count(),
            reverse("rectification:ledger") + "?show=overdue",
            urgent=True,
        ),
        *_tips_and_alerts(user, today),
        *_requests(user, today),
        Entry(
            _("Warnings to acknowledge"),
            oversight_access.warnings_for_user(user).filter(status=Warning.Status.OPEN).count(),
            reverse("oversight:warning_list"),
            urgent=True,
        ),
    ]


def _requests(user: User, today: dt.date) -> list[Entry]:
    concerns = liaison_access.concerns_for_user(user)
    return [
        Entry(
            _("Enterprise requests to answer"),
            concerns.open().count(),
            reverse("liaison:concern_list") + "?show=open",
            urgent=concerns.overdue(today).exists(),
        )
    ]


def _certificate_entries(body_id: int, today: dt.date) -> list[Entry]:
    expiring = Inspector.objects.filter(
        body_id=body_id,
        active=True,
        certificate_valid_until__range=(today, today + dt.timedelta(days=CERTIFICATE_NOTICE_DAYS)),
    )
    return [
        Entry(
            _("Certificates expiring within 60 days"),
            expiring.count(),
            reverse("registry:inspector_list"),
        )
    ]


def _tips_and_alerts(user: User, today: dt.date) -> list[Entry]:
    soon = add_working_days(today, TIP_NOTICE_WORKING_DAYS)
    open_tips = tip_access.tips_for_user(user).filter(
        status__in=[Tip.Status.RECEIVED, Tip.Status.ACKNOWLEDGED]
    )
    near = open_tips.filter(
        Q(status=Tip.Status.RECEIVED, ack_due__lte=soon) | Q(handle_due__lte=soon)
    )
    late = open_tips.filter(
        Q(status=Tip.Status.RECEIVED, ack_due__lt=today) | Q(handle_due__lt=today)
    )
    return [
        Entry(
            _("Tips near or past their deadline"),
            near.count(),
            reverse("tips:tip_list"),
            urgent=late.exists(),
        ),
        Entry(
            _("Open monitoring alerts"),
            alert_access.alerts_for_user(user)
            .filter(status__in=[Alert.Status.OPEN, Alert.Status.EXPLAINED])
            .count(),
            reverse("monitoring:alert_list"),
        ),
    ]


def supervisor_sections(user: User, today: dt.date) -> list[Section]:
    oversight = Section(_("Oversight"))
    warnings = oversight_access.warnings_for_user(user)
    oversight.entries = [
        Entry(
            _("Annual plans to accept"),
            planning_access.plans_for_user(user).filter(status=AnnualPlan.Status.FILED).count(),
            reverse("planning:plan_list"),
        ),
        Entry(
            _("Open warnings"),
            warnings.filter(status__in=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED]).count(),
            reverse("oversight:warning_list"),
        ),
        Entry(
            _("Enterprise requests overdue or to route"),
            liaison_access.concerns_for_user(user)
            .filter(Q(pk__in=Concern.objects.overdue(today)) | Q(body__isnull=True))
            .open()
            .count(),
            reverse("liaison:concern_list") + "?show=overdue",
            urgent=True,
        ),
        Entry(
            _("Prior assessments to decide"),
            assessment_access.assessments_for_user(user)
            .filter(status=Assessment.Status.SUBMITTED)
            .count(),
            reverse("assessments:assessment_list") + "?status=submitted",
            urgent=True,
        ),
        Entry(
            _("Complaints to handle"),
            oversight_access.complaints_for_supervisor(user).filter(status="open").count(),
            reverse("oversight:complaint_list"),
            urgent=True,
        ),
        Entry(
            _("Evaluations of the last 30 days to read"),
            visit_access.evaluations_for_supervisor(user)
            .filter(
                supervisor_note="", submitted_on__gte=today - dt.timedelta(days=EVALUATION_DAYS)
            )
            .count(),
            reverse("oversight:evaluation_list"),
        ),
        Entry(
            _("Rectifications escalated to the supervisor"),
            rect_access.rectifications_for_user(user)
            .open()
            .filter(escalated_supervisor_at__isnull=False)
            .count(),
            reverse("rectification:ledger") + "?show=overdue",
            urgent=True,
        ),
    ]
    return [oversight]


def enterprise_sections(user: User, today: dt.date) -> list[Section]:
    enterprise_id = user.enterprise_id or 0
    visits = visit_access.visits_for_user(user)
    upcoming = list(
        visits.filter(status=Visit.Status.SCHEDULED, date__gte=today)
        .prefetch_related("bodies")
        .order_by("date", "id")[:5]
    )
    inspections = Section(_("Inspections"), visits=upcoming)
    proposals = SlotProposal.objects.filter(visit__enterprise_id=enterprise_id)
    rated_window = today - dt.timedelta(days=EVALUATION_DAYS)
    inspections.entries = [
        Entry(
            _("Announced visits"),
            visits.filter(status=Visit.Status.SCHEDULED, date__gte=today).count(),
            reverse("inspections:mine"),
        ),
        Entry(
            _("Date proposals waiting for an answer"),
            proposals.filter(status=SlotProposal.Status.PENDING).count(),
            reverse("inspections:mine"),
        ),
        Entry(
            _("Date proposals declined in the last 30 days"),
            proposals.filter(
                status=SlotProposal.Status.DECLINED, created__date__gte=rated_window
            ).count(),
            reverse("inspections:mine"),
        ),
        Entry(
            _("Visits waiting for your rating"),
            visits.filter(
                status=Visit.Status.CLOSED,
                closed_at__date__gte=rated_window,
                evaluation__isnull=True,
            ).count(),
            reverse("inspections:mine"),
        ),
    ]
    rects = rect_access.rectifications_for_user(user).awaiting_enterprise()
    alerts = alert_access.alerts_for_user(user).filter(status=Alert.Status.OPEN)
    units = RetirementUnit.objects.filter(
        enterprise_id=enterprise_id, status=RetirementUnit.Status.PLANNED
    )
    first_unit = units.order_by("deadline").first()
    duties = Section(_("What is asked of you"))
    duties.entries = [
        Entry(
            _("Rectifications to carry out"),
            rects.count(),
            reverse("rectification:ledger"),
            urgent=rects.filter(deadline__lt=today).exists(),
        ),
        Entry(
            _("Monitoring alerts waiting for your explanation"),
            alerts.count(),
            reverse("monitoring:alert_list"),
            urgent=alerts.exists(),
        ),
        Entry(
            _("Equipment to retire (一企一策)"),
            units.count(),
            reverse("campaigns:enterprise_plan", args=[first_unit.campaign_id, enterprise_id])
            if first_unit
            else "",
            urgent=units.filter(deadline__lt=today).exists(),
        ),
    ]
    mine = liaison_access.concerns_for_user(user)
    evaluation = Section(_("Land-efficiency evaluation (亩产效益评价)"))
    entries = EvaluationEntry.objects.filter(enterprise_id=enterprise_id)
    evaluations = reverse("evaluation:year_list")
    evaluation.entries = [
        Entry(
            _("Results published for objections (公示)"),
            entries.filter(year__status=EvaluationYear.Status.PUBLISHED).count(),
            evaluations,
        ),
        Entry(
            _("Your objections waiting for a decision"),
            Objection.objects.filter(
                entry__in=entries, decision=Objection.Decision.PENDING
            ).count(),
            evaluations,
        ),
        Entry(
            _("Green diagnoses issued to you"),
            Diagnosis.objects.filter(entry__in=entries, issued__isnull=False).count(),
            evaluations,
        ),
    ]
    requests = Section(_("My requests (政企沟通)"))
    requests.entries = [
        Entry(
            _("Requests waiting for an answer"),
            mine.open().count(),
            reverse("liaison:concern_list") + "?show=open",
        ),
        Entry(
            _("Answers to rate"),
            mine.filter(status=Concern.Status.ANSWERED).count(),
            reverse("liaison:concern_list") + "?show=open",
            urgent=True,
        ),
        Entry(_("Raise a request"), 0, reverse("liaison:concern_new")),
    ]
    shown = [inspections, duties, requests]
    if entries.exists():
        shown.append(evaluation)
    return shown


def sections_for(user: User, today: dt.date) -> list[Section]:
    if user.is_supervisor:
        return supervisor_sections(user, today)
    if user.is_body_admin:
        return body_admin_sections(user, today)
    if user.is_inspector:
        return inspector_sections(user, today)
    if user.is_enterprise_user:
        return enterprise_sections(user, today)
    return []
