"""The consolidation planner at city scale, against the every-body-alone baseline and the bound.

Scenarios (each in its own process, so that the peak memory is its own):
- city-slack: 150,000 enterprises, 40 bodies, 250,000 tasks, 2,000 inspectors, 52 weeks, with
  inspector capacity far above need;
- city-tight: the same city with capacity cut so that the checks need ≥ 90% of it;
- small-tight-N: N ≤ 2,000 enterprises, capacity as tight, where the exact MILP (HiGHS) is solved
  in the same run to compare the greedy (and the greedy with exact repair) with the optimum.

    uv run python bench/planner.py            # all scenarios, about 5 minutes on 2 cores
    uv run python bench/planner.py --only city-slack
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

from onevisit.planner import Instance, plan, solve_exact, synthetic, violations
from onevisit.planner.model import Plan

CITY = {"enterprises": 150_000, "bodies": 40, "tasks": 250_000, "inspectors": 2_000}
SMALL = {"bodies": 3, "districts": 1}
NEED = 0.92  # share of the inspectors' capacity that the checks need in the tight scenarios


def available(instance: Instance) -> int:
    return sum(
        (instance.weeks - len(inspector.unavailable_weeks)) * inspector.capacity_per_week
        for inspector in instance.inspectors
    )


def tight(shape: dict[str, int]) -> tuple[Instance, float]:
    """The instance with capacity set so that a slack plan's bookings are NEED of capacity."""
    roomy = synthetic.city(**shape, capacity_per_week=40)
    bookings = plan(roomy, repair_seconds=0).bookings
    weeks = sum(roomy.weeks - len(i.unavailable_weeks) for i in roomy.inspectors)
    per_week = bookings / (NEED * weeks)
    instance = synthetic.city(**shape, capacity_per_week=per_week)
    return instance, bookings / available(instance)


def tight_by_staff(shape: dict[str, int]) -> tuple[Instance, float]:
    """For small cities: two visits per inspector a week, and as many inspectors as make the
    checks need NEED of their capacity (fractional capacities would be too coarse here)."""
    roomy = synthetic.city(**shape, capacity_per_week=40)
    bookings = plan(roomy, repair_seconds=0).bookings
    weeks = roomy.weeks - 4  # each synthetic inspector is away four weeks
    staff = max(shape["inspectors"], round(bookings / (NEED * weeks * 2)))
    instance = synthetic.city(**{**shape, "inspectors": staff}, capacity_per_week=2)
    return instance, bookings / available(instance)


def summary(instance: Instance, result: Plan, seconds: float) -> dict[str, Any]:
    problems = violations(instance, result)
    assert not problems, problems[:3]
    placed = result.scheduled_tasks
    return {
        "tasks": len(instance.tasks),
        "on_time": placed / max(1, len(instance.tasks)),
        "visits": len(result.visits),
        "lower_bound": result.lower_bound,
        "baseline": result.baseline_visits,
        "bookings": result.bookings,
        "seconds": seconds,
        "method": result.method,
    }


def run_scenario(name: str) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    if name == "city-slack":
        instance = synthetic.city(**CITY, capacity_per_week=40)
        started = time.perf_counter()
        rows["planner"] = summary(instance, plan(instance), time.perf_counter() - started)
        rows["need"] = rows["planner"]["bookings"] / available(instance)
    elif name == "city-tight":
        instance, need = tight(CITY)
        started = time.perf_counter()
        rows["planner"] = summary(instance, plan(instance), time.perf_counter() - started)
        rows["need"] = need
    else:
        enterprises = int(name.rsplit("-", 1)[1])
        shape = {
            **SMALL,
            "enterprises": enterprises,
            "tasks": enterprises * 17 // 10,
            "inspectors": 2 * SMALL["bodies"] * SMALL["districts"],
        }
        instance, need = tight_by_staff(shape)
        rows["need"] = need
        started = time.perf_counter()
        greedy = plan(instance, repair_seconds=0)
        rows["greedy"] = summary(instance, greedy, time.perf_counter() - started)
        started = time.perf_counter()
        rows["planner"] = summary(instance, plan(instance), time.perf_counter() - started)
        started = time.perf_counter()
        exact = solve_exact(instance, time_limit=120, start=greedy.visits)
        seconds = time.perf_counter() - started
        if exact is not None:
            as_plan = Plan(
                exact.visits, exact.unscheduled, greedy.lower_bound, greedy.baseline_visits
            )
            rows["exact"] = summary(instance, as_plan, seconds)
            rows["exact"]["method"] = "milp optimal" if exact.optimal else "milp best found"
            rows["exact_variables"] = exact.variables
            rows["least_unscheduled"] = exact.least_unscheduled
    rows["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return rows


def show(name: str, rows: dict[str, Any]) -> None:
    print(
        f"\n{name}: checks need {rows['need']:.0%} of inspector capacity; "
        f"peak memory {rows['peak_mb']:,.0f} MB"
    )
    print(
        f"  {'method':18} {'tasks':>8} {'on time':>8} {'visits':>8} {'bound':>8} "
        f"{'vs bound':>8} {'baseline':>9} {'saved':>6} {'seconds':>8}"
    )
    for key in ("greedy", "planner", "exact"):
        if key not in rows:
            continue
        r = rows[key]
        gap = r["visits"] / r["lower_bound"] - 1 if r["lower_bound"] else 0.0
        saved = 1 - r["visits"] / r["baseline"] if r["baseline"] else 0.0
        print(
            f"  {r['method']:18} {r['tasks']:>8,} {r['on_time']:>8.2%} {r['visits']:>8,} "
            f"{r['lower_bound']:>8,} {gap:>+8.2%} {r['baseline']:>9,} {saved:>6.1%} "
            f"{r['seconds']:>8.1f}"
        )
    if "exact_variables" in rows:
        most = rows["exact"]["tasks"] - rows["least_unscheduled"]
        print(
            f"  (exact model: {rows['exact_variables']:,} binary variables; proven: no plan "
            f"places more than {most:,} tasks on time)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="run one scenario")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_scenario(args.child)))
        return
    names = (
        [args.only]
        if args.only
        else ["city-slack", "city-tight", "small-tight-300", "small-tight-600", "small-tight-1000"]
    )
    print(
        "baseline = visits if every body planned alone; bound = exact per-enterprise minimum "
        "(interval stabbing, capacity ignored); saved = fewer enterprise visits than baseline"
    )
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name], capture_output=True, text=True, check=True
        )
        show(name, json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
