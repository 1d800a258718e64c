"""在线监测: devices (HJ 212 stations by MN), their readings, and the receiver's reject tally."""

from __future__ import annotations

import hashlib
import hmac

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.registry.models import Enterprise


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


class Device(models.Model):
    """A monitoring station: HJ 212 MN and password, bound to an enterprise (and a unit)."""

    mn = models.CharField(_("MN (device number)"), max_length=24, unique=True)
    password_sha256 = models.CharField(max_length=64)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="devices", verbose_name=_("enterprise")
    )
    equipment_unit = models.CharField(_("equipment unit"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["mn"]
        verbose_name = _("monitoring device")
        verbose_name_plural = _("monitoring devices")

    def __str__(self) -> str:
        return self.mn

    def check_password(self, password: str) -> bool:
        return hmac.compare_digest(self.password_sha256, password_digest(password))


class Reading(models.Model):
    """One value of one factor at one time, as the device sent it (raw recent data)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="readings")
    factor = models.CharField(_("factor"), max_length=20)
    kind = models.CharField(_("kind"), max_length=8)  # Rtd, Avg, Min, Max, Cou, ZsRtd
    data_time = models.DateTimeField(_("data time"))
    value = models.FloatField(_("value"))
    flag = models.CharField(_("flag"), max_length=4, blank=True)
    received = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [models.Index(fields=["device", "factor", "-data_time"])]


class RejectTally(models.Model):
    """How many packets the receiver refused, by reason (kept across restarts)."""

    reason = models.CharField(max_length=40, primary_key=True)
    count = models.PositiveBigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)


class HourlyReading(models.Model):
    """Readings of one factor in one hour, kept long after the raw readings are pruned."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="hourly")
    factor = models.CharField(_("factor"), max_length=20)
    kind = models.CharField(_("kind"), max_length=8)
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField()
    mean = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()

    class Meta:
        verbose_name = _("hourly reading")
        verbose_name_plural = _("hourly readings")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "factor", "kind", "hour"], name="one_hourly_row"
            )
        ]
