"""整改: every finding's follow-up to its close-out (销号), with the enterprise's evidence, the
body's verification and an escalation ladder; the ledger (台账) is the list of them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.registry.models import Body, Enterprise

# Working days to rectify by severity, unless the body set its own (DeadlinePolicy).
DEFAULT_WORKING_DAYS = {"serious": 5, "general": 15, "minor": 30}
# The ladder: remind the enterprise this many working days before the deadline; the body's
# admin sees it overdue from the day after; the supervisor when this many working days late.
REMIND_WORKING_DAYS = 3
SUPERVISOR_AFTER_WORKING_DAYS = 10


class DeadlinePolicy(models.Model):
    """A body's rectification deadlines in working days, by severity."""

    body = models.OneToOneField(Body, on_delete=models.CASCADE, related_name="deadline_policy")
    serious_days = models.PositiveSmallIntegerField(_("serious (working days)"), default=5)
    general_days = models.PositiveSmallIntegerField(_("general (working days)"), default=15)
    minor_days = models.PositiveSmallIntegerField(_("minor (working days)"), default=30)

    def days_for(self, severity: str) -> int:
        return int(getattr(self, f"{severity}_days", DEFAULT_WORKING_DAYS.get(severity, 15)))


def working_days_for(body_id: int, severity: str) -> int:
    """The body's deadline for a finding of this severity, in working days."""
    policy = DeadlinePolicy.objects.filter(body_id=body_id).first()
    if policy is not None:
        return policy.days_for(severity)
    return DEFAULT_WORKING_DAYS.get(severity, DEFAULT_WORKING_DAYS["general"])


class RectificationQuerySet(models.QuerySet["Rectification"]):
    def with_refs(self) -> RectificationQuerySet:
        return self.select_related("enterprise", "body")

    def open(self) -> RectificationQuerySet:
        # Listed rather than excluded, so that the (status, deadline) index serves it.
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_enterprise(self) -> RectificationQuerySet:
        """Open or reopened: the enterprise has yet to deliver."""
        return self.filter(status__in=[Rectification.Status.OPEN, Rectification.Status.REOPENED])

    def overdue(self, today: dt.date) -> RectificationQuerySet:
        """Past the deadline with nothing delivered (submitted evidence waits on the body)."""
        return self.awaiting_enterprise().filter(deadline__lt=today)


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("to rectify")
        SUBMITTED = "submitted", _("evidence submitted")
        VERIFIED = "verified", _("verified, awaiting close-out")
        CLOSED = "closed", _("closed out (销号)")
        REOPENED = "reopened", _("reopened: not fixed")

    class Verification(models.TextChoices):
        DOCUMENTS = "documents", _("document review (书面核查)")
        ONSITE = "onsite", _("on-site re-check (现场复查)")

    finding = models.OneToOneField(
        "inspections.Finding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="rectifications"
    )
    unit_name = models.CharField(
        _("unit"), max_length=200, help_text=_("the enterprise or the unit responsible for a site")
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="rectifications")
    campaign = models.CharField(_("campaign"), max_length=100, blank=True, db_index=True)
    found_on = models.DateField(_("found on"))
    severity = models.CharField(_("severity"), max_length=8, default="general")
    problem = models.TextField(_("problem (问题描述)"))
    measure = models.TextField(_("measure (整改措施)"), blank=True)
    responsible = models.CharField(_("responsible person (责任人)"), max_length=50, blank=True)
    deadline = models.DateField(_("deadline (整改时限)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    verification = models.CharField(max_length=10, choices=Verification.choices, blank=True)
    verified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recheck_task = models.ForeignKey(
        "planning.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(_("closed out on (销号日期)"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_body_at = models.DateTimeField(null=True, blank=True)
    escalated_supervisor_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["body", "status", "deadline"], name="rect_body_status_deadline"),
            models.Index(fields=["status", "deadline"], name="rect_status_deadline"),
            models.Index(fields=["enterprise", "status"], name="rect_enterprise_status"),
            models.Index(fields=["deadline", "id"], name="rect_deadline_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("found_on")),
                name="rectification_deadline_after_finding",
                violation_error_message=_("The deadline cannot fall before the finding."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="closed_rectification_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}: {self.problem[:40]}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in (self.Status.OPEN, self.Status.REOPENED) and self.deadline < today


OPEN_STATUSES = [
    Rectification.Status.OPEN,
    Rectification.Status.SUBMITTED,
    Rectification.Status.VERIFIED,
    Rectification.Status.REOPENED,
]


class Evidence(models.Model):
    """The enterprise's proof: text and files, kept with their SHA-256."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence"
    )
    text = models.TextField(_("what was done"))
    file = models.FileField(upload_to="rectification/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Event(models.Model):
    """The rectification's history as the ledger shows it."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Rectification.Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
