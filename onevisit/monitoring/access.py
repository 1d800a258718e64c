"""Who sees which alerts: the supervisor all; a body's staff those of the devices it answers
for; an enterprise user its own enterprise's. Only the body's admin closes or escalates.
A device's readings are seen by whoever sees its enterprise (the chart on its page, the export)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from onevisit.monitoring.models import Alert, Device
from onevisit.registry.access import enterprises_for_user, require_login


def alerts_for_user(user: Any) -> QuerySet[Alert]:
    found = require_login(user)
    alerts = Alert.objects.select_related("device__enterprise", "device__body", "task")
    if found.is_supervisor:
        return alerts.filter(found.in_area("device__enterprise__district"))
    if found.is_official and found.body_id:
        return alerts.filter(device__body_id=found.body_id)
    if found.is_enterprise_user and found.enterprise_id:
        return alerts.filter(device__enterprise_id=found.enterprise_id)
    raise PermissionDenied("Your account has no role that may see alerts.")


def get_alert(user: Any, pk: int) -> Alert:
    try:
        return alerts_for_user(user).get(pk=pk)
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


def require_handler(user: Any, alert: Alert) -> None:
    found = require_login(user)
    if not (found.is_body_admin and found.body_id and found.body_id == alert.device.body_id):
        raise PermissionDenied("Only the responsible body's admin handles the case.")


def require_explainer(user: Any, alert: Alert) -> None:
    found = require_login(user)
    if not (found.is_enterprise_user and found.enterprise_id == alert.device.enterprise_id):
        raise PermissionDenied("Only the enterprise explains its own alert.")


def get_device(user: Any, pk: int) -> Device:
    device = (
        Device.objects.filter(pk=pk, enterprise__in=enterprises_for_user(user).values("pk"))
        .select_related("enterprise")
        .first()
    )
    if device is None:
        raise Http404("No such device.")
    return device
