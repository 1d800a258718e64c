"""检查事项清单: each body's items with legal basis and checklist. 清单之外无检查."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.registry.models import Body


class ItemNotPublished(Exception):
    """Raised when something tries to plan or check an item that is not published."""

    def __init__(self, item: Item) -> None:
        super().__init__(f"item {item.code} v{item.version} is {item.status}, not published")
        self.item = item


class ItemQuerySet(models.QuerySet["Item"]):
    def published(self) -> ItemQuerySet:
        return self.filter(status=Item.Status.PUBLISHED)

    def matching(self, text: str) -> ItemQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(code__icontains=text)
            | Q(legal_basis__icontains=text)
            | Q(body__name__icontains=text)
        )

    def for_industry(self, industry_code: str, *more: str) -> ItemQuerySet:
        """Items that apply to an industry (or to any of several: an enterprise's own and its
        licensed business-scope entries'): no prefixes listed, or one a code starts with."""
        matches = Q(industries="")
        for code in (industry_code, *more):
            for length in range(1, len(code) + 1):
                prefix = code[:length]
                matches |= Q(industries__regex=rf"(^|,){prefix}(,|$)")
        return self.filter(matches)


class Item(models.Model):
    """One version of one entry of a body's item list; editing a published item makes a new one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("item code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    responsible = models.CharField(_("responsible level or section"), max_length=100, blank=True)
    held_by_level = models.CharField(
        _("level that holds the check"),
        max_length=8,
        blank=True,
        choices=[("city", _("city")), ("county", _("county"))],
        help_text=_(
            "where city and county bodies of one system list the same item, the level that "
            "checks it; empty: the lower level"
        ),
    )
    industries = models.CharField(
        _("industries (GB/T 4754 codes)"),
        max_length=200,
        blank=True,
        help_text=_(
            "comma-separated codes of any level, e.g. C26, C345, 3451; empty means every industry"
        ),
    )
    recognition_days = models.PositiveIntegerField(
        _("recognition window (days)"),
        default=365,
        help_text=_("how long a compliant result stays valid for other bodies"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["body_id", "code", "-version"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [
            models.UniqueConstraint(fields=["body", "code", "version"], name="item_version_unique"),
            models.UniqueConstraint(
                fields=["body", "code"],
                condition=Q(status="published"),
                name="one_published_version_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def assert_plannable(self) -> None:
        """清单之外无检查: only a published item may be planned or checked."""
        if not self.is_published:
            raise ItemNotPublished(self)

    @property
    def industry_prefixes(self) -> list[str]:
        return [p.strip() for p in self.industries.split(",") if p.strip()]


class CheckPoint(models.Model):
    """检查表单: one point of an item's checklist."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="points"
    )
    number = models.PositiveIntegerField(_("number"))
    content = models.TextField(_("content"))
    standard = models.TextField(_("standard"))
    method = models.CharField(_("method"), max_length=200)
    guidance = models.TextField(_("rectification guidance"), blank=True)
    topic = models.CharField(
        _("shared point code"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_(
            "the same code on points of several bodies marks one check: a joint visit asks it "
            "once, and a compliant result counts for every body (结果互认)"
        ),
    )

    class Meta:
        ordering = ["item_id", "number"]
        verbose_name = _("check point")
        verbose_name_plural = _("check points")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="point_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.content}"
