"""Monitoring writes beyond the receiver: hourly aggregates and the pruning of raw readings."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncHour

from onevisit.monitoring.models import HourlyReading, Reading


def do_aggregate_and_prune(before: dt.datetime) -> tuple[int, int]:
    """Fold raw readings older than `before` into hourly rows (merging with rows already
    there), then delete them; one transaction, so a failure keeps the raw data.
    Returns (hourly rows written, raw readings deleted)."""
    with transaction.atomic():
        old = Reading.objects.filter(data_time__lt=before)
        groups = (
            old.annotate(hour=TruncHour("data_time"))
            .values("device_id", "factor", "kind", "hour")
            .annotate(n=Count("id"), mean=Avg("value"), low=Min("value"), high=Max("value"))
        )
        written = 0
        for group in groups.iterator(chunk_size=5000):
            row, created = HourlyReading.objects.select_for_update().get_or_create(
                device_id=group["device_id"],
                factor=group["factor"],
                kind=group["kind"],
                hour=group["hour"],
                defaults={
                    "count": group["n"],
                    "mean": group["mean"],
                    "low": group["low"],
                    "high": group["high"],
                },
            )
            if not created:
                total = row.count + group["n"]
                row.mean = (row.mean * row.count + group["mean"] * group["n"]) / total
                row.count = total
                row.low = min(row.low, group["low"])
                row.high = max(row.high, group["high"])
                row.save(update_fields=["count", "mean", "low", "high"])
            written += 1
        deleted, _ = old.delete()
    return written, deleted
