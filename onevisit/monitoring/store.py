"""Writes of the monitoring receiver: readings in batches, device last-seen, reject tallies.

The receiver calls these in worker threads through `in_thread`, which first drops a database
connection that has gone stale or old, as Django does between requests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from onevisit.monitoring.models import Device, Reading, RejectTally
from onevisit.monitoring.session import Row

T = TypeVar("T")


def device_table() -> dict[str, tuple[int, str]]:
    """MN → (id, password digest) of the active devices, for the receiver's sessions."""
    return {
        mn: (pk, digest)
        for mn, pk, digest in Device.objects.filter(active=True).values_list(
            "mn", "pk", "password_sha256"
        )
    }


def store_rows(rows: Sequence[Row], devices: Iterable[int]) -> None:
    """One transaction for a batch: when it returns, the readings are committed."""
    now = timezone.now()
    with transaction.atomic():
        Reading.objects.bulk_create(
            [
                Reading(
                    device_id=r.device_id,
                    factor=r.factor,
                    kind=r.kind,
                    data_time=r.data_time,
                    value=r.value,
                    flag=r.flag,
                    received=now,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        seen = set(devices)
        if seen:
            Device.objects.filter(pk__in=seen).update(last_seen=now)


def add_rejects(rejects: Counter[str]) -> None:
    with transaction.atomic():
        for reason, count in rejects.items():
            tally, _created = RejectTally.objects.get_or_create(reason=reason[:40])
            RejectTally.objects.filter(pk=tally.pk).update(count=F("count") + count)


def in_thread(work: Callable[..., T], *args: Any) -> T:
    """Run `work` in a receiver worker thread, with a usable database connection."""
    close_old_connections()
    return work(*args)
