from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.lib.params import whole_number
from onevisit.monitoring import access, exports
from onevisit.monitoring.actions import (
    AlertRefused,
    do_close_alert,
    do_escalate_alert,
    do_explain_alert,
    escalation_items,
)
from onevisit.monitoring.charts import Series, series_of
from onevisit.monitoring.forms import ReadingsExportForm
from onevisit.monitoring.models import Alert, Device, Reading
from onevisit.registry.access import enterprises_for_user
from onevisit.registry.views import xlsx_response

CHART_HOURS = 48
LOG_LINES = 10  # a device's latest log entries shown with its chart


@login_required
def enterprise_devices(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's monitoring devices with a chart of their recent data (htmx partial)."""
    enterprise = get_object_or_404(enterprises_for_user(request.user), pk=pk)
    since = timezone.now() - dt.timedelta(hours=CHART_HOURS)
    devices = list(
        Device.objects.filter(enterprise=enterprise)
        .annotate(latest=Max("readings__received"))
        .prefetch_related("settings")
    )
    charts: list[tuple[Device, list[Series]]] = []
    for device in devices:
        # heard from: the receiver notes last_seen once a minute; readings may be newer
        seen = [t for t in (device.last_seen, device.latest) if t is not None]
        device.heard = max(seen) if seen else None  # type: ignore[attr-defined]
        device.recent_log = list(device.log.all()[:LOG_LINES])  # type: ignore[attr-defined]
        readings = (
            Reading.objects.filter(device=device, data_time__gte=since)
            .order_by("data_time")
            .values_list("factor", "kind", "data_time", "value")[:5000]
        )
        charts.append((device, series_of(list(readings))))
    return render(
        request,
        "monitoring/enterprise_devices.html",
        {
            "enterprise": enterprise,
            "charts": charts,
            "hours": CHART_HOURS,
            "window": ReadingsExportForm.initial_window(),
        },
    )


@login_required
def device_readings(request: HttpRequest, pk: int) -> HttpResponse:
    """A device's readings over a window of days as an Excel workbook, or the form again with
    what is wrong."""
    device = access.get_device(request.user, pk)
    bound = "start" in request.GET or "end" in request.GET
    form = ReadingsExportForm(
        request.GET if bound else None, initial=ReadingsExportForm.initial_window()
    )
    problem = ""
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        count = exports.row_count(device, start, end)
        if count > exports.MAX_ROWS:
            problem = _(
                "%(rows)s data times do not fit on one Excel sheet (at most %(most)s): "
                "choose fewer days."
            ) % {"rows": f"{count:,}", "most": f"{exports.MAX_ROWS:,}"}
        elif count == 0:
            problem = _("The device sent no data from %(start)s to %(end)s.") % {
                "start": start.isoformat(),
                "end": end.isoformat(),
            }
        else:
            pairs = exports.columns(device, start, end)
            return xlsx_response(
                f"在线监测-{device.mn}-{start.isoformat()}至{end.isoformat()}",
                f"MN{device.mn}",
                exports.headers(pairs),
                exports.rows(device, start, end, pairs),
            )
    return render(
        request,
        "monitoring/device_readings.html",
        {"device": device, "form": form, "problem": problem},
        status=400 if bound else 200,
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = access.alerts_for_user(request.user)
    status = request.GET.get("status", "open")
    if status in Alert.Status.values:
        alerts = alerts.filter(status=status)
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/alert_list.html",
        {"page": page, "status": status, "statuses": Alert.Status.choices},
    )


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_alert(request.user, pk))


def _detail(
    request: HttpRequest, alert: Alert, typed: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    can_handle = (
        getattr(user, "is_body_admin", False)
        and user.body_id == alert.device.body_id  # type: ignore[union-attr]
        and alert.status in {Alert.Status.OPEN, Alert.Status.EXPLAINED}
    )
    items, fitting = escalation_items(alert, alert.device.body) if can_handle else ([], [])  # type: ignore[arg-type]
    typed = typed or {}
    return render(
        request,
        "monitoring/alert_detail.html",
        {
            "alert": alert,
            "can_explain": getattr(user, "enterprise_id", None) == alert.device.enterprise_id
            and alert.status in {Alert.Status.OPEN, Alert.Status.EXPLAINED},
            "can_handle": can_handle,
            "items": items,
            "chosen": typed.get("items", {i.pk for i in fitting}),
            "fitting": {i.pk for i in fitting},
            "typed": typed,
            "today": timezone.localdate(),
            "in_two_weeks": timezone.localdate() + dt.timedelta(days=14),
        },
        status=422 if typed else 200,
    )


@login_required
@require_POST
def alert_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = access.get_alert(request.user, pk)
    actor = Actor.of(request.user)
    typed: dict[str, Any] = {"action": action, **request.POST.dict()}
    try:
        if action == "explain":
            access.require_explainer(request.user, alert)
            do_explain_alert(actor=actor, alert=alert, text=request.POST.get("text", ""))
            messages.success(request, _("Your explanation was sent to the body."))
        elif action == "close":
            access.require_handler(request.user, alert)
            do_close_alert(actor=actor, alert=alert, note=request.POST.get("note", ""))
            messages.success(request, _("Closed without a visit (非现场办结)."))
        elif action == "escalate":
            access.require_handler(request.user, alert)
            body = alert.device.body
            assert body is not None
            wanted = {
                n for v in request.POST.getlist("items") if (n := whole_number(v)) is not None
            }
            typed["items"] = wanted
            do_escalate_alert(
                actor=actor,
                alert=alert,
                body=body,
                start=_day(request.POST.get("start", "")),
                end=_day(request.POST.get("end", "")),
                items=list(Item.objects.filter(pk__in=wanted)),
            )
            messages.success(request, _("A triggered visit is planned; its cause is recorded."))
        else:
            raise Http404("Unknown action.")
    except AlertRefused as error:
        messages.error(request, str(error))
        return _detail(request, alert, typed)
    return redirect("monitoring:alert_detail", pk=alert.pk)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AlertRefused(_("Give the visit's window as two dates.")) from None
