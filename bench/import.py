"""Import throughput (rows/s) for 100,000 and 600,000 rows, and the demo start time at 5,000.

Two baselines in the same run:
- the floor: the rows the import wrote (enterprises, their search-index rows and their audit
  entries), copied into a fresh database of the same schema with no checks at all — COPY on
  PostgreSQL, one executemany per table on SQLite. The import should stay within 3x of it.
- the one-enterprise-at-a-time path (one transaction, one audit entry and one index update per
  row, as the web form does), measured on 2,000 rows.

    uv run python bench/import.py --rows 100000 600000 --db sqlite postgres
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import OUT, create_pg_database, database_env, onevisit, setup_django

BASELINE_ROWS = 2000
SOURCE_KEYS = ("DATABASE_URL", "ONEVISIT_DATA_DIR")


def write_csv(path: Path, rows: int) -> None:
    setup_django()
    from onevisit.registry import demo

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "统一社会信用代码",
                "企业名称",
                "行政区划代码",
                "国民经济行业代码",
                "注册地址",
                "法定代表人",
                "占地面积（亩）",
                "从业人数",
            ]
        )
        for e in demo.enterprises(rows):
            writer.writerow(
                [
                    e.uscc,
                    e.name,
                    e.district,
                    e.industry_code,
                    e.address,
                    e.legal_representative,
                    e.land_area_mu,
                    e.employees,
                ]
            )


def measure(path: Path, rows: int) -> None:
    setup_django()
    from onevisit.audit.actions import Actor
    from onevisit.registry.imports import import_enterprises

    started = time.perf_counter()
    report = import_enterprises(path, path.name, actor=Actor.system("bench"))
    elapsed = time.perf_counter() - started
    assert report.ok and report.created == rows, report.summary()
    print(f"bulk import      {rows:>8,} rows  {elapsed:7.1f} s  {rows / elapsed:9,.0f} rows/s")


def measure_baseline(path: Path) -> None:
    setup_django()
    from onevisit.audit.actions import Actor
    from onevisit.registry.actions import do_create_enterprise
    from onevisit.registry.models import District, Industry

    districts = {d.code: d for d in District.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [next(reader) for _ in range(BASELINE_ROWS)]
    started = time.perf_counter()
    for uscc, name, district, industry, address, *_ in rows:
        do_create_enterprise(
            actor=Actor.system("bench"),
            fields={
                "uscc": uscc,
                "name": name,
                "district": districts[district],
                "industry": industries[industry[:2]],
                "industry_code": industry,
                "address": address,
            },
        )
    elapsed = time.perf_counter() - started
    print(
        f"row by row (base){BASELINE_ROWS:>8,} rows  {elapsed:7.1f} s  "
        f"{BASELINE_ROWS / elapsed:9,.0f} rows/s"
    )


FLOOR_TABLES = ("registry_enterprise", "registry_enterprisegram", "audit_auditentry")


def measure_floor(source_env: dict[str, str], rows: int) -> None:
    """Copy what the import wrote into the fresh database of this process, timed."""
    setup_django()
    from django.db import connection, transaction

    written = _read_tables(source_env)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, values) in written.items():
            names = ", ".join(columns)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write(values)
            else:
                marks = ", ".join(["?"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608
    elapsed = time.perf_counter() - started
    print(
        f"floor (no checks){rows:>8,} rows  {elapsed:7.1f} s  {rows / elapsed:9,.0f} rows/s"
        f"  ({', '.join(f'{t} {_count(v)}' for t, v in written.items())})"
    )


def _count(table: tuple[list[str], Any]) -> str:
    values = table[1]
    count = values.count(b"\n") if isinstance(values, bytes) else len(values)
    return f"{count:,}"


def _read_tables(env: dict[str, str]) -> dict[str, tuple[list[str], Any]]:
    """The rows of FLOOR_TABLES in the import's database: COPY text (PostgreSQL) or tuples."""
    result: dict[str, tuple[list[str], Any]] = {}
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            for table in FLOOR_TABLES:
                cursor = conn.execute(f"SELECT * FROM {table} LIMIT 0")  # noqa: S608
                columns = [c.name for c in cursor.description or ()]
                buffer = bytearray()
                with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) TO STDOUT") as copy:
                    for block in copy:
                        buffer += block
                result[table] = (columns, bytes(buffer))
        return result
    import sqlite3

    with sqlite3.connect(Path(env["ONEVISIT_DATA_DIR"]) / "onevisit.sqlite3") as conn:
        for table in FLOOR_TABLES:
            found = conn.execute(f"SELECT * FROM {table}")  # noqa: S608
            columns = [c[0] for c in found.description]
            result[table] = (columns, found.fetchall())
    return result


def run_step(step: str, env: dict[str, str], path: Path, rows: int = 0) -> None:
    """Each step in a process of its own, with the database environment of its run."""
    command = [sys.executable, __file__, "--step", step, "--file", str(path)]
    if rows:
        command += ["--rows", str(rows)]
    subprocess.run(command, env=env, check=True)


def fresh_database(db: str, name: str) -> dict[str, str]:
    env = database_env(db, name)
    shutil.rmtree(env["ONEVISIT_DATA_DIR"], ignore_errors=True)
    if db == "postgres":
        create_pg_database(name, fresh=True)
    onevisit(["migrate", "-v0"], env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 600_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--step", choices=["csv", "import", "baseline", "floor"], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--no-demo", action="store_true", help="leave out the demo start time")
    args = parser.parse_args()
    if args.step == "csv":
        write_csv(args.file, args.rows[0])
        return
    if args.step == "import":
        measure(args.file, args.rows[0])
        return
    if args.step == "baseline":
        measure_baseline(args.file)
        return
    if args.step == "floor":
        measure_floor(json.loads(args.source), args.rows[0])
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for db in args.db:
        print(f"\n{db}")
        for rows in args.rows:
            path = OUT / f"enterprises-{rows}.csv"
            env = fresh_database(db, f"bench_import_{rows}")
            if not path.exists():
                run_step("csv", env, path, rows)
            run_step("import", env, path, rows)
            floor_env = fresh_database(db, f"bench_import_floor_{rows}")
            source = json.dumps({k: v for k, v in env.items() if k in SOURCE_KEYS})
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--step",
                    "floor",
                    "--rows",
                    str(rows),
                    "--source",
                    source,
                ],
                env=floor_env,
                check=True,
            )
        env = fresh_database(db, "bench_import_baseline")
        run_step("baseline", env, OUT / f"enterprises-{args.rows[0]}.csv")
        if args.no_demo:
            continue
        env = database_env(db, "bench_demo_start")
        shutil.rmtree(env["ONEVISIT_DATA_DIR"], ignore_errors=True)
        if db == "postgres":
            create_pg_database("bench_demo_start", fresh=True)
        started = time.perf_counter()
        onevisit(
            ["demo", "--no-serve", "--enterprises", "5000"], {**env, "PYTHONWARNINGS": "ignore"}
        )
        print(
            f"demo start at 5,000 enterprises (migrate + load, fresh database): "
            f"{time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
