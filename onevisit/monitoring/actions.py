"""Monitoring writes beyond the receiver: hourly aggregates, retention, and alerts as
off-site cases (explained by the enterprise, closed, or escalated to a triggered visit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.catalog.models import Item
from onevisit.monitoring.models import Alert, Device, HourlyReading, Reading, Threshold
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind, Task
from onevisit.planning.queries import applicable_items, full_industry_code
from onevisit.registry.models import Body

RETENTION_CHUNK = 5_000


def do_aggregate_and_prune(before: dt.datetime) -> tuple[int, int]:
    """Fold raw readings older than `before` into hourly rows (merging with rows already
    there), then delete them; one transaction, so a failure keeps the raw data.
    Returns (hourly rows written, raw readings deleted).

    The groups arrive in chunks; each chunk reads the hourly rows it meets in one query and
    writes them back in two (delete the merged ones, bulk insert), not a query or three per
    hour."""
    with transaction.atomic():
        old = Reading.objects.filter(data_time__lt=before)
        groups = (
            old.annotate(hour=TruncHour("data_time"))
            .values("device_id", "factor", "kind", "hour")
            .annotate(n=Count("id"), mean=Avg("value"), low=Min("value"), high=Max("value"))
            .order_by("device_id", "hour")
        )
        written = 0
        chunk: list[dict[str, Any]] = []
        for group in groups.iterator(chunk_size=RETENTION_CHUNK):
            chunk.append(group)
            if len(chunk) == RETENTION_CHUNK:
                written += _fold_hours(chunk)
                chunk = []
        written += _fold_hours(chunk)
        deleted, _ = old.delete()
    return written, deleted


def _fold_hours(groups: list[dict[str, Any]]) -> int:
    if not groups:
        return 0
    devices = {g["device_id"] for g in groups}
    hours = [g["hour"] for g in groups]
    existing = {
        (row.device_id, row.factor, row.kind, row.hour): row
        for row in HourlyReading.objects.select_for_update().filter(
            device_id__in=devices, hour__gte=min(hours), hour__lte=max(hours)
        )
    }
    new: list[HourlyReading] = []
    changed: list[HourlyReading] = []
    for group in groups:
        key = (group["device_id"], group["factor"], group["kind"], group["hour"])
        row = existing.get(key)
        if row is None:
            new.append(
                HourlyReading(
                    device_id=group["device_id"],
                    factor=group["factor"],
                    kind=group["kind"],
                    hour=group["hour"],
                    count=group["n"],
                    mean=group["mean"],
                    low=group["low"],
                    high=group["high"],
                )
            )
            continue
        total = row.count + group["n"]
        row.mean = (row.mean * row.count + group["mean"] * group["n"]) / total
        row.count = total
        row.low = min(row.low, group["low"])
        row.high = max(row.high, group["high"])
        changed.append(row)
    # A merged row is written again rather than updated: a bulk UPDATE is one CASE per field
    # and row, which PostgreSQL plans slowly; nothing refers to an hourly row by its id.
    merged = [row.pk for row in changed]
    for start in range(0, len(merged), 900):  # within any SQLite's limit of bound values
        HourlyReading.objects.filter(pk__in=merged[start : start + 900]).delete()
    for row in changed:
        row.pk = None
    HourlyReading.objects.bulk_create(new + changed, batch_size=2_000)
    return len(groups)


def _hour(when: dt.datetime) -> dt.datetime:
    return when.replace(minute=0, second=0, microsecond=0)


# Further checks other apps add (e.g. the campaigns' retired units, "零复活"): each takes the
# time from which to look at readings and returns how many alerts it opened.
ALERT_CHECKS: list[Callable[[dt.datetime], int]] = []


def open_alert(
    device: Device, kind: str, factor: str, reading: Reading, limit: float | None
) -> int:
    """One alert per device, kind, factor and hour."""
    _alert, created = Alert.objects.get_or_create(
        device=device,
        kind=kind,
        factor=factor,
        data_time=_hour(reading.data_time),
        defaults={"value": reading.value, "limit": limit},
    )
    return int(created)


def do_check_alerts(*, since: dt.datetime, now: dt.datetime, silent_hours: float = 2) -> int:
    """Open an alert (one per device, kind, factor and hour) for every reading since `since`
    beyond its limits or outside the plausible range, for a factor flat-lined over its set
    number of readings, and for every active device silent for `silent_hours`. Returns how
    many opened."""
    opened = 0
    with transaction.atomic():
        for threshold in Threshold.objects.select_related("device"):
            opened += _check_threshold(threshold, since)
        quiet_since = now - dt.timedelta(hours=silent_hours)
        silent = Device.objects.filter(active=True).filter(
            Q(last_seen__lt=quiet_since) | Q(last_seen__isnull=True, created__lt=quiet_since)
        )
        for device in silent:
            _alert, created = Alert.objects.get_or_create(
                device=device,
                kind=Alert.Kind.SILENT,
                factor="",
                data_time=device.last_seen or device.created,
            )
            opened += created
        for check in ALERT_CHECKS:
            opened += check(since)
    return opened


def _check_threshold(threshold: Threshold, since: dt.datetime) -> int:
    """Beyond the limits, outside what is physically plausible, or the same value too long."""
    readings = Reading.objects.filter(
        device=threshold.device,
        factor=threshold.factor,
        kind=threshold.kind,
        data_time__gte=since,
    ).order_by("data_time")
    opened = 0
    run_value: float | None = None
    run_length = 0
    for reading in readings.iterator(chunk_size=2000):
        kind, limit = _judge(threshold, reading.value)
        if kind is not None:
            opened += _open(threshold, kind, reading, limit)
        run_length = run_length + 1 if reading.value == run_value else 1
        run_value = reading.value
        if threshold.flat_readings and run_length == threshold.flat_readings:
            opened += _open(threshold, Alert.Kind.FLAT, reading, None)
    return opened


def _judge(threshold: Threshold, value: float) -> tuple[str | None, float | None]:
    if threshold.plausible_low is not None and value < threshold.plausible_low:
        return Alert.Kind.IMPLAUSIBLE, threshold.plausible_low
    if threshold.plausible_high is not None and value > threshold.plausible_high:
        return Alert.Kind.IMPLAUSIBLE, threshold.plausible_high
    if value > threshold.upper:
        return Alert.Kind.EXCEEDED, threshold.upper
    if threshold.lower is not None and value < threshold.lower:
        return Alert.Kind.EXCEEDED, threshold.lower
    return None, None


def _open(threshold: Threshold, kind: str, reading: Reading, limit: float | None) -> int:
    return open_alert(threshold.device, kind, threshold.factor, reading, limit)


class AlertRefused(ValueError):
    """An off-site case cannot go this way; the message says why, in the user's language."""


