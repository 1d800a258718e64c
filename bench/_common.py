"""Shared helpers for the benchmarks: pick a database, set up Django, summarise timings."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def database_env(db: str, name: str) -> dict[str, str]:
    """Environment for one benchmark database: a SQLite folder or a PostgreSQL database."""
    env = dict(os.environ)
    env["ONEVISIT_DATA_DIR"] = str(OUT / f"{name}-sqlite")
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL.format(name=name)
        env["ONEVISIT_DATA_DIR"] = str(OUT / f"{name}-pg")
    return env


def create_pg_database(name: str, fresh: bool) -> None:
    if fresh:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True
        )
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
        check=False,
        stderr=subprocess.DEVNULL,
    )


def small_demo(db: str, name: str) -> dict[str, str]:
    """A fresh database `name` on `db` holding a demo of 50 enterprises; its environment."""
    env = database_env(db, name)
    if db == "postgres":
        create_pg_database(name, fresh=True)
    onevisit(["demo", "--no-serve", "--enterprises", "50"], env, quiet=True)
    return env


def onevisit(args: list[str], env: dict[str, str], quiet: bool = False) -> None:
    output = subprocess.DEVNULL if quiet else None
    subprocess.run(
        [sys.executable, "-m", "onevisit", *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=output,
        stderr=output,
    )


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
    import django

    django.setup()


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95
