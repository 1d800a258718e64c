"""Two app nodes against one, on this machine: the code check `/v/<code>` (public, rate-limited
through Redis) and the supervisor's rectification ledger, on one PostgreSQL database.

Each setup serves the same demo city from `onevisit serve --no-worker` processes sharing the
database, Redis (the limits) and the keys folder; the client sends requests from several
threads for a fixed time, spread round-robin over the nodes, and prints requests per second and
p50/p95 latency for one node and for two side by side (the ratio is the scaling). On two cores
the client competes with the servers for the same CPUs, so the figure is a floor.

`--cities` measures the planner city by city instead: a province demo (`demo --province`) whose
demo city's bodies, inspectors and open tasks are copied onto each of the other 15 cities (their
own bodies, their own counties, enterprises of the same rank), then one planning run per city,
first all 16 in sequence in one process, then the same 16 queued at once for `--workers`
`onevisit db_worker` processes. It prints the wall time of both and their ratio.

    uv run python bench/cluster.py [--enterprises 5000] [--seconds 20] [--clients 8]
    uv run python bench/cluster.py --cities [--enterprises 80000] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from _common import PG_URL, ROOT, create_pg_database, onevisit, percentiles

DATABASE = "bench_cluster"
REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD = "onevisit-demo"  # noqa: S105 - the demo accounts' published password
CODES = """
import json
from onevisit.inspections.models import InspectionCode
valid = InspectionCode.objects.filter(cancelled_at__isnull=True)
print("CODES " + json.dumps(list(valid.values_list("short_code", flat=True)[:200])))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def nodes(env: dict[str, str], count: int, root: Path) -> Iterator[list[str]]:
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for index in range(count):
            port = _free_port()
            data = root / f"node-{index}"
            command = [sys.executable, "-m", "onevisit", "serve", "--port", str(port)]
            command += ["--workers", "2", "--threads", "4", "--no-worker", "--no-access-log"]
            processes.append(
                subprocess.Popen(
                    command,
                    env={**env, "ONEVISIT_DATA_DIR": str(data)},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            for _ in range(240):
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{url}/readyz", timeout=5).ok:
                        break
                time.sleep(0.5)
            else:
                raise SystemExit(f"{url} did not become ready")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def logged_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', page)
    assert token is not None
    done = session.post(
        f"{url}/accounts/login/",
        data={"username": "supervisor", "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text[:300]
    return session


def load(
    paths: list[str], urls: list[str], clients: int, seconds: float
) -> tuple[float, list[float]]:
    """Requests per second and latencies (ms) of `clients` threads for `seconds`."""
    sessions = [logged_in(url) for url in urls]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(number: int) -> None:
        sent = number
        mine: list[float] = []
        while time.perf_counter() < stop:
            node = sent % len(urls)
            started = time.perf_counter()
            answer = sessions[node].get(urls[node] + paths[sent % len(paths)], timeout=30)
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                failures.append(f"{answer.status_code} {answer.url}")
            sent += clients
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return len(latencies) / (time.perf_counter() - began), latencies


def copy_city_onto_province(source: str) -> dict[str, int]:
    """Copy the demo city's bodies, inspectors and open tasks onto every other city; returns
    the open tasks per city."""
    from django.db import transaction

    from onevisit.planning.models import Task, TaskItem
    from onevisit.registry.models import Body, District, Enterprise, Inspector

    tasks = list(
        Task.objects.filter(
            status=Task.Status.OPEN, enterprise__district__in=District.objects.area_codes(source)
        ).prefetch_related("items")
    )
    ranked = list(Enterprise.objects.in_area(source).order_by("pk").values_list("pk", flat=True))
    rank = {pk: index for index, pk in enumerate(ranked)}
    bodies = list(Body.objects.filter(pk__in={t.body_id for t in tasks}))
    staff = list(
        Inspector.objects.filter(body__in=bodies, active=True).prefetch_related("districts")
    )
    own_counties = list(
        District.objects.filter(parent_id=source).order_by("code").values_list("code", flat=True)
    )
    per_city = {source: len(tasks)}
    for city in District.objects.cities().exclude(code=source):
        counties = list(District.objects.filter(parent=city).order_by("code"))
        place = {code: counties[i % len(counties)] for i, code in enumerate(own_counties)}
        place[source] = city
        targets = list(
            Enterprise.objects.in_area(city.code).order_by("pk").values_list("pk", flat=True)
        )
        with transaction.atomic():
            copies: dict[int, Body] = {}
            for body in bodies:
                copy = Body.objects.get(pk=body.pk)
                copy.pk = None
                copy.code = f"{city.code}-{body.code}"
                copy.name = city.name + body.name.removeprefix("聊城市")
                copy.district = place.get(body.district_id, city)
                copy.save()
                copies[body.pk] = copy
            for inspector in staff:
                served = [place.get(d.code, city) for d in inspector.districts.all()]
                inspector_copy = Inspector.objects.get(pk=inspector.pk)
                inspector_copy.pk = None
                inspector_copy.user = None
                inspector_copy.body = copies[inspector.body_id]
                inspector_copy.certificate_number = city.code + inspector.certificate_number
                inspector_copy.save()
                inspector_copy.districts.set(served)
            new_tasks = [
                Task(
                    enterprise_id=targets[rank[t.enterprise_id] % len(targets)],
                    body=copies[t.body_id],
                    kind=t.kind,
                    window_start=t.window_start,
                    window_end=t.window_end,
                    cause=t.cause,
                )
                for t in tasks
            ]
            Task.objects.bulk_create(new_tasks, batch_size=2000)
            links = [
                TaskItem(task=copy, item=item)
                for copy, t in zip(new_tasks, tasks, strict=True)
                for item in t.items.all()
            ]
            TaskItem.objects.bulk_create(links, batch_size=2000)
        per_city[city.code] = len(new_tasks)
    return per_city


def plan_cities(env: dict[str, str], enterprises: int, workers: int) -> None:
    """16 city runs in sequence in this process, then queued for `workers` task workers."""
    onevisit(["demo", "--no-serve", "--province", "--enterprises", str(enterprises)], env, True)
    os.environ.update(env)
    from _common import setup_django

    setup_django()
    from onevisit.audit.actions import Actor
    from onevisit.planning.actions import do_execute_planning_run, do_start_planning_runs
    from onevisit.planning.forms import YearForm
    from onevisit.planning.models import PlanningRun
    from onevisit.planning.tasks import queue_planning_runs
    from onevisit.registry.demo import CITY
    from onevisit.registry.models import District

    began = time.perf_counter()
    per_city = copy_city_onto_province(CITY)
    print(
        f"PostgreSQL, province demo of {enterprises:,} enterprises; "
        f"{sum(per_city.values()):,} open tasks over {len(per_city)} cities "
        f"({min(per_city.values()):,}–{max(per_city.values()):,} each), copied in "
        f"{time.perf_counter() - began:.0f} s"
    )
    year = YearForm.default_year()
    cities = list(District.objects.cities())
    actor = Actor.system("bench")
    began = time.perf_counter()
    for run in do_start_planning_runs(actor=actor, year=year, by=None, cities=cities):
        do_execute_planning_run(run)
    in_sequence = time.perf_counter() - began
    runs = queue_planning_runs(
        do_start_planning_runs(actor=actor, year=year, by=None, cities=cities)
    )
    ids = [run.pk for run in runs]
    began = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "onevisit", "db_worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        pending = PlanningRun.objects.filter(pk__in=ids).exclude(
            status__in=[PlanningRun.Status.DONE, PlanningRun.Status.FAILED]
        )
        while pending.exists():
            time.sleep(0.2)
        in_parallel = time.perf_counter() - began
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    done = PlanningRun.objects.filter(pk__in=ids)
    failed = done.filter(status=PlanningRun.Status.FAILED).count()
    visits = sum(done.values_list("visits", flat=True))
    print(
        f"{'16 city runs':22} {'in sequence':>12} {f'{workers} workers':>12} {'ratio':>6}  "
        f"(visits planned {visits:,}; failed runs {failed})"
    )
    ratio = in_sequence / in_parallel
    print(f"{'wall time':22} {in_sequence:11.1f}s {in_parallel:11.1f}s {ratio:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cities", action="store_true", help="plan 16 cities, not serve pages")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import redis

    root = Path(tempfile.mkdtemp(prefix="onevisit-bench-cluster-"))
    create_pg_database(DATABASE, fresh=True)
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": PG_URL.format(name=DATABASE),
        "ONEVISIT_CACHE_URL": REDIS_URL,
        "ONEVISIT_KEYS_DIR": str(root / "keys"),
        "SECRET_KEY": "bench-cluster-secret-key-shared-by-every-node-0123456789",
        "ONEVISIT_CODE_LOOKUPS_PER_MINUTE": "100000000",  # counted in Redis, never refused
        "ONEVISIT_DATA_DIR": str(root / "loader"),
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if args.cities:
        plan_cities(env, args.enterprises or 80_000, args.workers)
        return
    args.enterprises = args.enterprises or 5000
    onevisit(["demo", "--no-serve", "--enterprises", str(args.enterprises)], env, quiet=True)
    shell = subprocess.run(
        [sys.executable, "-m", "onevisit", "shell", "-c", CODES],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    codes = json.loads(shell.stdout.split("CODES ", 1)[1])
    pages = {
        "/v/<code>": [f"/v/{code}" for code in codes],
        "ledger (supervisor)": ["/rectification/"],
    }
    print(
        f"PostgreSQL, demo city of {args.enterprises:,} enterprises, {len(codes)} codes; "
        f"{args.clients} client threads for {args.seconds:.0f} s per measure; "
        f"each node: gunicorn, 2 processes x 4 threads"
    )
    print(
        f"{'page':22} {'1 node req/s':>13} {'p50':>7} {'p95':>7}   {'2 nodes req/s':>13} "
        f"{'p50':>7} {'p95':>7}   {'ratio':>5}"
    )
    results: dict[str, dict[int, tuple[float, float, float]]] = {name: {} for name in pages}
    for count in (1, 2):
        with nodes(env, count, root) as urls:
            for name, paths in pages.items():
                load(paths, urls, args.clients, 2)  # warm the processes
                rate, latencies = load(paths, urls, args.clients, args.seconds)
                results[name][count] = (rate, *percentiles(latencies))
    for name, by_count in results.items():
        one, two = by_count[1], by_count[2]
        print(
            f"{name:22} {one[0]:13.0f} {one[1]:7.1f} {one[2]:7.1f}   {two[0]:13.0f} "
            f"{two[1]:7.1f} {two[2]:7.1f}   {two[0] / one[0]:5.2f}"
        )


if __name__ == "__main__":
    main()
