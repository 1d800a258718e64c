"""Writes of the monitoring receiver: readings in batches, device last-seen, reject tallies.

The receiver calls these in worker threads through `in_thread`, which first drops a database
connection that has gone stale or old, as Django does between requests."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from onevisit.monitoring.models import (
    Device,
    DeviceLog,
    DeviceSetting,
    Reading,
    RejectTally,
    ViolationTally,
)
from onevisit.monitoring.session import KnownDevice, Report, Row

T = TypeVar("T")


def device_table() -> dict[str, KnownDevice]:
    """MN → the active device (id, password digest, version), for the receiver's sessions."""
    return {
        mn: KnownDevice(pk, digest, version)
        for mn, pk, digest, version in Device.objects.filter(active=True).values_list(
            "mn", "pk", "password_sha256", "protocol_version"
        )
    }


_INSERT = (
    "INSERT INTO {table} (device_id, factor, kind, data_time, value, flag, received) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)


def store_rows(rows: Sequence[Row], devices: Iterable[int], reports: Sequence[Report] = ()) -> None:
    """One transaction for a batch: when it returns, the readings are committed.

    The receiver's hot path: one prepared INSERT run for every row (executemany; psycopg
    pipelines it) instead of building a model instance per reading, which was 3–4 times
    slower. Datetimes go through the backend's own adaptation, as the ORM would store them. A
    reading already stored (the same device, factor, kind and time: a packet sent again) is
    skipped. `reports` are what devices said about themselves: log entries, and settings that
    replace the device's last value of the same setting."""
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    received = adapt(now)
    sql = _INSERT.format(table=connection.ops.quote_name(Reading._meta.db_table))
    values = [
        (r.device_id, r.factor, r.kind, adapt(r.data_time), r.value, r.flag, received) for r in rows
    ]
    with transaction.atomic():
        if values:
            with connection.cursor() as cursor:
                cursor.executemany(sql, values)
        seen = set(devices)
        if seen:
            Device.objects.filter(pk__in=seen).update(last_seen=now)
        if reports:
            store_reports(reports, now)


def store_reports(reports: Sequence[Report], now: dt.datetime) -> None:
    DeviceLog.objects.bulk_create(
        DeviceLog(
            device_id=r.device_id,
            command=r.command,
            pol_id=r.pol_id,
            name=r.name,
            text=r.text,
            data_time=r.data_time,
            received=now,
        )
        for r in reports
        if not r.setting
    )
    for r in reports:
        if r.setting:
            DeviceSetting.objects.update_or_create(
                device_id=r.device_id,
                pol_id=r.pol_id,
                name=r.name,
                defaults={
                    "value": r.text[:200],
                    "command": r.command,
                    "data_time": r.data_time,
                    "updated": now,
                },
            )


def add_rejects(rejects: Counter[str], violations: Counter[str] | None = None) -> None:
    """Add to the tallies of refused packets and of the violations in accepted ones."""
    with transaction.atomic():
        for model, counts in ((RejectTally, rejects), (ViolationTally, violations or Counter())):
            for reason, count in counts.items():
                tally, _created = model.objects.get_or_create(reason=reason[:40])
                model.objects.filter(pk=tally.pk).update(count=F("count") + count)


def in_thread(work: Callable[..., T], *args: Any) -> T:
    """Run `work` in a receiver worker thread, with a usable database connection."""
    close_old_connections()
    return work(*args)
