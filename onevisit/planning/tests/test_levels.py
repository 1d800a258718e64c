"""One level of each system per matter, as a pure rule (no Django)."""

from __future__ import annotations

import datetime as dt

from onevisit.planning.levels import CITY, COUNTY, LevelTask, one_level

JAN = dt.date(2027, 1, 1)


def task(
    pk: int,
    level: str,
    items: set[str],
    *,
    days: tuple[int, int] = (0, 90),
    held_by: set[str] | None = None,
    system: str = "SCJG",
    enterprise: int = 1,
) -> LevelTask:
    return LevelTask(
        id=pk,
        enterprise=enterprise,
        body=10 if level == CITY else 20,
        system=system,
        level=level,
        window=(JAN + dt.timedelta(days=days[0]), JAN + dt.timedelta(days=days[1])),
        items=frozenset(items),
        held_by=frozenset(held_by or ()),
    )


def decisions(tasks: list[LevelTask]) -> set[tuple[int, int, bool]]:
    return {(r.task, r.kept, r.by_list) for r in one_level(tasks)}


def test_it_keeps_the_lower_level_by_default_and_recognises_the_other() -> None:
    city, county = task(1, CITY, {"SCJG-001"}), task(2, COUNTY, {"SCJG-001"})
    assert decisions([city, county]) == {(1, 2, False)}


def test_it_keeps_the_level_that_the_item_list_names() -> None:
    city = task(1, CITY, {"SCJG-001"}, held_by={CITY})
    county = task(2, COUNTY, {"SCJG-001"}, held_by={CITY})
    assert decisions([city, county]) == {(2, 1, True)}


def test_it_recognises_only_the_shared_items_of_a_task_that_checks_more() -> None:
    # the city checks one more item: the city's task stands for both
    city = task(1, CITY, {"SCJG-001", "SCJG-002"})
    county = task(2, COUNTY, {"SCJG-001"})
    assert decisions([city, county]) == {(2, 1, False)}
    # each checks an item of its own: the city keeps its own and leaves the shared one
    county_other = task(3, COUNTY, {"SCJG-001", "SCJG-003"})
    [found] = one_level([city, county_other])
    assert (found.task, found.kept, found.shared, found.whole) == (
        1,
        3,
        frozenset({"SCJG-001"}),
        False,
    )


def test_it_leaves_other_periods_systems_items_and_enterprises_alone() -> None:
    city = task(1, CITY, {"SCJG-001"}, days=(0, 30))
    assert decisions([city, task(2, COUNTY, {"SCJG-001"}, days=(31, 90))]) == set()
    assert decisions([city, task(3, COUNTY, {"SCJG-002"})]) == set()
    assert decisions([city, task(4, COUNTY, {"SCJG-001"}, system="STHJ")]) == set()
    assert decisions([city, task(5, COUNTY, {"SCJG-001"}, enterprise=2)]) == set()
    assert decisions([city, task(6, CITY, {"SCJG-001"})]) == set()  # one body, one level


def test_it_recognises_each_task_once_and_never_a_kept_one() -> None:
    county = task(1, COUNTY, {"SCJG-001"})
    cities = [task(n, CITY, {"SCJG-001"}) for n in (2, 3)]
    found = one_level([*cities, county])
    assert sorted((r.task, r.kept) for r in found) == [(2, 1), (3, 1)]
