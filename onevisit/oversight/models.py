"""预警: the supervisor's configurable warning rules and the warnings they raise."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevisit.inspections.models import Visit
from onevisit.registry.models import Body, Enterprise


class Kind(models.TextChoices):
    MULTI_HEADED = "multi_headed", _("multi-headed (多头): should have been joint")
    REPEATED = "repeated", _("repeated (重复)")
    OVER_CAP = "over_cap", _("over the annual cap (超频)")
    WITHOUT_CODE = "without_code", _("no code shown (未亮码)")
    LOW_EVALUATION = "low_evaluation", _("low evaluation")
    OVERDUE_RECTIFICATION = "overdue_rect", _("rectification long overdue")
    LAPSED_CHECK = "lapsed_check", _("required check lapsed (应查未查)")
    TRIGGER_UNVISITED = "trigger_late", _("triggered check not made in time")
    NO_RECHECK = "no_recheck", _("rectification overdue, no re-check planned")
    DRAW_UNVISITED = "draw_unvisited", _("drawn enterprise not inspected")
    LATE_ASSESSMENT = "late_assessment", _("emergency visit not assessed in time")


# 越位: more, or less coordinated, visiting than the rules allow.
OVERSTEPPING = (Kind.MULTI_HEADED, Kind.REPEATED, Kind.OVER_CAP, Kind.WITHOUT_CODE)
# 缺位: a check the law required and nobody made.
ABSENT = (
    Kind.LAPSED_CHECK,
    Kind.TRIGGER_UNVISITED,
    Kind.NO_RECHECK,
    Kind.DRAW_UNVISITED,
    Kind.LATE_ASSESSMENT,
)


class WarningRule(models.Model):
    """One rule's settings; `days` and `threshold` mean what the kind says (see the help)."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    days = models.PositiveSmallIntegerField(
        _("window (days)"),
        null=True,
        blank=True,
        help_text=_(
            "多头 and 重复: within how many days; a triggered check and an emergency visit's "
            "assessment: within how many working days"
        ),
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("多头: how many bodies; low evaluation: average score below which to warn"),
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")

    def __str__(self) -> str:
        return self.get_kind_display()

    def threshold_or(self, default: Decimal) -> Decimal:
        return self.threshold if self.threshold is not None else default


class Warning(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        CLOSED = "closed", _("closed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="warnings")
    body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="warnings"
    )
    visits = models.ManyToManyField(Visit, related_name="warnings")
    detail = models.TextField(_("detail"))  # English, for the audit log and the API
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    fingerprint = models.CharField(max_length=300, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created = models.DateTimeField(auto_now_add=True)
    acknowledged_note = models.TextField(_("acknowledgement"), blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        indexes = [models.Index(fields=["status", "kind"], name="warning_status_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.enterprise}"

    def describe(self) -> str:
        """The detail in the reader's language, from the facts the rule recorded."""
        template = DESCRIPTIONS.get(Kind(self.kind)) if self.kind in Kind.values else None
        if self.kind == Kind.REPEATED and "item" in self.facts:
            template = TWO_LEVELS
        if template is None or not self.facts:
            return self.detail
        try:
            return str(template) % dict(self.facts)
        except (KeyError, TypeError, ValueError):
            return self.detail


TWO_LEVELS = _(
    "two levels of one system checked %(item)s: %(first)s and %(second)s, %(days)s days apart"
)
DESCRIPTIONS = {
    Kind.MULTI_HEADED: _(
        "%(visits)s separate visits by %(bodies)s bodies within %(days)s days from %(first)s"
    ),
    Kind.REPEATED: _("visited again after %(days)s days (%(first)s and %(second)s)"),
    Kind.OVER_CAP: _("%(visits)s visits in %(year)s, above the cap of %(cap)s"),
    Kind.WITHOUT_CODE: _("entered on %(day)s without a code registered beforehand"),
    Kind.LOW_EVALUATION: _("rated %(average)s of 5"),
    Kind.OVERDUE_RECTIFICATION: _(
        "rectification %(rectification)s was due on %(deadline)s: %(problem)s"
    ),
    Kind.LAPSED_CHECK: _(
        "%(tier)s-tier enterprise: the check of %(start)s to %(end)s lapsed with no visit and "
        "no recognised result"
    ),
    Kind.TRIGGER_UNVISITED: _(
        "the check triggered on %(created)s (%(cause)s) was due by %(due)s and has not been made"
    ),
    Kind.NO_RECHECK: _(
        "rectification %(rectification)s was due on %(due)s and no re-check is planned: %(problem)s"
    ),
    Kind.DRAW_UNVISITED: _("drawn in %(draw)s, to be inspected by %(due)s, and not inspected"),
    Kind.LATE_ASSESSMENT: _(
        "the emergency visit of %(day)s was to be assessed by %(due)s and has not been"
    ),
}
