"""The readings retention job (`onevisit retain-readings`) on SQLite and PostgreSQL: raw
readings older than the cut-off folded into hourly rows and deleted, half of the hours already
holding an hourly row to merge with. The baseline, in the same run on the same readings, is the
job as it was: one locked get-or-create and one save per hour.

    uv run python bench/retention.py [--devices 20] [--days 30] [--db sqlite postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time

from _common import setup_django, small_demo

PER_HOUR = 6  # a reading every ten minutes


def fill(devices: int, days: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from onevisit.monitoring.models import Device, HourlyReading, Reading
    from onevisit.registry.models import Enterprise

    now = timezone.now()
    start = (now - dt.timedelta(days=days + 40)).replace(minute=0, second=0, microsecond=0)
    enterprise = Enterprise.objects.order_by("pk").first()
    with transaction.atomic():
        Reading.objects.all().delete()
        HourlyReading.objects.all().delete()
        Device.objects.filter(mn__startswith="8888888").delete()  # the bench's own devices
        made = Device.objects.bulk_create(
            Device(mn=f"{88888880000000 + n}", password_sha256="0" * 64, enterprise=enterprise)
            for n in range(devices)
        )
        batch: list[Reading] = []
        earlier: list[HourlyReading] = []
        for device in made:
            for hour in range(days * 24):
                when = start + dt.timedelta(hours=hour)
                if hour % 2:
                    earlier.append(
                        HourlyReading(
                            device=device,
                            factor="w01018",
                            kind="Rtd",
                            hour=when,
                            count=1,
                            mean=1.0,
                            low=1.0,
                            high=1.0,
                        )
                    )
                for k in range(PER_HOUR):
                    batch.append(
                        Reading(
                            device=device,
                            factor="w01018",
                            kind="Rtd",
                            received=now,
                            data_time=when + dt.timedelta(minutes=10 * k),
                            value=float(k),
                        )
                    )
            if len(batch) > 50_000:
                Reading.objects.bulk_create(batch, batch_size=5_000)
                batch = []
        Reading.objects.bulk_create(batch, batch_size=5_000)
        HourlyReading.objects.bulk_create(earlier, batch_size=5_000)


def row_by_row(before: dt.datetime) -> tuple[int, int]:
    """The job before the bulk fold: what the figures are measured against."""
    from django.db import transaction
    from django.db.models import Avg, Count, Max, Min
    from django.db.models.functions import TruncHour

    from onevisit.monitoring.models import HourlyReading, Reading

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


def measure(devices: int, days: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from onevisit.monitoring.actions import do_aggregate_and_prune

    cutoff = timezone.now() - dt.timedelta(days=30)
    timings = {}
    for label, job in (
        ("row by row (baseline)", row_by_row),
        ("bulk fold", do_aggregate_and_prune),
    ):
        fill(devices, days)
        started = time.perf_counter()
        written, deleted = job(cutoff)
        timings[label] = time.perf_counter() - started
    base, bulk = timings["row by row (baseline)"], timings["bulk fold"]
    print(
        f"{connection.vendor:10} {deleted:>12,} {written:>10,}   {base:9.1f} s {bulk:9.1f} s"
        f"   {base / bulk:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django()
        measure(args.devices, args.days)
        return
    print(
        f"{'database':10} {'readings':>12} {'hours':>10}   {'row by row':>11} {'bulk':>11}   ratio"
    )
    for db in args.db:
        env = small_demo(db, "bench_retention")
        command = [sys.executable, __file__, "--measure", "--devices", str(args.devices)]
        subprocess.run([*command, "--days", str(args.days)], env=env, check=True)


if __name__ == "__main__":
    main()
