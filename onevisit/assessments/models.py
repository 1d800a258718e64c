"""事前评估: no unplanned inspection without an assessed, approved reason.

Planned visits come from accepted annual plans and drawn ones from public draws; a special (专项)
or ad-hoc (临时) inspection is where 越位 happens, so its body files an assessment first and an
approver decides it. An emergency goes first and is assessed afterwards.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.registry.models import Body, Enterprise


class Kind(models.TextChoices):
    SPECIAL = "special", _("special inspection (专项检查)")
    AD_HOC = "ad_hoc", _("ad-hoc inspection (临时检查)")
    EMERGENCY = "emergency", _("emergency, assessed afterwards (紧急检查事后评估)")


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def covering(self, body: Body, enterprise: Enterprise, day: dt.date) -> AssessmentQuerySet:
        """Approved assessments under which the body may inspect the enterprise on the day."""
        return self.filter(
            body=body,
            status=Assessment.Status.APPROVED,
            window_start__lte=day,
            window_end__gte=day,
            targets__enterprise=enterprise,
            targets__approved=True,
        ).distinct()

    def public(self) -> AssessmentQuerySet:
        return self.filter(status=Assessment.Status.APPROVED).exclude(kind=Kind.EMERGENCY)


class Assessment(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    cause = models.TextField(_("cause (检查事由)"))
    legal_basis = models.TextField(_("legal basis of the items (法律依据)"))
    items = models.ManyToManyField(Item, verbose_name=_("inspection items"), related_name="+")
    why_not_joint = models.TextField(
        _("why it cannot be merged into a planned or joint visit"), blank=True
    )
    why_not_replaced = models.TextField(
        _("why recognised results, off-site data or a written check cannot replace it"),
        blank=True,
    )
    burden = models.TextField(_("expected burden on the enterprises"), blank=True)
    window_start = models.DateField(_("checks from"))
    window_end = models.DateField(_("checks until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("prior assessment")
        verbose_name_plural = _("prior assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="assessment_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.title}"

    @property
    def decided(self) -> bool:
        return self.status != self.Status.SUBMITTED


class Target(models.Model):
    """One enterprise of an assessment; the approver may narrow the list by striking some."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="targets"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("approved"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("enterprise assessed")
        verbose_name_plural = _("enterprises assessed")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "enterprise"], name="assessment_target_unique"
            )
        ]


class Approver(models.Model):
    """Who approves which kind of assessment, where the city names someone besides the
    supervisor (who always may)."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("approver")
        verbose_name_plural = _("approvers")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"
