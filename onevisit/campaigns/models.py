"""专项行动: a campaign with its targets; for 淘汰落后产能, each enterprise's 一企一策 list of
equipment and production lines to retire, closed out on proof of dismantling and watched by
monitoring devices afterwards ("零复活")."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.registry.models import Body, Enterprise


class Campaign(models.Model):
    class Kind(models.TextChoices):
        OBSOLETE_CAPACITY = "obsolete", _("retiring obsolete capacity (淘汰落后产能)")
        FLOOD = "flood", _("flood-season inspection (防汛检查)")
        OTHER = "other", _("other special campaign")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    lead_body = models.ForeignKey(
        Body, verbose_name=_("lead body"), on_delete=models.PROTECT, related_name="campaigns"
    )
    description = models.TextField(_("description"), blank=True)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))
    unannounced = models.BooleanField(
        _("unannounced (四不两直)"),
        default=False,
        help_text=_("no notice reaches the targets; codes are issued at entry"),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="campaign_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RetirementUnit(models.Model):
    """One entry of an enterprise's 一企一策 list: equipment or a production line to retire."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("equipment (台/套)")
        LINE = "line", _("production line")

    class Status(models.TextChoices):
        PLANNED = "planned", _("to retire")
        DISMANTLED = "dismantled", _("dismantled, proof submitted")
        CLOSED = "closed", _("closed out (销号)")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="units"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="retirement_units",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("equipment or line"), max_length=100)
    model = models.CharField(_("model"), max_length=100, blank=True)
    capacity = models.CharField(_("capacity"), max_length=100, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    deadline = models.DateField(_("retire by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    proof_note = models.TextField(_("proof of dismantling"), blank=True)
    proof = models.FileField(_("proof file"), upload_to="campaigns/proof/%Y/", blank=True)
    proof_sha256 = models.CharField(_("SHA-256 of the proof"), max_length=64, blank=True)
    dismantled_on = models.DateField(_("dismantled on"), null=True, blank=True)
    closed_on = models.DateField(_("closed out on"), null=True, blank=True)
    device = models.ForeignKey(
        "monitoring.Device",
        verbose_name=_("watching device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retired_units",
        help_text=_("a monitor on this unit: any sign of running raises an alert (零复活)"),
    )
    power_threshold_kw = models.DecimalField(
        _("power above which it counts as running (kW)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1.00"),
    )

    class Meta:
        ordering = ["enterprise_id", "deadline", "id"]
        verbose_name = _("unit to retire")
        verbose_name_plural = _("units to retire")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="closed_unit_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.name} ×{self.count}"


class SupervisionGroup(models.Model):
    """督导组: members from several bodies who check the campaign's targets."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=50)
    members = models.ManyToManyField("registry.Inspector", related_name="supervision_groups")

    class Meta:
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="group_name_per_campaign")
        ]

    def __str__(self) -> str:
        return self.name


class SiteType(models.Model):
    """A kind of target with its own checklist (在建建筑工地, 居住小区, …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="site_types")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["campaign_id", "id"]

    def __str__(self) -> str:
        return self.name


class SitePoint(models.Model):
    site_type = models.ForeignKey(SiteType, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveSmallIntegerField()
    content = models.CharField(_("what to check"), max_length=200)

    class Meta:
        ordering = ["site_type_id", "number"]

    def __str__(self) -> str:
        return self.content


class Target(models.Model):
    """An enterprise, or a site that is not one (a construction site, a residential compound,
    a municipal works, a historic block) with the unit responsible for it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(_("name"), max_length=200)
    site_type = models.ForeignKey(
        SiteType, null=True, blank=True, on_delete=models.PROTECT, related_name="targets"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_targets",
        help_text=_("the target itself, or the enterprise responsible for the site"),
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=200)
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    group = models.ForeignKey(
        SupervisionGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets"
    )

    class Meta:
        ordering = ["campaign_id", "site_type_id", "name"]

    def __str__(self) -> str:
        return self.name


class SiteCheck(models.Model):
    """One check of a target by a supervision group: entered without notice in 四不两直 mode."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="checks")
    group = models.ForeignKey(SupervisionGroup, on_delete=models.PROTECT, related_name="checks")
    entered_at = models.DateTimeField(_("entered at"))
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-entered_at"]


class SiteResult(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("no problem")
        PROBLEM = "problem", _("problem")
        NOT_APPLICABLE = "na", _("not applicable")

    check_run = models.ForeignKey(SiteCheck, on_delete=models.CASCADE, related_name="results")
    point = models.ForeignKey(SitePoint, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    rectification = models.OneToOneField(
        "rectification.Rectification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="site_result",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_run", "point"], name="one_result_per_site_point")
        ]
