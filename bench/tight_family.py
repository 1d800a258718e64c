"""The tight family: small cities where the inspectors' capacity binds.

Every instance of the family has the shape that `onevisit plan-file` reads:
- 150–400 enterprises, 4–6 bodies of skewed weight, 2–3 districts, a horizon of 13–26 weeks;
- two inspectors of every body in every district, each going out once or twice a week;
- a bundle of 1–4 tasks per enterprise (one body may come back with another window), with
  windows mixed from one week to the whole horizon;
- a load of 0.7–1.2 of the inspectors' capacity: the bookings the enterprises need if each
  body came once per window group (and a body alone brings two inspectors), over the bookings
  the inspectors can make.

The same seed always gives the same instance; `door` adds the limits on who comes to the door.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from onevisit.planner.bounds import stab_count
from onevisit.planner.model import NO_DOOR, Door, Enterprise, Id, Inspector, Instance, Task

ENTERPRISES = (150, 400)
LOAD = (0.7, 1.2)
WIDTHS = (1, 2, 3, 4, 6, 8, 13)


def bookings_needed(tasks: list[Task]) -> int:
    """One booking per body per window group at each enterprise; two for a body alone."""
    windows: dict[Id, dict[Id, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for task in tasks:
        windows[task.enterprise][task.body].append(task.window)
    need = 0
    for by_body in windows.values():
        need += sum(stab_count(spans) for spans in by_body.values())
        if len(by_body) == 1:
            need += 1
    return need


def _bundle(
    rng: random.Random, enterprise: Id, bodies: list[Id], weights: list[float], weeks: int
) -> list[Task]:
    tasks = []
    for n in range(rng.randint(1, 4)):
        body = rng.choices(bodies, weights)[0]
        width = min(weeks, rng.choice((*WIDTHS, weeks)))
        first = rng.randint(0, weeks - width)
        tasks.append(Task(f"{enterprise}-{n}", enterprise, body, (first, first + width - 1)))
    return tasks


def family(seed: int, *, door: Door = NO_DOOR) -> Instance:
    rng = random.Random(seed)
    while True:
        weeks = rng.randint(13, 26)
        bodies: list[Id] = [f"B{b}" for b in range(rng.randint(4, 6))]
        weights = [1.0 / (1 + b) ** 0.7 for b in range(len(bodies))]
        districts = [f"D{d}" for d in range(rng.randint(2, 3))]
        staff = [
            Inspector(f"{body}-{district}-{n}", body, frozenset({district}), rng.randint(1, 2))
            for body in bodies
            for district in districts
            for n in range(2)
        ]
        capacity = weeks * sum(inspector.capacity_per_week for inspector in staff)
        load = rng.uniform(*LOAD)
        enterprises: dict[Id, Enterprise] = {}
        tasks: list[Task] = []
        while bookings_needed(tasks) < load * capacity and len(enterprises) <= ENTERPRISES[1]:
            enterprise = f"E{len(enterprises)}"
            enterprises[enterprise] = Enterprise(enterprise, rng.choice(districts), {})
            tasks.extend(_bundle(rng, enterprise, bodies, weights, weeks))
        if ENTERPRISES[0] <= len(enterprises) <= ENTERPRISES[1]:
            return Instance(date(2027, 1, 4), weeks, bodies, enterprises, staff, tasks, door)


def load_of(instance: Instance) -> float:
    capacity = instance.weeks * sum(i.capacity_per_week for i in instance.inspectors)
    return bookings_needed(instance.tasks) / capacity
