"""入企检查: the visit, its code (扫码入企), its checklist results, findings, sign-offs and
documents, the enterprise's slot proposals, anonymous evaluations and complaints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevisit.catalog.models import CheckPoint, Item
from onevisit.inspections.tokens import display_short_code
from onevisit.lib.receipts import secret_matches
from onevisit.lib.suites import suite_field
from onevisit.planning.models import PlannedVisit, Task
from onevisit.registry.models import Body, Enterprise, Inspector

# The enterprise rates a visit within this many days of its closing.
EVALUATION_DAYS = 30
# Emergency visits may be registered after the fact (an outage), at most this many days late.
LATE_REGISTRATION_DAYS = 10


class VisitQuerySet(models.QuerySet["Visit"]):
    def with_refs(self) -> VisitQuerySet:
        return self.select_related("enterprise", "enterprise__district", "lead_body")

    def happened(self) -> VisitQuerySet:
        """Visits that took place: checked in or closed."""
        return self.filter(status__in=[Visit.Status.IN_PROGRESS, Visit.Status.CLOSED])

    def inspections(self) -> VisitQuerySet:
        """Administrative inspections only: a survey, publicity or guidance visit is none."""
        return self.filter(purpose=Visit.Purpose.INSPECTION)


class Visit(models.Model):
    """One entry into one enterprise on one day by one team; joint when several bodies come."""

    class Purpose(models.TextChoices):
        INSPECTION = "inspection", _("administrative inspection (行政检查)")
        SURVEY = "survey", _("survey (调研)")
        PUBLICITY = "publicity", _("law publicity (普法宣传)")
        GUIDANCE = "guidance", _("guidance visit on request (有求必应)")

    class Origin(models.TextChoices):
        PLANNED = "planned", _("planned (计划)")
        DRAWN = "drawn", _("random draw (双随机)")
        TRIGGERED = "triggered", _("triggered (触发)")
        EMERGENCY = "emergency", _("emergency (紧急)")
        SPECIAL = "special", _("special or ad-hoc, assessed (专项)")
        OTHER = "other", _("not an inspection")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        IN_PROGRESS = "in_progress", _("on site")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="visits"
    )
    lead_body = models.ForeignKey(
        Body, verbose_name=_("lead body"), on_delete=models.PROTECT, related_name="led_visits"
    )
    bodies = models.ManyToManyField(Body, verbose_name=_("bodies"), related_name="visits")
    tasks = models.ManyToManyField(Task, blank=True, related_name="visits")
    items = models.ManyToManyField(Item, blank=True, related_name="visits")
    inspectors = models.ManyToManyField(Inspector, related_name="visits")
    purpose = models.CharField(
        _("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.INSPECTION
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    date = models.DateField(_("date"))
    cause = models.TextField(_("cause"), blank=True)
    unannounced = models.BooleanField(_("unannounced"), default=False)
    unannounced_reason = models.TextField(_("why unannounced"), blank=True)
    registered_late = models.BooleanField(_("registered after the visit"), default=False)
    late_reason = models.TextField(_("why registered late"), blank=True)
    planned_visit = models.ForeignKey(
        PlannedVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        verbose_name=_("prior assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        help_text=_("the approved assessment of a special inspection, or an emergency's own"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprise_signed_by = models.CharField(
        _("enterprise representative"), max_length=50, blank=True
    )
    enterprise_signed_at = models.DateTimeField(null=True, blank=True)
    team_signed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team_signed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    record_pdf = models.FileField(upload_to="visits/records/%Y/", blank=True)
    record_sha256 = models.CharField(max_length=64, blank=True)
    feedback_pdf = models.FileField(upload_to="visits/feedback/%Y/", blank=True)
    feedback_sha256 = models.CharField(max_length=64, blank=True)
    record_number = models.CharField(_("record number (文书编号)"), max_length=60, blank=True)
    feedback_number = models.CharField(_("feedback number"), max_length=60, blank=True)
    order_number = models.CharField(_("rectification order number"), max_length=60, blank=True)
    order_pdf = models.FileField(upload_to="visits/orders/%Y/", blank=True)
    order_sha256 = models.CharField(max_length=64, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["enterprise", "date"], name="visit_enterprise_date"),
            models.Index(fields=["date", "status"], name="visit_date_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin__in=["triggered", "emergency"]) | ~Q(cause=""),
                name="visit_triggered_has_cause",
                violation_error_message=_("A triggered or emergency visit records its cause."),
            ),
            models.CheckConstraint(
                condition=Q(unannounced=False) | ~Q(unannounced_reason=""),
                name="visit_unannounced_has_reason",
                violation_error_message=_("An unannounced visit records why."),
            ),
            models.CheckConstraint(
                condition=Q(registered_late=False) | ~Q(late_reason=""),
                name="visit_late_registration_has_reason",
                violation_error_message=_("A visit registered after the fact records why."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.enterprise}"

    @property
    def is_joint(self) -> bool:
        return len(self.bodies.all()) > 1

    @property
    def is_enforcement(self) -> bool:
        return self.purpose == self.Purpose.INSPECTION

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.IN_PROGRESS)

    @property
    def evaluation_open(self) -> bool:
        """Closed, within the evaluation window, and not rated yet."""
        if self.status != self.Status.CLOSED or self.closed_at is None:
            return False
        if Evaluation.objects.filter(visit=self).exists():
            return False
        age = timezone.localdate() - timezone.localdate(self.closed_at)
        return age.days <= EVALUATION_DAYS

    def current_code(self) -> InspectionCode | None:
        for code in self.codes.all():
            if code.cancelled_at is None:
                return code
        return None

    def window(self) -> tuple[dt.date, dt.date] | None:
        """The days on which the visit may take place: the overlap of its tasks' windows."""
        tasks = list(self.tasks.all())
        if not tasks:
            return None
        start = max(t.window_start for t in tasks)
        end = min(t.window_end for t in tasks)
        return (start, end) if start <= end else None


