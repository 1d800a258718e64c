"""A device's readings to Excel (`/monitoring/devices/<id>/readings/`) on SQLite and PostgreSQL:
one station of four factors sending every ten minutes for a year, everything older than 30 days
folded into hourly rows by the retention job. The baseline, in the same run, is the export's
default window of the last 30 days; the figure is a whole year, the longest window a person can
ask for. It prints rows, seconds and the peak of Python's allocations (tracemalloc) for both,
and the ratio of their times.

    uv run python bench/readings_export.py [--db sqlite postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
import time
import tracemalloc
from typing import TYPE_CHECKING

from _common import setup_django, small_demo

FACTORS = ("w00000", "w01001", "w01018", "w21003")
STEP = dt.timedelta(minutes=10)
MN = "88888889999999"

if TYPE_CHECKING:
    from onevisit.monitoring.models import Device


def fill(days: int) -> Device:
    from django.db import transaction
    from django.utils import timezone

    from onevisit.monitoring.actions import do_aggregate_and_prune
    from onevisit.monitoring.models import Device, Reading
    from onevisit.registry.models import Enterprise

    now = timezone.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        Device.objects.filter(mn=MN).delete()
        device = Device.objects.create(
            mn=MN, password_sha256="0" * 64, enterprise=Enterprise.objects.order_by("pk")[0]
        )
        when, batch = now - dt.timedelta(days=days), []
        while when <= now:
            batch += [
                Reading(
                    device=device,
                    factor=f,
                    kind="Rtd",
                    data_time=when,
                    value=n + when.minute / 10,
                    flag="N",
                    received=when,
                )
                for n, f in enumerate(FACTORS)
            ]
            if len(batch) >= 20_000:
                Reading.objects.bulk_create(batch, batch_size=5_000)
                batch = []
            when += STEP
        Reading.objects.bulk_create(batch, batch_size=5_000)
    do_aggregate_and_prune(now - dt.timedelta(days=30))
    return device


def export(device: Device, days: int, traced: bool = False) -> tuple[int, float, float]:
    """Rows, seconds and (when `traced`, a second run under tracemalloc, which slows Python
    down too much to time) the peak of Python's allocations in MB."""
    from django.utils import timezone

    from onevisit.lib.tabular import write_xlsx
    from onevisit.monitoring import exports

    end = timezone.localdate()
    start = end - dt.timedelta(days=days - 1)
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    count = exports.row_count(device, start, end)
    pairs = exports.columns(device, start, end)
    buffer = io.BytesIO()
    write_xlsx(buffer, "MN", exports.headers(pairs), exports.rows(device, start, end, pairs))
    elapsed = time.perf_counter() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return count, elapsed, peak


def measure() -> None:
    from django.db import connection

    device = fill(366)
    month, year = export(device, 30), export(device, 366)
    peaks = {30: export(device, 30, traced=True)[2], 366: export(device, 366, traced=True)[2]}
    for label, (rows, seconds, _), peak in (
        ("30 days (base)", month, peaks[30]),
        ("366 days", year, peaks[366]),
    ):
        print(
            f"{connection.vendor:10} {label:15} {rows:>8,} rows {seconds:7.2f} s "
            f"{rows / seconds:9,.0f} rows/s  peak {peak:6.1f} MB"
        )
    print(
        f"{connection.vendor:10} ratio of times {year[1] / month[1]:.1f}x for "
        f"{year[0] / month[0]:.1f}x the rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django()
        measure()
        return
    for db in args.db:
        env = small_demo(db, "bench_readings_export")
        subprocess.run([sys.executable, __file__, "--measure"], env=env, check=True)


if __name__ == "__main__":
    main()
