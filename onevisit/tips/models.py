"""举报: public tips routed to a body, with the reporter's identity sealed and a receipt to
follow them. Open311 GeoReport v2 calls categories *services* and tips *requests*."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onevisit.lib.receipts import secret_matches
from onevisit.registry.models import Body, Enterprise


class Category(models.Model):
    """A tip category (an Open311 service), routed to one body, with its deadlines."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=50, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    body = models.ForeignKey(
        Body, verbose_name=_("handled by"), on_delete=models.PROTECT, related_name="tip_categories"
    )
    ack_working_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"), default=1
    )
    handle_working_days = models.PositiveSmallIntegerField(
        _("handle within (working days)"), default=15
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("tip category")
        verbose_name_plural = _("tip categories")

    def __str__(self) -> str:
        return self.name


class Tip(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received by the platform")
        ACKNOWLEDGED = "acknowledged", _("acknowledged, being checked")
        VERIFIED = "verified", _("verified (属实)")
        UNFOUNDED = "unfounded", _("not verified (不属实)")
        CLOSED = "closed", _("closed")

    receipt = models.CharField(_("receipt number"), max_length=20, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tips")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="tips")
    description = models.TextField(_("what happened"))
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="tips"
    )
    enterprise_name = models.CharField(_("enterprise named"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    identity_sealed = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    ack_due = models.DateField(_("acknowledge by"))
    handle_due = models.DateField(_("handle by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    task = models.ForeignKey(
        "planning.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="tips"
    )
    reward_amount = models.DecimalField(
        _("reward (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reward_note = models.TextField(_("reward note"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        indexes = [models.Index(fields=["body", "status"], name="tip_body_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=True) | ~Q(identity_sealed=""),
                name="named_tip_has_identity",
            )
        ]

    def __str__(self) -> str:
        return self.receipt

    def secret_matches(self, secret: str) -> bool:
        return secret_matches(self.secret_sha256, secret)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ACKNOWLEDGED)

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"


class Update(models.Model):
    """A status note. Public notes reach the reporter (Open311 status_notes); the others stay
    with the handling body."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Tip.Status.choices)
    note = models.TextField(_("note"))
    public = models.BooleanField(_("visible to the reporter"), default=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]


class Attachment(models.Model):
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="tips/%Y/%m/")
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
