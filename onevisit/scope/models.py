"""经营范围自主公示: the catalogue of standard wordings of business scope (经营范围规范表述条目),
regional entries (区域特色条目) a district proposes and market regulation publishes, and each
enterprise's self-published scope, every version kept.

A licensed (许可) entry names the body that approves it. Following 谁审批谁监管, that body's
items for the entry's industry apply to the enterprise beside those for its registered
industry: the item lists, the tiers and the annual plans use both (`licensed_codes`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.registry.models import Body, District, Enterprise


class EntryQuerySet(models.QuerySet["Entry"]):
    def usable(self) -> EntryQuerySet:
        """The entries an enterprise may choose: the standard ones and the published regional."""
        return self.filter(status=Entry.Status.PUBLISHED)


class Entry(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed, under review")
        PUBLISHED = "published", _("published")
        RETURNED = "returned", _("returned")

    code = models.CharField(_("entry code"), max_length=20, unique=True)
    wording = models.CharField(_("standard wording"), max_length=200)
    industry_code = models.CharField(
        _("industry class"),
        max_length=5,
        help_text=_("GB/T 4754-2017 class with its section letter, e.g. F5164"),
    )
    licensed = models.BooleanField(
        _("licensed (许可)"), default=False, help_text=_("needs an approval before it is run")
    )
    approving_body = models.ForeignKey(
        Body,
        verbose_name=_("approving body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scope_entries",
    )
    regional = models.BooleanField(_("regional entry (区域特色条目)"), default=False)
    district = models.ForeignKey(
        District,
        verbose_name=_("proposing district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    justification = models.TextField(_("justification"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("business scope entry")
        verbose_name_plural = _("business scope entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(licensed=False) | Q(approving_body__isnull=False),
                name="licensed_entry_has_approving_body",
            ),
            models.CheckConstraint(
                condition=Q(regional=False) | Q(district__isnull=False),
                name="regional_entry_has_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.wording}"


class Version(models.Model):
    """One publication of an enterprise's scope; the latest is current, the rest history."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="scope_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    current = models.BooleanField(_("current"), default=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entries: models.ManyToManyField[Entry, Line] = models.ManyToManyField(
        Entry, through="Line", verbose_name=_("entries"), related_name="+"
    )

    class Meta:
        ordering = ["enterprise_id", "-number"]
        verbose_name = _("published scope")
        verbose_name_plural = _("published scopes")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "number"], name="scope_version_unique"),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(current=True),
                name="one_current_scope_per_enterprise",
            ),
        ]


class Line(models.Model):
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="lines"
    )
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT)
    characteristic = models.BooleanField(_("marked as characteristic (自主标识)"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("scope line")
        verbose_name_plural = _("scope lines")
        constraints = [
            models.UniqueConstraint(fields=["version", "entry"], name="scope_line_unique")
        ]
