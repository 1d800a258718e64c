"""双随机、一公开: draws whose frozen pools, seed sources and records are public."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.lib.suites import suite_field
from onevisit.registry.models import Body, Enterprise, Inspector
from onevisit.sortition import without_teams
from onevisit.sortition.core import ALGORITHMS, DEFAULT_ALGORITHMS

# A draw's frozen pool and its record hold every candidate: lists leave them unread.
HEAVY_DRAW_FIELDS = ("pool", "strata", "labels", "record")


def default_algorithm() -> str:
    """The draw algorithm of the deployment's crypto suite: sm3-v1 under gm, sha256-v1 under
    intl."""
    return DEFAULT_ALGORITHMS[settings.ONEVISIT_CRYPTO_SUITE]


class PoolFrozen(Exception):
    """Raised when something tries to change a draw's pool after it was published."""


class Draw(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned: pool frozen, waiting for the seed")
        DRAWN = "drawn", _("drawn")

    class Strata(models.TextChoices):
        NONE = "", _("none")
        DISTRICT = "district", _("district")
        INDUSTRY = "industry", _("industry section")

    class Subject(models.TextChoices):
        ENTERPRISES = "enterprises", _("enterprises")
        LIST = "list", _("a published list (e.g. questions)")

    body = models.ForeignKey(
        Body,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draws",
        help_text=_("empty for a joint draw organised by the supervisor"),
    )
    title = models.CharField(_("title"), max_length=200)
    subject = models.CharField(
        _("drawn from"), max_length=12, choices=Subject.choices, default=Subject.ENTERPRISES
    )
    algorithm = models.CharField(
        _("algorithm"),
        max_length=12,
        choices=[(a, a) for a in ALGORITHMS],
        default=default_algorithm,
    )
    strata_by = models.CharField(_("strata"), max_length=10, choices=Strata.choices, blank=True)
    ratio = models.DecimalField(_("share drawn"), max_digits=5, decimal_places=4)
    cap = models.PositiveIntegerField(_("at most per stratum"), null=True, blank=True)
    team_size = models.PositiveSmallIntegerField(_("inspectors per team"), default=2)
    seed_source = models.TextField(
        _("seed source"),
        help_text=_(
            "the future public numbers the key is made of, e.g. 中国福利彩票双色球 第2027015期"
        ),
    )
    seed_known_after = models.DateTimeField(_("seed known after"))
    window_start = models.DateField(_("checks from"), null=True, blank=True)
    window_end = models.DateField(_("checks until"), null=True, blank=True)
    items = models.ManyToManyField(
        Item, verbose_name=_("inspection items"), blank=True, related_name="+"
    )
    pool = models.JSONField(_("frozen pool"))
    pool_sha256 = models.CharField(max_length=64)
    pool_sm3 = models.CharField(max_length=64, blank=True, help_text=_("under the GM suite"))
    suite = suite_field(_("the suite the record's hashes and signature are made with"))
    strata = models.JSONField(default=dict)
    labels = models.JSONField(default=dict)  # candidate id -> name shown on the public page
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    seed_values = models.JSONField(default=list, blank=True)
    key = models.TextField(blank=True)
    record = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio__gt=0) & Q(ratio__lte=1), name="draw_ratio_in_range"
            ),
            models.CheckConstraint(condition=Q(team_size__gte=2), name="draw_team_of_two"),
        ]

    @property
    def teams_public(self) -> bool:
        """The teams are revealed with the results: once the draw's checking window is over,
        or no check from it is still open. Until then the record shows only their SHA-256."""
        from onevisit.planning.models import Task

        if self.window_end is not None and self.window_end < timezone.localdate():
            return True
        return not Task.objects.filter(draw=self, status=Task.Status.OPEN).exists()

    def public_record(self) -> dict[str, Any] | None:
        if self.record is None:
            return None
        return dict(self.record) if self.teams_public else without_teams(self.record)

    @property
    def ratio_percent(self) -> str:
        """The share drawn as people say it: 5 %, 0.5 %."""
        return f"{self.ratio * 100:.2f}".rstrip("0").rstrip(".")

    def stratum_labels(self) -> dict[str, str]:
        """Each stratum by its name, the district or industry section, beside its code."""
        from onevisit.registry.models import District, Industry

        codes = list(self.strata)
        names: dict[str, str] = {}
        if self.strata_by == self.Strata.DISTRICT:
            names = dict(District.objects.filter(code__in=codes).values_list("code", "name"))
        elif self.strata_by == self.Strata.INDUSTRY:
            names = dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))
        return {code: f"{names[code]}（{code}）" if code in names else code for code in codes}

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            frozen = Draw.objects.filter(pk=self.pk).values("pool", "pool_sha256", "strata").get()
            if (frozen["pool"], frozen["pool_sha256"], frozen["strata"]) != (
                self.pool,
                self.pool_sha256,
                self.strata,
            ):
                raise PoolFrozen(f"the pool of draw {self.pk} is frozen")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def seed_due(self) -> bool:
        return timezone.now() >= self.seed_known_after


class DeclaredRelation(models.Model):
    """回避: an inspector's declared relation to an enterprise; the draw skips the pair."""

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("inspector"), on_delete=models.CASCADE, related_name="relations"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("relation"), max_length=200)

    class Meta:
        verbose_name = _("declared relation")
        verbose_name_plural = _("declared relations")
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise"], name="one_relation")
        ]
