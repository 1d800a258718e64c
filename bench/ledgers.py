"""The rectification ledger (台账) at 200,000 rectifications, on SQLite and PostgreSQL: the
page (p50/p95 over repeated requests through Django's test client, the supervisor's city-wide
view and a department's own) and the xlsx export of every row, beside the same measures on a
ledger of 2,000 (the baseline, in the same run).

    uv run python bench/ledgers.py [--rows 200000] [--db sqlite postgres] [--samples 40]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import time

from _common import create_pg_database, database_env, onevisit, percentiles, setup_django

STATUSES = ["open", "submitted", "verified", "closed", "closed", "closed", "reopened"]


def fill(rows: int) -> None:
    """Bring the ledger to `rows` rectifications (bulk, spread over bodies and enterprises)."""
    from django.db import transaction

    from onevisit.rectification.models import Rectification
    from onevisit.registry.models import Body, Enterprise

    have = Rectification.objects.count()
    if have >= rows:
        return
    rng = random.Random(rows)
    bodies = list(Body.objects.values_list("pk", flat=True))
    enterprises = list(Enterprise.objects.values_list("pk", "name"))
    today = dt.date(2026, 11, 27)
    batch = []
    for n in range(have, rows):
        enterprise_id, name = enterprises[n % len(enterprises)]
        found = today - dt.timedelta(days=rng.randint(0, 700))
        status = rng.choice(STATUSES)
        batch.append(
            Rectification(
                enterprise_id=enterprise_id,
                unit_name=name,
                body_id=rng.choice(bodies),
                found_on=found,
                severity=rng.choice(["general", "minor", "serious"]),
                problem=f"问题 {n}：消防通道堵塞",
                measure="清理通道",
                responsible="负责人",
                deadline=found + dt.timedelta(days=rng.randint(5, 40)),
                status=status,
                closed_on=found + dt.timedelta(days=30) if status == "closed" else None,
            )
        )
        if len(batch) == 20_000:
            with transaction.atomic():
                Rectification.objects.bulk_create(batch, batch_size=5000)
            batch = []
    if batch:
        with transaction.atomic():
            Rectification.objects.bulk_create(batch, batch_size=5000)


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum (PostgreSQL) or a periodic
    ANALYZE (SQLite) would keep them in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE rectification_rectification")


def measure(label: str, samples: int) -> None:
    from django.db import connection
    from django.test import Client

    from onevisit.accounts.models import User
    from onevisit.rectification.models import Rectification

    total = Rectification.objects.count()
    pages = [
        ("supervisor", "show=open"),
        ("supervisor", "show=overdue"),
        ("supervisor", "show=all&page=200"),
        ("scjg_admin", "show=open"),
        ("scjg_admin", "show=all&q=消防"),
    ]
    print(
        f"\n{connection.vendor} · {label}: {total:,} rectifications ({samples} requests per case)"
    )
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8}")
    for username, query in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        client.get(f"/rectification/?{query}")
        timings = []
        for _ in range(samples):
            started = time.perf_counter()
            response = client.get(f"/rectification/?{query}")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p50, p95 = percentiles(timings)
        print(f"{username + ' ' + query:34} {p50:8.1f} {p95:8.1f}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="supervisor"))
    started = time.perf_counter()
    response = client.get("/rectification/?show=all&export=xlsx")
    seconds = time.perf_counter() - started
    print(f"{'xlsx export, every row':34} {seconds:8.1f} s  ({len(response.content) / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django()
        from django.conf import settings
        from django.test.utils import override_settings

        plain_static = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        fill(args.measure)
        analyze()
        with override_settings(ALLOWED_HOSTS=["*"], STORAGES=plain_static):
            measure("baseline" if args.measure == args.baseline else "target", args.samples)
        return
    for db in args.db:
        for rows in (args.baseline, args.rows):
            name = f"bench_ledgers_{rows}"
            env = database_env(db, name)
            if db == "postgres":
                create_pg_database(name, fresh=False)
            onevisit(["demo", "--no-serve"], env, quiet=True)
            subprocess.run(
                [sys.executable, __file__, "--measure", str(rows), "--samples", str(args.samples)],
                env=env,
                check=True,
            )


if __name__ == "__main__":
    main()
