"""`/v/<code>` under the production server: requests per second and p99 latency at 50
concurrent clients (wrk), on SQLite and PostgreSQL, side by side with the baseline of the
cheapest page the same server answers (the public key, no database query), for codes signed
under each crypto suite (gm: SM2/SM3; intl: Ed25519), with the signature check alone beside,
and the audit log's append under each suite (gm: SM3 chain, HMAC-SM3 seal; intl: SHA-256,
HMAC-SHA256).

The database is the demo city (5,000 enterprises, about 3,300 visits); for the benchmark every
code is made valid today, so each lookup checks the signature, reads the code, the visit, its
bodies, team and items, and renders the full page. The per-address rate limit is switched off
(ONEVISIT_CODE_LOOKUPS_PER_MINUTE=0): wrk's 50 clients share one address. wrk runs on the
same two cores as the server.

    uv run python bench/codes.py [--seconds 20] [--connections 50] [--db sqlite postgres]
        [--suites gm intl]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from _common import OUT, ROOT, create_pg_database, database_env

LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(371500)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(db: str, suite: str) -> tuple[dict[str, str], list[str]]:
    name = f"bench_codes_{suite}"
    env = database_env(db, name)
    env["ONEVISIT_CODE_LOOKUPS_PER_MINUTE"] = "0"
    env["ONEVISIT_CRYPTO_SUITE"] = suite
    if db == "postgres":
        create_pg_database(name, fresh=False)
    run = [sys.executable, "-m", "onevisit"]
    loaded = subprocess.run(
        [*run, "demo", "--no-serve"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if loaded.returncode:
        sys.exit(f"loading the demo city failed:\n{loaded.stderr}")
    script = (
        "from django.utils import timezone\n"
        "from onevisit.inspections.models import InspectionCode, Visit\n"
        "today = timezone.localdate()\n"
        "live = InspectionCode.objects.filter(cancelled_at__isnull=True)\n"
        "live.update(valid_on=today)\n"
        "for token in live.values_list('token', flat=True):\n"
        "    print(token)\n"
    )
    out = subprocess.run(
        [*run, "shell", "-c", script], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout
    tokens = [line.strip() for line in out.splitlines() if len(line.strip()) > 100]
    return env, tokens


def wrk(url: str, paths: list[str], seconds: int, connections: int) -> tuple[float, float]:
    listing = OUT / "codes-paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    lua = OUT / "codes.lua"
    lua.write_text(LUA % listing)
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(lua), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", result)
    assert p99 is not None, result
    value = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses")
    return rate, value


def signature_checks(suite: str, seconds: float = 2.0) -> float:
    """Codes whose signature one core checks per second, alone (no database, no page)."""
    from onevisit.inspections.tokens import Claim, CodeSigner, Keyring, new_short_code

    key = CodeSigner.generate(suite)
    ring = Keyring([key, CodeSigner.generate("intl"), CodeSigner.generate("gm")])
    tokens = [key.issue(Claim(n, dt.date.today(), new_short_code())) for n in range(500)]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for token in tokens:
            ring.verify(token)
        done += len(tokens)
    return done / (time.perf_counter() - started)


APPEND = """
import time
from django.db import transaction
from onevisit.audit.actions import Actor, record
actor = Actor.system("bench")
started = time.perf_counter()
for batch in range(%(batches)d):
    with transaction.atomic():
        for i in range(100):
            record(
                actor=actor, action="bench", verb="bench", object_type="bench.thing",
                object_id=str(i), changes={"i": i, "note": "整改完成，复查合格" * 8},
            )
print(%(batches)d * 100 / (time.perf_counter() - started))
"""


def audit_appends(env: dict[str, str], batches: int = 20) -> float:
    """Audit entries appended per second (hashed, sealed, inserted; 100 per transaction)."""
    out = subprocess.run(
        [sys.executable, "-m", "onevisit", "shell", "-c", APPEND % {"batches": batches}],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def measure(
    db: str, suite: str, seconds: int, connections: int, workers: int, threads: int
) -> list[tuple[str, float, float]]:
    env, tokens = prepare(db, suite)
    appends[db, suite] = audit_appends(env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onevisit",
            "serve",
            "--no-worker",
            "--no-access-log",
            "--port",
            str(port),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/v/key.pem", timeout=1)  # noqa: S310 - our own local server
                break
            except OSError:
                time.sleep(0.3)
        wrk(base, ["/v/" + t for t in tokens[:50]], 3, connections)  # warm up every worker
        codes = wrk(base, ["/v/" + t for t in tokens], seconds, connections)
        baseline = wrk(base, ["/v/key.pem"], seconds, connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [("/v/<code>", *codes), ("baseline /v/key.pem", *baseline)]


appends: dict[tuple[str, str], float] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--suites", nargs="+", default=["gm", "intl"], choices=["gm", "intl"])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"{args.connections} concurrent clients, {args.seconds} s each, {os.cpu_count()} cores, "
        f"gunicorn {args.workers} workers x {args.threads} threads"
    )
    checks = {suite: signature_checks(suite) for suite in args.suites}
    for suite, rate in checks.items():
        print(f"signature check alone, {suite:4}: {rate:10,.0f} codes/s on one core")
    header = f"{'database':10} {'suite':5} {'page':22} {'req/s':>8} {'p99 ms':>8}"
    print(f"{header} {'share of baseline':>18}")
    door: dict[tuple[str, str], float] = {}
    for db in args.db:
        for suite in args.suites:
            rows = measure(db, suite, args.seconds, args.connections, args.workers, args.threads)
            base_rate = rows[-1][1]
            door[db, suite] = rows[0][1]
            for page, rate, p99 in rows:
                share = f"{rate / base_rate:17.0%}"
                print(f"{db:10} {suite:5} {page:22} {rate:8.0f} {p99:8.1f} {share}")
    for db in args.db:
        if (db, "gm") in door and (db, "intl") in door:
            ratio = door[db, "intl"] / door[db, "gm"]
            print(f"{db}: the door check under gm takes {ratio:.2f}x the time of intl")
    for (db, suite), rate in appends.items():
        print(f"{db:10} {suite:5} audit append (100 per transaction) {rate:8.0f} entries/s")
    for db in args.db:
        if (db, "gm") in appends and (db, "intl") in appends:
            ratio = appends[db, "intl"] / appends[db, "gm"]
            print(f"{db}: an audit append under gm takes {ratio:.2f}x the time of intl")


if __name__ == "__main__":
    main()
