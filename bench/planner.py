"""The consolidation planner: at city scale, and on small cities where capacity binds.

Scenarios (each in its own process, so that the peak memory is its own):
- city-slack: 150,000 enterprises, 40 bodies, 250,000 tasks, 2,000 inspectors, 52 weeks, with
  inspector capacity far above need;
- city-tight: the same city with capacity cut so that the checks need ≥ 90 % of it;
- tight-SEED: one small city from `synthetic.tight` (150–350 enterprises, 4–6 skewed bodies,
  2–3 districts, 13–26 weeks, two inspectors per body and district going out once or twice a
  week, windows of one week to the whole horizon).

Each row shows placed tasks, the planner's upper bound on what any plan can place under the same
rules, visits and seconds, for the greedy alone, the planner, and, with `--previous DIR` (a
checkout of an earlier onevisit with its own `.venv`), that checkout's `onevisit plan-file` on the
same instance file.

    uv run python bench/planner.py                      # all scenarios, about 25 minutes
    uv run python bench/planner.py --only tight-3 --previous /tmp/old
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from onevisit.planner import Instance, instance_to_dict, plan, synthetic, violations
from onevisit.planner.model import Plan

CITY = {"enterprises": 150_000, "bodies": 40, "tasks": 250_000, "inspectors": 2_000}
NEED = 0.92  # share of the inspectors' capacity that the checks need in city-tight
TIGHT_SEEDS = range(16)
# the planner's budget for its exact core in this benchmark (the target is a minute)
SECONDS = 45.0


def available(instance: Instance) -> int:
    return sum(
        (instance.weeks - len(inspector.unavailable_weeks)) * inspector.capacity_per_week
        for inspector in instance.inspectors
    )


def tight_city() -> tuple[Instance, float]:
    """The city with capacity set so that a slack plan's bookings are NEED of capacity."""
    roomy = synthetic.city(**CITY, capacity_per_week=40)
    bookings = plan(roomy, repair_seconds=0).bookings
    weeks = sum(roomy.weeks - len(i.unavailable_weeks) for i in roomy.inspectors)
    instance = synthetic.city(**CITY, capacity_per_week=bookings / (NEED * weeks))
    return instance, bookings / available(instance)


def summary(instance: Instance, result: Plan, seconds: float) -> dict[str, Any]:
    problems = violations(instance, result)
    assert not problems, problems[:3]
    return {
        "method": result.method,
        "placed": result.scheduled_tasks,
        "upper": result.upper_bound_placed,
        "visits": len(result.visits),
        "seconds": seconds,
    }


def previous(checkout: str, instance: Instance) -> dict[str, Any]:
    """The earlier checkout's planner on the same instance, through its plan-file command."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.json", Path(folder) / "out.json"
        source.write_text(json.dumps(instance_to_dict(instance)))
        started = time.perf_counter()
        subprocess.run(
            [f"{checkout}/.venv/bin/onevisit", "plan-file", str(source), str(target)],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
        out = json.loads(target.read_text())
    placed = len(instance.tasks) - len(out["unscheduled"])
    return {
        "method": "previous: " + out["method"],
        "placed": placed,
        "upper": None,
        "visits": len(out["visits"]),
        "seconds": seconds,
    }


def run_scenario(name: str, checkout: str | None) -> dict[str, Any]:
    if name == "city-slack":
        instance = synthetic.city(**CITY, capacity_per_week=40)
        need = None
    elif name == "city-tight":
        instance, need = tight_city()
    else:
        instance = synthetic.tight(seed=int(name.rsplit("-", 1)[1]))
        need = None
    rows: dict[str, Any] = {
        "tasks": len(instance.tasks),
        "enterprises": len(instance.enterprises),
        "need": need,
        "lower_bound": None,
    }
    if checkout:
        rows["previous"] = previous(checkout, instance)
    started = time.perf_counter()
    greedy = plan(instance, repair_seconds=0)
    rows["greedy"] = summary(instance, greedy, time.perf_counter() - started)
    rows["lower_bound"] = greedy.lower_bound
    started = time.perf_counter()
    rows["planner"] = summary(
        instance, plan(instance, repair_seconds=SECONDS), time.perf_counter() - started
    )
    rows["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return rows


def show(name: str, rows: dict[str, Any]) -> None:
    need = f"; checks need {rows['need']:.0%} of capacity" if rows["need"] else ""
    print(
        f"\n{name}: {rows['enterprises']:,} enterprises, {rows['tasks']:,} tasks{need}; "
        f"visit lower bound {rows['lower_bound']:,}; peak memory {rows['peak_mb']:,.0f} MB"
    )
    print(
        f"  {'method':34} {'placed':>8} {'share':>7} {'at most':>8} {'gap':>6} {'visits':>8} "
        f"{'seconds':>8}"
    )
    upper = rows["planner"]["upper"]
    for key in ("greedy", "previous", "planner"):
        if key not in rows:
            continue
        r = rows[key]
        gap = f"{upper - r['placed']:>6,}" if upper is not None else f"{'':>6}"
        print(
            f"  {r['method']:34} {r['placed']:>8,} {r['placed'] / rows['tasks']:>7.2%} "
            f"{upper if upper is not None else '':>8} {gap} {r['visits']:>8,} "
            f"{r['seconds']:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="run one scenario")
    parser.add_argument("--previous", help="a checkout of an earlier onevisit to compare with")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_scenario(args.child, args.previous)))
        return
    names = (
        [args.only]
        if args.only
        else ["city-slack", "city-tight", *(f"tight-{seed}" for seed in TIGHT_SEEDS)]
    )
    print(
        "placed = tasks placed on time; at most = the planner's upper bound on what any plan "
        "places under the same rules (proven optimum where the gap is 0); gap = at most − placed"
    )
    for name in names:
        command = [sys.executable, __file__, "--child", name]
        if args.previous:
            command += ["--previous", args.previous]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        show(name, json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
