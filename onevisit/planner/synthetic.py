"""Seeded synthetic instances for tests and benchmarks, shaped like a city's year.

`capacity_per_week` may be fractional: each inspector gets its floor or ceiling at random,
so that a benchmark can set how much of the staff's capacity the checks need. Tasks follow the
tier rules: red enterprises get one task per quarter from a body, yellow one
per half-year, green only the occasional sampled check; windows are the quarter or half-year.
`tight` builds the small cities where capacity binds and the exact core earns its keep.
"""

from __future__ import annotations

import random
from datetime import date

from .model import Enterprise, Id, Inspector, Instance, Task

QUARTER = 13


def city(
    *,
    enterprises: int,
    bodies: int,
    tasks: int,
    inspectors: int,
    districts: int = 11,
    weeks: int = 52,
    capacity_per_week: float = 10,
    cap: int | None = 6,
    seed: int = 1,
) -> Instance:
    rng = random.Random(seed)
    body_ids: list[Id] = [f"B{b:02d}" for b in range(bodies)]
    district_ids = [f"D{d:02d}" for d in range(districts)]
    firms: dict[Id, Enterprise] = {
        f"E{e}": Enterprise(
            f"E{e}",
            rng.choice(district_ids),
            dict.fromkeys(body_ids, cap) if cap is not None else {},
        )
        for e in range(enterprises)
    }
    # a few bodies (market, environment, safety, fire) carry most checks and most inspectors:
    # staff in proportion to the checks, at least two of every body in every district
    weights = [1.0 / (1 + b) for b in range(bodies)]
    floor = 2 * districts
    low, high = 0.0, float(inspectors) / sum(weights)
    for _ in range(40):  # the largest scale at which the shares still fit the staff
        scale = (low + high) / 2
        if sum(max(floor, round(scale * w)) for w in weights) <= inspectors:
            low = scale
        else:
            high = scale
    homes: list[tuple[Id, str]] = []
    for b, body in enumerate(body_ids):
        share = max(floor, round(low * weights[b]))
        homes.extend((body, district_ids[n % districts]) for n in range(share))
    while len(homes) < inspectors:
        homes.append((body_ids[0], district_ids[len(homes) % districts]))
    staff = []
    for i, (body, home) in enumerate(homes):
        served = {home} | ({rng.choice(district_ids)} if rng.random() < 0.3 else set())
        off = frozenset(rng.sample(range(weeks), k=min(weeks, 4)))
        capacity = int(capacity_per_week) + (rng.random() < capacity_per_week % 1)
        staff.append(Inspector(f"I{i}", body, frozenset(served), capacity, off))
    firm_ids = list(firms)
    out: list[Task] = []
    for t in range(tasks):
        enterprise = rng.choice(firm_ids)
        body = rng.choices(body_ids, weights)[0]
        span = rng.choice((QUARTER, QUARTER, 2 * QUARTER, weeks))
        first = rng.randrange(0, max(1, weeks - span + 1), QUARTER) if span < weeks else 0
        last = min(weeks - 1, first + span - 1)
        kind = rng.choices(("routine", "special", "triggered", "recheck"), (85, 5, 6, 4))[0]
        items = tuple(f"{body}-item{rng.randrange(8)}" for _ in range(rng.randint(1, 3)))
        out.append(Task(f"T{t}", enterprise, body, (first, last), kind, items, len(items)))
    return Instance(date(2027, 1, 4), weeks, body_ids, firms, staff, out)


def tight(*, seed: int, enterprises: int | None = None) -> Instance:
    """A small city where capacity binds, shaped like the instances that found the planner's
    gap: 150–350 enterprises, 4–6 bodies of skewed weight, 2–3 districts, 13–26 weeks, two
    inspectors per body and district going out once or twice a week, windows from one week to
    the whole horizon."""
    rng = random.Random(seed)
    weeks = rng.randint(13, 26)
    body_ids: list[Id] = [f"B{b}" for b in range(rng.randint(4, 6))]
    district_ids = [f"D{d}" for d in range(rng.randint(2, 3))]
    count = enterprises or rng.randint(150, 350)
    firms: dict[Id, Enterprise] = {
        f"E{e}": Enterprise(f"E{e}", rng.choice(district_ids), {}) for e in range(count)
    }
    staff = [
        Inspector(
            f"{body}-{district}-{n}",
            body,
            frozenset({district}),
            rng.randint(1, 2),
            frozenset(rng.sample(range(weeks), k=rng.randint(0, 2))),
        )
        for body in body_ids
        for district in district_ids
        for n in range(2)
    ]
    weights = [1.0 / (1 + b) ** 0.7 for b in range(len(body_ids))]
    out: list[Task] = []
    for e, enterprise in enumerate(firms):
        for body in dict.fromkeys(rng.choices(body_ids, weights, k=rng.randint(1, 3))):
            width = rng.choice((1, 2, 3, 4, 6, 8, weeks))
            first = rng.randint(0, weeks - min(width, weeks))
            last = min(weeks - 1, first + width - 1)
            out.append(Task(f"T{e}-{body}", enterprise, body, (first, last)))
    return Instance(date(2027, 1, 4), weeks, body_ids, firms, staff, out)
