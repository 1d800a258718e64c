"""The planner on the tight family (bench/tight_family.py), beside our exact model and the bound.

For each seed and each door (none, and the default city limits of 4 bodies and 8 inspectors):
- the planner as `plan-file` runs it, with its default budget of 60 s;
- the whole exact model (`solve_exact`, the same team rule and door) for `--exact-seconds`, with
  the greedy's plan as its first solution;
- the upper bound on what any plan can place: the smaller of the planner's and the exact
  model's proven bounds.

Each row prints placed tasks for both and the ratios side by side, planner / exact and planner /
bound; the last rows summarise them. Every plan is checked with `violations`.

    uv run python bench/planner_tight.py                      # 20 seeds, both doors, ~2 h
    uv run python bench/planner_tight.py --seeds 3 --jobs 2   # a quick look
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from tight_family import family, load_of

from onevisit.planner import plan, violations
from onevisit.planner.exact import solve_exact
from onevisit.planner.greedy import Capacity, Greedy
from onevisit.planner.model import NO_DOOR, Door, Instance, Plan, Visit

DOORS = {"none": NO_DOOR, "4/8": Door(max_bodies=4, max_inspectors=8)}


@dataclass
class Row:
    seed: int
    door: str
    enterprises: int
    tasks: int
    load: float
    greedy: int
    planner: int
    planner_seconds: float
    exact: int
    exact_seconds: float
    bound: int
    most_bodies: int
    most_people: int

    @property
    def to_exact(self) -> float:
        return self.planner / self.exact if self.exact else 1.0

    @property
    def to_bound(self) -> float:
        return self.planner / self.bound if self.bound else 1.0


def run(seed: int, door_name: str, exact_seconds: float) -> Row:
    instance = family(seed, door=DOORS[door_name])
    tasks = len(instance.tasks)
    started = time.perf_counter()
    planned = plan(instance)
    planner_seconds = time.perf_counter() - started
    assert not violations(instance, planned), f"seed {seed}: the planner broke a rule"
    greedy = Greedy(instance, Capacity(instance))
    greedy.run()
    started = time.perf_counter()
    exact = solve_exact(instance, time_limit=exact_seconds, start=greedy.visits)
    exact_seconds_used = time.perf_counter() - started
    exact_placed = tasks - len(greedy.unscheduled)
    bound = tasks if planned.upper_bound_placed is None else planned.upper_bound_placed
    if exact is not None:
        checked = Plan(exact.visits, exact.unscheduled, 0, 0, "milp")
        assert not violations(instance, checked), f"seed {seed}: the exact model broke one"
        exact_placed = max(exact_placed, tasks - len(exact.unscheduled))
        bound = min(bound, tasks - exact.least_unscheduled)
    return Row(
        seed,
        door_name,
        len(instance.enterprises),
        tasks,
        load_of(instance),
        tasks - len(greedy.unscheduled),
        tasks - len(planned.unscheduled),
        planner_seconds,
        exact_placed,
        exact_seconds_used,
        bound,
        max(_bodies_per_visit(instance, planned.visits), default=0),
        max((len(v.inspectors) for v in planned.visits), default=0),
    )


def _bodies_per_visit(instance: Instance, visits: list[Visit]) -> list[int]:
    body_of = {task.id: task.body for task in instance.tasks}
    return [len({body_of[t] for t in visit.tasks}) for visit in visits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--exact-seconds", type=float, default=120.0)
    parser.add_argument("--jobs", type=int, default=1, help="instances solved at once")
    parser.add_argument("--door", choices=[*DOORS, "both"], default="both")
    args = parser.parse_args()
    doors = list(DOORS) if args.door == "both" else [args.door]
    jobs = [(seed, door) for door in doors for seed in range(args.seeds)]
    print(
        f"{'seed':>4} {'door':>5} {'ent':>4} {'tasks':>5} {'load':>5} {'greedy':>6} "
        f"{'planner':>7} {'s':>5} {'exact':>6} {'s':>5} {'bound':>5} "
        f"{'/exact':>7} {'/bound':>7} {'bodies':>6} {'people':>6}",
        flush=True,
    )
    rows: list[Row] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run, seed, door, args.exact_seconds) for seed, door in jobs]
        for future in futures:
            row = future.result()
            rows.append(row)
            print(
                f"{row.seed:>4} {row.door:>5} {row.enterprises:>4} {row.tasks:>5} "
                f"{row.load:>5.2f} {row.greedy:>6} {row.planner:>7} {row.planner_seconds:>5.0f} "
                f"{row.exact:>6} {row.exact_seconds:>5.0f} {row.bound:>5} "
                f"{row.to_exact:>7.1%} {row.to_bound:>7.1%} {row.most_bodies:>6} "
                f"{row.most_people:>6}",
                flush=True,
            )
    for door in doors:
        mine = [row for row in rows if row.door == door]
        print(
            f"door {door}: planner / exact min {min(r.to_exact for r in mine):.1%} "
            f"mean {statistics.mean(r.to_exact for r in mine):.1%}; planner / bound min "
            f"{min(r.to_bound for r in mine):.1%} "
            f"mean {statistics.mean(r.to_bound for r in mine):.1%}"
            f"; planner at or above the exact model on {sum(r.to_exact >= 1 for r in mine)} "
            f"of {len(mine)}; slowest planner {max(r.planner_seconds for r in mine):.0f} s"
        )


if __name__ == "__main__":
    main()