class InspectionCode(models.Model):
    """检查码: the signed code of a visit, valid on the visit's day only. Rescheduling cancels it
    and issues a new one."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="codes")
    short_code = models.CharField(_("code"), max_length=8, unique=True)
    token = models.TextField(_("signed token"), unique=True)
    suite = suite_field(_("the suite that signed the code: SM2 and SM3, or Ed25519"))
    valid_on = models.DateField(_("valid on"))
    # What the code announced when it was issued (enterprise, bodies, team with certificate
    # numbers, items with legal basis): a code never changes, a changed visit gets a new one.
    snapshot = models.JSONField(default=dict)
    issued_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("inspection code")
        verbose_name_plural = _("inspection codes")
        constraints = [
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(cancelled_at__isnull=True),
                name="one_live_code_per_visit",
            )
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return display_short_code(self.short_code)


class PointResult(models.Model):
    """The outcome of one checklist point in one visit."""

    class Outcome(models.TextChoices):
        COMPLIANT = "compliant", _("compliant (合格)")
        NONCOMPLIANT = "noncompliant", _("not compliant (不合格)")
        NOT_APPLICABLE = "na", _("not applicable (不适用)")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="results")
    point = models.ForeignKey(CheckPoint, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["visit_id", "point__item_id", "point__number"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "point"], name="one_result_per_point")
        ]
        indexes = [models.Index(fields=["point", "outcome"], name="result_point_outcome")]

    def __str__(self) -> str:
        return f"{self.point}: {self.get_outcome_display()}"


class Photo(models.Model):
    """A photo of a point's result, stored with its SHA-256 so that it can be shown unaltered."""

    result = models.ForeignKey(PointResult, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="visits/photos/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=30)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256[:12]


class Finding(models.Model):
    """检查问题: a problem found at a point, with its severity and the rectification deadline."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("minor (轻微)")
        GENERAL = "general", _("general (一般)")
        SERIOUS = "serious", _("serious (严重)")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    point = models.ForeignKey(CheckPoint, on_delete=models.PROTECT, related_name="findings")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="findings")
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    description = models.TextField(_("problem"))
    rectify_by = models.DateField(_("rectify by"))
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit_id", "point__item_id", "point__number"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "point"], name="one_finding_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.point.content}: {self.description[:40]}"


class DocumentSequence(models.Model):
    """文书编号: each body numbers each kind of document from 1 every year."""

    class Kind(models.TextChoices):
        RECORD = "record", _("on-site record (现场检查笔录)")
        FEEDBACK = "feedback", _("feedback report (体检式反馈)")
        ORDER = "order", _("rectification order (责令限期整改通知书)")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "year", "kind"], name="one_sequence_each")
        ]

    def __str__(self) -> str:
        return f"{self.body_id} {self.year} {self.kind}: {self.last}"


class TeamConfirmation(models.Model):
    """Each member of the team confirms the on-site record (by their certificate number, on the
    phone that records the visit): an inspection is made by every officer in it, not by one."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="confirmations")
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["confirmed_at", "id"]
        verbose_name = _("team member's confirmation")
        verbose_name_plural = _("team members' confirmations")
        constraints = [
            models.UniqueConstraint(fields=["visit", "inspector"], name="one_confirmation_each")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.inspector_id}"


class SlotProposal(models.Model):
    """双向预约: the enterprise asks for another day within the visit's window."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="proposals")
    proposed_date = models.DateField(_("proposed day"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(_("answer"), blank=True)
    proposed_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"], condition=Q(status="pending"), name="one_pending_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.visit} → {self.proposed_date}"


class Evaluation(models.Model):
    """企业评价. Holds no user: the visit is known (the supervisor acts on it), the person is not.
    The inspected bodies only ever see aggregates (see `access.evaluation_summary`)."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="evaluation")
    conduct = models.PositiveSmallIntegerField(_("conduct"))
    professionalism = models.PositiveSmallIntegerField(_("professionalism"))
    burden = models.PositiveSmallIntegerField(_("burden on the business"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_on = models.DateField(_("submitted on"))
    supervisor_note = models.TextField(_("supervisor's note"), blank=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conduct__range=(1, 5))
                & Q(professionalism__range=(1, 5))
                & Q(burden__range=(1, 5)),
                name="evaluation_scores_1_to_5",
                violation_error_message=_("Scores run from 1 to 5."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.average:.1f}"

    @property
    def average(self) -> float:
        return (self.conduct + self.professionalism + self.burden) / 3


class Complaint(models.Model):
    """A complaint about a visit or a code, to the supervisor only."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "open")
        HANDLED = "handled", _("handled")

    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    code_presented = models.CharField(_("code presented"), max_length=200, blank=True)
    text = models.TextField(_("complaint"))
    contact = models.CharField(_("contact (optional)"), max_length=100, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    handling_note = models.TextField(_("handling"), blank=True)
    # the complainant follows the complaint with these two, as a reporter follows a tip
    receipt = models.CharField(_("receipt number"), max_length=20, null=True, unique=True)
    secret_sha256 = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.text[:40]

    def secret_matches(self, secret: str) -> bool:
        return secret_matches(self.secret_sha256, secret)


def code_snapshot(
    visit: Visit, bodies: list[Body], team: list[Inspector], items: list[Item]
) -> dict[str, Any]:
    """What a code shows at the door, fixed when it is issued."""
    return {
        "enterprise": visit.enterprise.name,
        "purpose": visit.purpose,
        "origin": visit.origin,
        "cause": visit.cause,
        "bodies": [{"name": b.name, "lead": b.pk == visit.lead_body_id} for b in bodies],
        "team": [
            {"name": i.name, "body": i.body.name, "certificate": i.certificate_number} for i in team
        ],
        "items": [
            {"code": i.code, "name": i.name, "body": i.body.name, "legal_basis": i.legal_basis}
            for i in items
        ],
    }


def visit_points(visit: Visit) -> list[CheckPoint]:
    """The checklist points of the visit's items, lead body first."""
    points = CheckPoint.objects.filter(item__visits=visit).select_related("item", "item__body")
    return sorted(
        points,
        key=lambda p: (p.item.body_id != visit.lead_body_id, p.item.body_id, p.item.code, p.number),
    )
