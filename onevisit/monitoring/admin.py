from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onevisit.monitoring.models import (
    Device,
    RejectTally,
    Threshold,
    ViolationTally,
    password_digest,
)


class DeviceForm(forms.ModelForm[Device]):
    password = forms.CharField(
        label=_("password (PW)"),
        max_length=6,
        required=False,
        help_text=_("the device's HJ 212 password; only its SHA-256 is kept. Empty: unchanged"),
    )

    class Meta:
        model = Device
        fields = ["mn", "protocol_version", "enterprise", "equipment_unit", "body", "active"]

    def save(self, commit: bool = True) -> Device:
        device = super().save(commit=False)
        if self.cleaned_data["password"]:
            device.password_sha256 = password_digest(self.cleaned_data["password"])
        if commit:
            device.save()
        return device

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("password"):
            raise forms.ValidationError(_("A new device needs its password."))
        return data


class ThresholdInline(admin.TabularInline[Threshold, Device]):
    model = Threshold
    extra = 1


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    form = DeviceForm
    inlines = [ThresholdInline]
    list_display = ["mn", "protocol_version", "enterprise", "equipment_unit", "active", "last_seen"]
    search_fields = ["mn", "enterprise__name", "enterprise__uscc"]
    raw_id_fields = ["enterprise"]
    list_filter = ["body", "protocol_version", "active"]


@admin.register(RejectTally, ViolationTally)
class RejectTallyAdmin(admin.ModelAdmin[RejectTally]):
    list_display = ["reason", "count", "updated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
