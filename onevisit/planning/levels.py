"""One level of each system per matter: the rule that keeps a city and a county body of the same
system (e.g. 聊城市市场监督管理局 and 茌平区市场监督管理局) from both checking one enterprise
for the same item in one period. No Django: plain facts in, decisions out.

Two tasks meet the rule when they are of the same enterprise, of two bodies of one system,
their windows overlap, and they share an item (the county lists carry the city's item codes:
市县两级通用清单, so a shared code is the same matter). One is kept:
- the task of the level that the shared items say holds the check, if they name one level;
- else the task of the lower level (the county), which is nearer the enterprise.

The other is recognised (结果互认): its check is the kept task's. A task is recognised whole when
every item it carries is carried by the kept one; where the kept task covers less, the task that
covers every item of the other is kept instead; and where each carries an item of its own, the
other keeps its own items and only the shared ones are recognised (`whole` is False), so that the
two levels never check the same item in the same period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

CITY, COUNTY = "city", "county"
LOWER_FIRST = {COUNTY: 0, CITY: 1}


@dataclass(frozen=True)
class LevelTask:
    id: int
    enterprise: int
    body: int
    system: str
    level: str  # CITY or COUNTY
    window: tuple[dt.date, dt.date]
    items: frozenset[str]  # item codes
    held_by: frozenset[str] = frozenset()  # levels the task's items name as holding the check


@dataclass(frozen=True)
class Recognised:
    task: int
    kept: int
    shared: frozenset[str]
    by_list: bool  # the item list names the kept level (else: the lower level by default)
    whole: bool = True  # else only the shared items are recognised; the task keeps the rest


def one_level(tasks: list[LevelTask]) -> list[Recognised]:
    """The tasks to recognise, each with the task kept in its place."""
    groups: dict[tuple[int, str], list[LevelTask]] = defaultdict(list)
    for task in tasks:
        groups[(task.enterprise, task.system)].append(task)
    found: list[Recognised] = []
    for group in groups.values():
        if len({task.body for task in group}) > 1:
            found.extend(_within(group))
    return found


def _within(group: list[LevelTask]) -> list[Recognised]:
    recognised: dict[int, Recognised] = {}
    left = {task.id: task.items for task in group}  # the items each task still checks
    ordered = sorted(group, key=lambda t: (LOWER_FIRST.get(t.level, 2), t.window, t.id))
    for a_index, a in enumerate(ordered):
        for b in ordered[a_index + 1 :]:
            if _whole(recognised, a.id) or _whole(recognised, b.id):
                continue
            if a.body == b.body or a.level == b.level or not _overlap(a, b):
                continue
            a_now, b_now = _with(a, left[a.id]), _with(b, left[b.id])
            shared = a_now.items & b_now.items
            if not shared:
                continue
            decided = _decide(a_now, b_now, shared)
            left[decided.task] = left[decided.task] - shared
            earlier = recognised.get(decided.task)
            if earlier is not None and not earlier.whole:
                decided = Recognised(
                    decided.task,
                    decided.kept,
                    earlier.shared | shared,
                    decided.by_list,
                    whole=not left[decided.task],
                )
            recognised[decided.task] = decided
    return list(recognised.values())


def _whole(recognised: dict[int, Recognised], task: int) -> bool:
    found = recognised.get(task)
    return found is not None and found.whole


def _with(task: LevelTask, items: frozenset[str]) -> LevelTask:
    return LevelTask(
        task.id,
        task.enterprise,
        task.body,
        task.system,
        task.level,
        task.window,
        items,
        task.held_by,
    )


def _decide(a: LevelTask, b: LevelTask, shared: frozenset[str]) -> Recognised:
    held = {level for task in (a, b) for level in task.held_by}
    by_list = len(held) == 1
    if by_list:
        first, second = (a, b) if a.level in held else (b, a)
    else:
        first, second = sorted((a, b), key=lambda t: LOWER_FIRST.get(t.level, 2))
    if second.items <= first.items:
        return Recognised(second.id, first.id, shared, by_list)
    if first.items <= second.items:
        # the preferred level covers less than the other: the other's check stands for both
        return Recognised(first.id, second.id, shared, False)
    # each checks an item of its own: the other level keeps its own and leaves the shared ones
    return Recognised(second.id, first.id, shared, by_list, whole=False)


def _overlap(a: LevelTask, b: LevelTask) -> bool:
    return a.window[0] <= b.window[1] and b.window[0] <= a.window[1]
