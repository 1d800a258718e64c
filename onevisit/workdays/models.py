from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official holidays and adjusted workdays are in the table."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=100, default="chinese-calendar")

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A day that breaks the weekday rule: a holiday on a weekday, or a workday on a weekend."""

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("is a working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or adjusted workday")
        verbose_name_plural = _("holidays and adjusted workdays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class EstimatedDeadline(models.Model):
    """A stored deadline that was counted over a year whose notice was not yet in the table:
    what it was counted from, so that the notice, once entered, can extend it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=50)
    start = models.DateField()
    working_days = models.PositiveIntegerField()
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field"], name="one_estimate_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} {self.field} {self.date}"
