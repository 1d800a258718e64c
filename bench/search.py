"""Enterprise search latency over N enterprises on SQLite and PostgreSQL (p50/p95, ms).

Each query does what the list page does: filter, capped count, first page of 25. The
baseline is the same name-fragment search without the bigram index (a LIKE scan), run on
the same database in the same run.

    uv run python bench/search.py --enterprises 600000 --db sqlite postgres
    uv run python bench/search.py --enterprises 3600000 --province --db postgres
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Callable

from _common import create_pg_database, database_env, onevisit, percentiles, setup_django

TARGET_P95_MS = 50.0


def measure(samples: int, baseline_samples: int) -> None:
    setup_django()
    from django.db import connection
    from django.db.models import Q

    from onevisit.registry.models import District, Enterprise
    from onevisit.registry.queries import EnterpriseFilters, search_enterprises

    rng = random.Random(7)
    total = Enterprise.objects.count()
    sample_rows = list(
        Enterprise.objects.order_by("?").values_list("uscc", "name", "district_id", "industry_id")[
            : samples * 2
        ]
    )

    city_of = {  # the city of each county or zone: a city's supervisor searches it whole
        code: parent or code for code, parent in District.objects.values_list("code", "parent_id")
    }

    def fragment(name: str, length: int) -> str:
        core = (
            name.removesuffix("股份有限公司").removesuffix("有限责任公司").removesuffix("有限公司")
        )
        start = rng.randrange(0, max(1, len(core) - length + 1))
        return core[start : start + length]

    def run(filters: EnterpriseFilters, base: object = None) -> None:
        search = search_enterprises(Enterprise.objects.with_refs(), filters)
        search.count()
        search.page(1, 25)

    def baseline(q: str) -> None:
        qs = Enterprise.objects.with_refs().filter(Q(name__icontains=q)).order_by("id")
        qs.order_by().values("pk")[:10001].count()
        list(qs[:25])

    cases: list[tuple[str, Callable[[int], EnterpriseFilters]]] = [
        ("credit code, exact", lambda i: EnterpriseFilters(q=sample_rows[i][0])),
        ("credit code, first 10", lambda i: EnterpriseFilters(q=sample_rows[i][0][:10])),
        ("name fragment, 2 chars", lambda i: EnterpriseFilters(q=fragment(sample_rows[i][1], 2))),
        ("name fragment, 3 chars", lambda i: EnterpriseFilters(q=fragment(sample_rows[i][1], 3))),
        ("name fragment, 4 chars", lambda i: EnterpriseFilters(q=fragment(sample_rows[i][1], 4))),
        (
            "fragment + district",
            lambda i: EnterpriseFilters(
                q=fragment(sample_rows[i][1], 2), district=sample_rows[i][2]
            ),
        ),
        (
            "district + industry",
            lambda i: EnterpriseFilters(district=sample_rows[i][2], industry=sample_rows[i][3]),
        ),
        (
            "fragment + city",
            lambda i: EnterpriseFilters(
                q=fragment(sample_rows[i][1], 2), district=city_of[sample_rows[i][2]]
            ),
        ),
        (
            "city + industry",
            lambda i: EnterpriseFilters(
                district=city_of[sample_rows[i][2]], industry=sample_rows[i][3]
            ),
        ),
        (
            "fragment + district + industry",
            lambda i: EnterpriseFilters(
                q=fragment(sample_rows[i][1], 2),
                district=sample_rows[i][2],
                industry=sample_rows[i][3],
            ),
        ),
    ]
    vendor = connection.vendor
    print(f"\n{vendor}: {total:,} enterprises, {samples} queries per case (p50 / p95 in ms)")
    if vendor == "postgresql":  # the figures at province size depend on it (docs/deployment.md)
        with connection.cursor() as cursor:
            cursor.execute("SHOW shared_buffers")
            print(f"shared_buffers = {cursor.fetchone()[0]}")
    print(f"{'case':34} {'p50':>8} {'p95':>8}  {'target p95 < 50 ms'}")
    for label, make in cases:
        timings = []
        for i in range(samples):
            filters = make(i)
            started = time.perf_counter()
            run(filters)
            timings.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(timings)
        verdict = "ok" if p95 < TARGET_P95_MS else "MISSED"
        print(f"{label:34} {p50:8.1f} {p95:8.1f}  {verdict}")
    indexed, scanned = [], []
    for i in range(baseline_samples):
        q = fragment(sample_rows[i][1], 3)
        started = time.perf_counter()
        run(EnterpriseFilters(q=q))
        indexed.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline(q)
        scanned.append((time.perf_counter() - started) * 1000)
    i50, i95 = percentiles(indexed)
    s50, s95 = percentiles(scanned)
    print(f"{'3-char fragment, bigram index':34} {i50:8.1f} {i95:8.1f}")
    print(
        f"{'3-char fragment, LIKE scan (base)':34} {s50:8.1f} {s95:8.1f}  "
        f"ratio p50 {s50 / i50:.0f}x, p95 {s95 / i95:.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=600_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--baseline-samples", type=int, default=20)
    parser.add_argument(
        "--province", action="store_true", help="the enterprises spread over the 16 cities of 山东"
    )
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(args.samples, args.baseline_samples)
        return
    for db in args.db:
        name = f"bench_search_{'province_' if args.province else ''}{args.enterprises}"
        env = database_env(db, name)
        if db == "postgres":
            create_pg_database(name, fresh=False)
        started = time.perf_counter()
        province = ["--province"] if args.province else []
        onevisit(["demo", "--no-serve", "--enterprises", str(args.enterprises), *province], env)
        print(f"[{db}] database ready in {time.perf_counter() - started:.0f} s")
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure-only",
                "--samples",
                str(args.samples),
                "--baseline-samples",
                str(args.baseline_samples),
            ],
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
