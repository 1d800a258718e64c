"""Counts to judge a plan by: the exact lower bound on visits, the every-body-alone baseline,
and an upper bound on the tasks that can be placed at all."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from .exact import LinearModel, full_capacity, pools_of
from .model import Id, Instance


def stab_count(windows: Iterable[tuple[int, int]]) -> int:
    """The fewest weeks such that every window holds one of them (interval stabbing, exact).

    Sweeping by window end and stabbing at the end of the first window not yet hit is optimal.
    """
    count = 0
    last = -1
    for first, end in sorted(windows, key=lambda window: window[1]):
        if first > last:
            count += 1
            last = end
    return count


def lower_bound(instance: Instance) -> int:
    """Visits needed if capacity, teams and caps did not matter: per enterprise, the stabbing
    number; and, behind a door of L bodies, at least (the visits each body needs on its own,
    summed) / L, since each body comes on at least its own stabbing number of visits and a
    visit lets L bodies in."""
    windows: dict[Id, list[tuple[int, int]]] = defaultdict(list)
    per_body: dict[Id, dict[Id, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for task in instance.tasks:
        windows[task.enterprise].append(task.window)
        per_body[task.enterprise][task.body].append(task.window)
    limit = instance.door.body_limit
    total = 0
    for enterprise, spans in windows.items():
        need = stab_count(spans)
        if limit:
            body_visits = sum(stab_count(ws) for ws in per_body[enterprise].values())
            need = max(need, -(-body_visits // limit))
        total += need
    return total


def baseline_visits(instance: Instance) -> int:
    """Visits if every body planned alone: per enterprise and body, the stabbing number."""
    windows: dict[tuple[Id, Id], list[tuple[int, int]]] = defaultdict(list)
    for task in instance.tasks:
        windows[(task.enterprise, task.body)].append(task.window)
    return sum(stab_count(ws) for ws in windows.values())


def most_overlapping(windows: Iterable[tuple[int, int]]) -> int:
    """The most windows that share one week."""
    events = sorted([(first, -1) for first, _ in windows] + [(last + 1, 1) for _, last in windows])
    most = current = 0
    for _, change in events:
        current -= change
        most = max(most, current)
    return most


def capacity_bound(instance: Instance, free: list[list[int]] | None = None) -> int:
    """An upper bound on the tasks any plan places, from capacity counts.

    A task needs an inspector of its body who serves its enterprise's district. Per body, every
    visit carrying its tasks takes at least one booking of its inspectors, and one booking at an
    enterprise carries at most as many of the body's tasks there as share one week; visits that
    count against a cap are at most the cap. The bound is the best fractional use of each body's
    whole capacity under those counts (a relaxation: weekly timing and team size are ignored).
    """
    served: set[tuple[Id, Id]] = set()
    budget: dict[Id, float] = defaultdict(float)
    for index, inspector in enumerate(instance.inspectors):
        served.update((inspector.body, district) for district in inspector.districts)
        if free is not None:
            budget[inspector.body] += sum(free[index])
        else:
            weeks = sum(1 for w in range(instance.weeks) if w not in inspector.unavailable_weeks)
            budget[inspector.body] += weeks * inspector.capacity_per_week
    groups: dict[tuple[Id, Id], list[tuple[int, int]]] = defaultdict(list)
    capped: dict[tuple[Id, Id], bool] = defaultdict(lambda: True)
    for task in instance.tasks:
        if (task.body, instance.enterprises[task.enterprise].district) in served:
            groups[(task.body, task.enterprise)].append(task.window)
            capped[(task.body, task.enterprise)] &= task.counts_against_cap
    # per body: (tasks per booking, bookings that can be used that well)
    offers: dict[Id, list[tuple[int, int, int]]] = defaultdict(list)
    for (body, enterprise), windows in groups.items():
        per_booking = most_overlapping(windows)
        cap = instance.enterprises[enterprise].caps.get(body)
        bookings = stab_count(windows)
        if capped[(body, enterprise)] and cap is not None:
            bookings = min(bookings, cap)
        offers[body].append((per_booking, bookings, len(windows)))
    placed = 0.0
    for body, body_offers in offers.items():
        left = budget[body]
        for per_booking, bookings, count in sorted(body_offers, reverse=True):
            use = min(left, float(bookings), count / per_booking)
            placed += use * per_booking
            left -= use
            if left <= 0:
                break
    return int(placed + 1e-9)


def weekly_bound(
    instance: Instance, free: list[list[int]] | None = None, time_limit: float = 60.0
) -> int | None:
    """An upper bound on the tasks any plan places, from each body's capacity week by week.

    Per body, a linear programme: each pool of its inspectors (same districts) offers its free
    capacity each week to the districts it serves; a task is placed in a week of its window by a
    booking in its district, and one booking at an enterprise carries at most as many of the
    body's tasks there as share one week (half as many where no other body has a task there:
    such a visit takes two of the body's inspectors). Every plan is a solution, so the optimum
    bounds it. Caps and the weekly limit of one visit per enterprise are left out, which only
    loosens the bound. None when an LP did not
    finish in `time_limit` seconds.
    """
    free = free if free is not None else full_capacity(instance)
    groups: dict[tuple[Id, Id], list[tuple[int, int]]] = defaultdict(list)
    for task in instance.tasks:
        groups[(task.body, task.enterprise)].append(task.window)
    bodies_at: dict[Id, set[Id]] = defaultdict(set)
    for body, enterprise in groups:
        bodies_at[enterprise].add(body)
    classes: dict[Id, Counter[tuple[Id, tuple[int, int], float]]] = defaultdict(Counter)
    for (body, enterprise), windows in groups.items():
        # where the body is the only one with tasks, each visit takes two of its inspectors
        alone = len(bodies_at[enterprise]) == 1
        per_booking = most_overlapping(windows) / (2 if alone else 1)
        district = instance.enterprises[enterprise].district
        for window in windows:
            classes[body][(district, window, per_booking)] += 1
    pools_by_body: dict[Id, list[tuple[frozenset[Id], list[int]]]] = defaultdict(list)
    for (body, districts), members in pools_of(instance.inspectors).items():
        pools_by_body[body].append((districts, members))
    total = 0.0
    for body, counts in classes.items():
        value = _body_weekly(instance.weeks, counts, pools_by_body[body], free, time_limit)
        if value is None:
            return None
        total += value
    return int(total + 1e-6)


def _body_weekly(
    weeks: int,
    counts: Counter[tuple[Id, tuple[int, int], float]],
    pools: list[tuple[frozenset[Id], list[int]]],
    free: list[list[int]],
    time_limit: float,
) -> float | None:
    model = LinearModel()
    wanted = {district for district, _, _ in counts}
    supply: dict[tuple[Id, int], list[int]] = defaultdict(list)
    for districts, members in pools:
        for week in range(weeks):
            capacity = sum(free[i][week] for i in members)
            offers = [
                model.var(0.0, upper=capacity) for _ in (districts & wanted if capacity > 0 else ())
            ]
            for district, offer in zip(sorted(districts & wanted, key=str), offers, strict=False):
                supply[(district, week)].append(offer)
            if len(offers) > 1:
                model.row([(offer, 1.0) for offer in offers], -np.inf, capacity)
    demand: dict[tuple[Id, int], list[int]] = defaultdict(list)
    for (district, (first, last), per_booking), count in counts.items():
        bookings = count / per_booking
        uses = []
        for week in range(first, last + 1):
            if (district, week) in supply:
                use = model.var(-per_booking, upper=bookings)
                demand[(district, week)].append(use)
                uses.append(use)
        if len(uses) > 1:
            model.row([(use, 1.0) for use in uses], -np.inf, bookings)
    for key, uses in demand.items():
        model.row([(use, 1.0) for use in uses] + [(o, -1.0) for o in supply[key]], -np.inf, 0)
    value = model.relaxed(time_limit)
    return None if value is None else -value
