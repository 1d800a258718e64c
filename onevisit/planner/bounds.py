"""Counts to judge a plan by: the exact lower bound and the every-body-alone baseline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
    number."""
    windows: dict[Id, list[tuple[int, int]]] = defaultdict(list)
    for task in instance.tasks:
        windows[task.enterprise].append(task.window)
    return sum(stab_count(ws) for ws in windows.values())


def baseline_visits(instance: Instance) -> int:
    """Visits if every body planned alone: per enterprise and body, the stabbing number."""
    windows: dict[tuple[Id, Id], list[tuple[int, int]]] = defaultdict(list)
    for task in instance.tasks:
        windows[(task.enterprise, task.body)].append(task.window)
    return sum(stab_count(ws) for ws in windows.values())
