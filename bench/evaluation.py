"""亩产效益 evaluation at 20,000 enterprises, on SQLite and PostgreSQL: a year's figures imported
from one xlsx, scored and classified, and the working pages served — each beside its baseline
in the same run: the import beside a plain bulk update of the same values (no checks), the
scoring beside the pure scoring core alone (no database), the pages beside the same pages for a
year of 500 enterprises.

    uv run python bench/evaluation.py [--enterprises 20000] [--db sqlite postgres] [--samples 30]

Targets (issue 16): scoring under 5 s; pages p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import subprocess
import sys
import time
from decimal import Decimal

from _common import create_pg_database, database_env, onevisit, percentiles, setup_django

SECTIONS = ",".join("ABCDEFGHIJKLMNOPQRST")
SMALL = 500


def enterprises(count: int) -> None:
    from django.db import transaction

    from onevisit.audit.actions import Actor
    from onevisit.registry import demo
    from onevisit.registry.actions import do_bulk_upsert_enterprises
    from onevisit.registry.models import Enterprise

    have = Enterprise.objects.count()
    if have >= count:
        return
    batch = [
        Enterprise(
            uscc=e.uscc,
            name=e.name,
            district_id=e.district,
            industry_id=e.industry,
            industry_code=e.industry_code,
            address=e.address,
            legal_representative=e.legal_representative,
            land_area_mu=e.land_area_mu or Decimal(10),
            employees=e.employees,
            status="active",
        )
        for e in demo.enterprises(count, start=have)
    ]
    with transaction.atomic():
        do_bulk_upsert_enterprises(actor=Actor.system("bench"), new=batch, changed=[])


def figures_file(usccs: list[str]) -> bytes:
    from onevisit.lib.tabular import write_xlsx

    rng = random.Random(len(usccs))
    headers = [
        "统一社会信用代码",
        "实缴税金（万元）",
        "销售收入（万元）",
        "综合能耗（吨标准煤）",
        "主要污染物排放量（吨）",
        "研发经费（万元）",
        "年平均职工人数",
        "用地面积（亩）",
    ]
    rows = []
    for uscc in usccs:
        sales = rng.uniform(2000, 50000)
        rows.append(
            [
                uscc,
                round(sales * 0.04, 2),
                round(sales, 2),
                round(sales / rng.uniform(0.5, 4), 2),
                round(rng.uniform(0.5, 60), 3),
                round(sales * rng.uniform(0.002, 0.04), 2),
                rng.randint(20, 900),
                rng.randint(10, 400),
            ]
        )
    buffer = io.BytesIO()
    write_xlsx(buffer, "figures", headers, rows)
    return buffer.getvalue()


def run_year(number: int, count: int, samples: int) -> None:
    from django.db import connection
    from django.test import Client

    from onevisit.accounts.models import Role, User
    from onevisit.audit.actions import Actor
    from onevisit.evaluation.actions import do_open_year, do_publish, do_score
    from onevisit.evaluation.imports import import_figures
    from onevisit.evaluation.models import FIGURE_CODES, Entry, Year
    from onevisit.evaluation.scoring import score_all
    from onevisit.registry.models import Body, Enterprise

    actor = Actor.system("bench")
    lead = Body.objects.get(code="LC-GXJ")
    Year.objects.filter(year=number, area=lead.district).delete()
    year = do_open_year(
        actor=actor,
        year=number,
        lead_body=lead,
        industries=SECTIONS,
        excluded="",
        sources=dict.fromkeys(FIGURE_CODES, lead),
    )
    Entry.objects.filter(year=year).exclude(
        enterprise_id__in=Enterprise.objects.order_by("pk").values("pk")[:count]
    ).delete()
    usccs = list(year.entries.values_list("enterprise__uscc", flat=True))
    data = figures_file(usccs)
    started = time.perf_counter()
    report = import_figures(data, "figures.xlsx", actor=actor, year=year, body=lead, dry_run=False)
    imported = time.perf_counter() - started
    assert report.ok, report.summary()
    entries = list(year.entries.all())
    for entry in entries:
        entry.tax = (entry.tax or 0) + 1
    started = time.perf_counter()
    Entry.objects.bulk_update(entries, ["tax"], batch_size=2000)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    do_score(actor=actor, year=year)
    scoring = time.perf_counter() - started
    figures = {e.pk: e.figures() for e in Entry.objects.filter(year=year)}
    started = time.perf_counter()
    score_all(figures, year.rules())
    core = time.perf_counter() - started
    print(f"\n{connection.vendor} · {len(usccs):,} enterprises")
    print(f"{'step':38} {'seconds':>8} {'baseline':>9} {'ratio':>6}")
    rows = [
        ("import (xlsx, every check)", imported, floor, "plain bulk update"),
        ("score and classify (stored)", scoring, core, "the scoring core in memory"),
    ]
    for label, seconds, baseline, what in rows:
        ratio = seconds / baseline
        print(f"{label:38} {seconds:8.2f} {baseline:9.2f} {ratio:6.1f}  (baseline: {what})")
    do_publish(actor=actor, by=None, year=year, today=dt.date.today())  # the public list shows it
    admin, _ = User.objects.get_or_create(
        username="bench_gxj", defaults={"role": Role.BODY_ADMIN, "body": lead}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    first = year.entries.order_by("pk").first()
    assert first is not None
    pages = [
        ("year page", f"/evaluation/{year.pk}/"),
        ("public list", f"/evaluation/{year.pk}/public/"),
        ("an enterprise's score", f"/evaluation/{year.pk}/entries/{first.pk}/"),
        ("class A by API", f"/api/evaluation/{number}/results?klass=A"),
    ]
    print(f"{'page':38} {'p50 ms':>8} {'p95 ms':>8}")
    for label, url in pages:
        client.get(url)
        timings = []
        for _ in range(samples):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        p50, p95 = percentiles(timings)
        print(f"{label:38} {p50:8.1f} {p95:8.1f}")


def measure(count: int, samples: int) -> None:
    from django.conf import settings
    from django.test.utils import override_settings

    enterprises(count)
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES=plain_static):
        for number, size in ((2090, SMALL), (2091, count)):
            print("baseline" if size == SMALL else "target", end="")
            run_year(number, size, samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django()
        measure(args.measure, args.samples)
        return
    for db in args.db:
        name = "bench_evaluation"
        env = database_env(db, name)
        if db == "postgres":
            create_pg_database(name, fresh=False)
        onevisit(["migrate", "--verbosity", "0"], env, quiet=True)
        onevisit(["demo", "--no-serve", "--enterprises", "1"], env, quiet=True)
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                str(args.enterprises),
                "--samples",
                str(args.samples),
            ],
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