def _require_open(alert: Alert) -> None:
    if alert.status not in {Alert.Status.OPEN, Alert.Status.EXPLAINED}:
        raise AlertRefused(_("This case is already closed."))


def do_explain_alert(*, actor: Actor, alert: Alert, text: str) -> Alert:
    """自证: the enterprise explains and proves; the body then closes or escalates."""
    _require_open(alert)
    if not text.strip():
        raise AlertRefused(_("Write the explanation."))
    with transaction.atomic():
        alert.explanation, alert.status = text.strip(), Alert.Status.EXPLAINED
        alert.save(update_fields=["explanation", "status"])
        record(actor=actor, action="explain", obj=alert, changes={"explanation": text})
    return alert


def do_close_alert(*, actor: Actor, alert: Alert, note: str) -> Alert:
    """非现场办结: the body closes the case without a visit, and says why."""
    _require_open(alert)
    if not note.strip():
        raise AlertRefused(_("Say why the case can be closed without a visit."))
    with transaction.atomic():
        alert.status, alert.closing_note = Alert.Status.CLOSED, note.strip()
        alert.save(update_fields=["status", "closing_note"])
        record(actor=actor, action="close", obj=alert, changes={"note": alert.closing_note})
    return alert


def escalation_items(alert: Alert, body: Body) -> tuple[list[Item], list[Item]]:
    """The body's published items to choose from, and those of them that apply to the
    enterprise's industry (offered first)."""
    items = list(Item.objects.published().filter(body=body).order_by("code"))
    return items, applicable_items(items, full_industry_code(alert.device.enterprise))


def do_escalate_alert(
    *,
    actor: Actor,
    alert: Alert,
    body: Body,
    start: dt.date,
    end: dt.date,
    items: Sequence[Item],
) -> Task:
    """The case goes to a triggered visit: a task exempt from the cap, its cause recorded, for
    the published items of the body that it chooses (a monitoring item, or any other)."""
    _require_open(alert)
    enterprise = alert.device.enterprise
    if not items:
        raise AlertRefused(_("Choose at least one of the body's published items to check."))
    if any(item.body_id != body.pk or item.status != Item.Status.PUBLISHED for item in items):
        raise AlertRefused(_("Only the body's own published items can be checked."))
    if end < start:
        raise AlertRefused(_("The visit's window ends before it starts."))
    what = {
        Alert.Kind.EXCEEDED: f"{alert.factor} {alert.value} 超过限值 {alert.limit}",
        Alert.Kind.IMPLAUSIBLE: f"{alert.factor} {alert.value} 数据异常（超出合理范围）",
        Alert.Kind.FLAT: f"{alert.factor} 数据长时间恒值",
        Alert.Kind.SILENT: "监测设备离线",
        Alert.Kind.REVIVED: f"已淘汰设备出现运行迹象（{alert.factor} = {alert.value}）",
    }[Alert.Kind(alert.kind)]
    cause = (
        f"在线监测预警 #{alert.pk}：{what}（{timezone.localtime(alert.data_time):%Y-%m-%d %H:%M}）"
    )
    with transaction.atomic():
        task = do_create_task(
            actor=actor,
            enterprise=enterprise,
            body=body,
            kind=Kind.TRIGGERED,
            start=start,
            end=end,
            items=list(items),
            cause=cause,
        )
        alert.status, alert.task = Alert.Status.ESCALATED, task
        alert.save(update_fields=["status", "task"])
        record(actor=actor, action="escalate", obj=alert, changes={"task": task.pk})
    return task


def alert_counts(enterprise_ids: Sequence[int], body: Body) -> dict[int, dict[str, int]]:
    """Monitoring alerts of the last 12 months per enterprise, for the body's risk tiers."""
    since = timezone.now() - dt.timedelta(days=365)
    rows = (
        Alert.objects.filter(
            device__enterprise_id__in=enterprise_ids, device__body=body, created__gte=since
        )
        .values_list("device__enterprise_id")
        .annotate(n=Count("id"))
    )
    return {enterprise_id: {"alerts": n} for enterprise_id, n in rows}
