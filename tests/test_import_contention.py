"""A large import does not lock the others out: while the enterprise register is written (in
batches, under the all-or-nothing protocol), a web write and an HJ 212 packet are each answered
within a second. On SQLite, which lets one writer in at a time, in processes of their own."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="SQLite's single writer is where a long import blocks everyone; PostgreSQL locks rows",
)

PROBE = "import django; django.setup(); from onevisit.testing.contention import main; main()"
# Enough rows that the write phase of a one-transaction import lasted several seconds.
ROWS = 10_000


def _copy_database(folder: Path) -> None:
    """The migrated test database (districts, industries, calendar) copied into a data folder."""
    connection.ensure_connection()
    target = sqlite3.connect(folder / "onevisit.sqlite3")
    connection.connection.backup(target)
    target.close()


def _register(path: Path, rows: int) -> None:
    from onevisit.registry import demo

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["统一社会信用代码", "企业名称", "行政区划代码", "国民经济行业代码", "注册地址"]
        )
        for e in demo.enterprises(500_000 + rows, start=500_000):
            writer.writerow([e.uscc, e.name, e.district, e.industry_code, e.address])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_answers_a_web_write_and_a_packet_within_a_second_during_a_large_import(
    tmp_path: Path,
) -> None:
    folder = tmp_path
    _copy_database(folder)
    register = folder / "register.csv"
    _register(register, ROWS)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ONEVISIT_DATA_DIR"] = str(folder)
    probe = subprocess.Popen(
        [sys.executable, "-c", PROBE],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert probe.stdout is not None and probe.stdout.readline().strip() == "ready"
        imported = subprocess.run(
            [sys.executable, "-m", "onevisit", "import", "enterprises", str(register)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert imported.returncode == 0, imported.stderr
        output, _ = probe.communicate(timeout=120)
    finally:
        probe.kill()
    probes = json.loads(output.strip().splitlines()[-1])
    during = [p for p in probes if p["writing"]]
    assert len(during) >= 3, probes
    assert max(p["web"] for p in during) < 1.0, during
    assert max(p["packet"] for p in during) < 1.0, during
    database = sqlite3.connect(folder / "onevisit.sqlite3")
    (landed,) = database.execute(
        "SELECT count(*) FROM registry_enterprise WHERE name != '聊城华鲁化工有限公司'"
    ).fetchone()
    (left,) = database.execute("SELECT count(*) FROM imports_stagedbatch").fetchone()
    assert (landed, left) == (ROWS, 0)
