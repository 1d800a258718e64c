from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from onevisit.monitoring.charts import Series, series_of
from onevisit.monitoring.models import Device, Reading
from onevisit.registry.access import enterprises_for_user

CHART_HOURS = 48


@login_required
def enterprise_devices(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's monitoring devices with a chart of their recent data (htmx partial)."""
    enterprise = get_object_or_404(enterprises_for_user(request.user), pk=pk)
    since = timezone.now() - dt.timedelta(hours=CHART_HOURS)
    devices = list(Device.objects.filter(enterprise=enterprise))
    charts: list[tuple[Device, list[Series]]] = []
    for device in devices:
        readings = (
            Reading.objects.filter(device=device, data_time__gte=since)
            .order_by("data_time")
            .values_list("factor", "kind", "data_time", "value")[:5000]
        )
        charts.append((device, series_of(list(readings))))
    return render(
        request,
        "monitoring/enterprise_devices.html",
        {"enterprise": enterprise, "charts": charts, "hours": CHART_HOURS},
    )
