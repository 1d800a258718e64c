"""在线监测: devices (HJ 212 stations by MN), their readings, and the receiver's reject tally."""

from __future__ import annotations

import hashlib
import hmac

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevisit.monitoring.factors import factor_label, factor_name, report_label
from onevisit.registry.models import Enterprise


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


class Device(models.Model):
    """A monitoring station: HJ 212 MN and password, bound to an enterprise (and a unit)."""

    mn = models.CharField(_("MN (device number)"), max_length=24, unique=True)
    password_sha256 = models.CharField(_("SHA-256 of the password"), max_length=64)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="devices", verbose_name=_("enterprise")
    )
    equipment_unit = models.CharField(_("equipment unit"), max_length=100, blank=True)
    body = models.ForeignKey(
        "registry.Body",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("responsible body"),
        help_text=_("the body that handles this device's alerts"),
    )
    protocol_version = models.PositiveSmallIntegerField(
        _("HJ 212 version"),
        choices=[(1, "HJ 212-2017"), (2, "HJ 212-2025")],
        default=1,
        help_text=_("the version the device speaks; answers follow each packet's own version"),
    )
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
    kind = models.CharField(_("kind"), max_length=16)  # table 4: Rtd, Avg, …, NightData
    data_time = models.DateTimeField(_("data time"))
    value = models.FloatField(_("value"))
    flag = models.CharField(_("flag"), max_length=4, blank=True)
    received = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [models.Index(fields=["device", "factor", "-data_time"])]
        constraints = [  # a packet sent again (HJ 212-2025 RF=1, or a lost answer) is kept once
            models.UniqueConstraint(
                fields=["device", "factor", "kind", "data_time"], name="reading_once"
            )
        ]


class Reported(models.Model):
    """What a device said about itself, under the factor it named (PolId) and a name of table 4
    or B.10: both shown as the people who read them say them."""

    pol_id = models.CharField(_("factor"), max_length=20, blank=True)
    name = models.CharField(_("information"), max_length=20)

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        return report_label(self.name)

    @property
    def factor(self) -> str:
        return factor_name(self.pol_id) if self.pol_id else ""


class DeviceLog(Reported):
    """What a device reported about itself, kept as it said it: its logs and states (HJ 212
    3020 with i11xxx/i12xxx information), a sample kept for exceeding (3015), an alarm (HJ/T
    212-2005 2072)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="log")
    command = models.CharField(_("command"), max_length=4)
    text = models.TextField(_("log content"))
    data_time = models.DateTimeField(_("data time"), null=True, blank=True)
    received = models.DateTimeField(_("received"))

    class Meta:
        ordering = ["-received", "-pk"]
        verbose_name = _("device log entry")
        verbose_name_plural = _("device log")
        indexes = [models.Index(fields=["device", "-received"])]


class DeviceSetting(Reported):
    """The device's record: the last value it reported of each of its settings — serial numbers
    (3019 SN, 1001), parameters (3020 i13xxx), sampling period and time (3017, 3018), the data
    intervals (1061, 1063), its clock (1011) and start time (2081)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="settings")
    name = models.CharField(_("setting"), max_length=20)
    value = models.CharField(_("value"), max_length=200)
    command = models.CharField(_("command"), max_length=4)
    data_time = models.DateTimeField(_("data time"), null=True, blank=True)
    updated = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["pol_id", "name"]
        verbose_name = _("device setting")
        verbose_name_plural = _("device settings")
        constraints = [
            models.UniqueConstraint(fields=["device", "pol_id", "name"], name="setting_once")
        ]


class ViolationTally(models.Model):
    """How often accepted packets broke HJ 212, by the violation's name (kept across restarts):
    what the lenient receiver lets through, counted."""

    reason = models.CharField(_("breach of HJ 212"), max_length=40, primary_key=True)
    count = models.PositiveBigIntegerField(_("count"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("accepted packet's violation")
        verbose_name_plural = _("violations in accepted packets")

    def __str__(self) -> str:
        return f"{self.reason}: {self.count}"


class RejectTally(models.Model):
    """How many packets the receiver refused, by reason (kept across restarts)."""

    reason = models.CharField(_("reason"), max_length=40, primary_key=True)
    count = models.PositiveBigIntegerField(_("count"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("refused packets")
        verbose_name_plural = _("refused packets")

    def __str__(self) -> str:
        return f"{self.reason}: {self.count}"


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


class Threshold(models.Model):
    """超标: the limits of one factor of one device."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="thresholds")
    factor = models.CharField(_("factor"), max_length=20)
    kind = models.CharField(_("kind"), max_length=8, default="Rtd")
    upper = models.FloatField(_("upper limit"))
    lower = models.FloatField(_("lower limit"), null=True, blank=True)
    plausible_low = models.FloatField(_("lowest plausible value"), null=True, blank=True)
    plausible_high = models.FloatField(_("highest plausible value"), null=True, blank=True)
    flat_readings = models.PositiveSmallIntegerField(
        _("flat-line after identical readings"),
        default=0,
        help_text=_("this many identical readings in a row open a case; 0: off"),
    )

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        constraints = [
            models.UniqueConstraint(fields=["device", "factor", "kind"], name="one_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.factor}-{self.kind} ≤ {self.upper}"


class Alert(models.Model):
    """An off-site case (非现场监管): explained by the enterprise, or escalated to a visit."""

    class Kind(models.TextChoices):
        EXCEEDED = "exceeded", _("limit exceeded")
        SILENT = "silent", _("device silent")
        IMPLAUSIBLE = "implausible", _("implausible value")
        FLAT = "flat", _("flat-lined")
        REVIVED = "revived", _("retired equipment running (复活)")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "open")
        EXPLAINED = "explained", _("explained by the enterprise")
        CLOSED = "closed", _("closed remotely")
        ESCALATED = "escalated", _("escalated to a triggered visit")

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    factor = models.CharField(_("factor"), max_length=20, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    limit = models.FloatField(_("limit"), null=True, blank=True)
    data_time = models.DateTimeField(_("data time"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    explanation = models.TextField(_("the enterprise's explanation"), blank=True)
    closing_note = models.TextField(_("why closed without a visit"), blank=True)
    task = models.ForeignKey(
        "planning.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-data_time"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # one alert per device, factor, kind and hour: a long exceedance is one case
            models.UniqueConstraint(
                fields=["device", "kind", "factor", "data_time"], name="one_alert_per_hour"
            )
        ]

    @property
    def factor_name(self) -> str:
        """化学需氧量（mg/L）, not w01018."""
        return factor_label(self.factor) if self.factor else ""
