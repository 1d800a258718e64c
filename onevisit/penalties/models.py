"""行政处罚裁量基准: each body's catalogue of violations with circumstance levels and the penalty
range or measure for each, the 不罚/轻罚 lists, and the decisions measured against them
("杜绝同案不同罚")."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.registry.models import Body, Enterprise, Inspector


class Violation(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="violations")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("violation"), max_length=300)
    legal_basis = models.TextField(_("provision violated (违法依据)"))
    penalty_basis = models.TextField(_("penalty provision (处罚依据)"))
    order_first = models.BooleanField(
        _("an order to correct comes first (先责令改正)"),
        default=False,
        help_text=_("a penalty needs an order to correct recorded before it"),
    )

    class Meta:
        ordering = ["body_id", "code"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            models.UniqueConstraint(fields=["body", "code"], name="violation_code_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Level(models.Model):
    """One circumstance level (阶次) of a violation and what it calls for."""

    class Grade(models.TextChoices):
        NONE = "none", _("not penalised (不予处罚)")
        LIGHT = "light", _("lighter (从轻)")
        GENERAL = "general", _("general (一般)")
        HEAVY = "heavy", _("heavier (从重)")

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="levels")
    grade = models.CharField(_("level"), max_length=8, choices=Grade.choices)
    circumstances = models.TextField(_("circumstances (适用情形)"))
    min_fine = models.DecimalField(
        _("lowest fine (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    max_fine = models.DecimalField(
        _("highest fine (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    measure = models.CharField(_("kind of penalty"), max_length=200, blank=True)

    class Meta:
        ordering = ["violation_id", "id"]
        verbose_name = _("circumstance level")
        verbose_name_plural = _("circumstance levels")
        constraints = [
            models.UniqueConstraint(fields=["violation", "grade"], name="one_level_per_grade"),
            models.CheckConstraint(
                condition=Q(max_fine__gte=models.F("min_fine")), name="fine_range_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(grade="none") | Q(max_fine=0), name="no_penalty_level_has_no_fine"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.violation.code} {self.get_grade_display()}"

    def allows(self, fine: Decimal) -> bool:
        return self.min_fine <= fine <= self.max_fine


class Decision(models.Model):
    """A penalty decision: case, violation, level, the penalty chosen and the reasons."""

    case_number = models.CharField(_("case number"), max_length=60, unique=True)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="penalty_decisions")
    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="decisions")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="decisions")
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalty_decisions",
    )
    inspector = models.ForeignKey(
        Inspector,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="penalty_decisions",
        verbose_name=_("case officer"),
    )
    fine = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    measure = models.CharField(_("penalty"), max_length=200, blank=True)
    reasons = models.TextField(_("reasons"))
    order_to_correct_on = models.DateField(_("order to correct issued on"), null=True, blank=True)
    first_violation = models.BooleanField(_("first violation"), default=False)
    corrected_in_time = models.BooleanField(_("corrected in time"), default=False)
    outside_range = models.BooleanField(_("outside the range"), default=False)
    justification = models.TextField(_("why outside the range"), blank=True)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("penalty decision")
        verbose_name_plural = _("penalty decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outside_range=False) | ~Q(justification=""),
                name="outside_range_is_justified",
                violation_error_message=_(
                    "A decision outside the range needs a written justification."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.case_number
