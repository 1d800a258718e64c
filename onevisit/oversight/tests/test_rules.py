"""The warning rules on constructed histories, without Django."""

from __future__ import annotations

import datetime as dt

from onevisit.oversight.rules import (
    Rating,
    VisitFact,
    low_evaluations,
    multi_headed,
    over_cap,
    repeated,
    without_code,
)

D = dt.date(2026, 3, 1)
MARKET, ECOLOGY, SAFETY = 1, 2, 3


def visit(
    n: int, day: int, *bodies: int, enterprise: int = 10, exempt: bool = False, code: bool = True
) -> VisitFact:
    return VisitFact(
        visit_id=n,
        enterprise_id=enterprise,
        day=D + dt.timedelta(days=day),
        bodies=frozenset(bodies),
        counted=frozenset() if exempt else frozenset(bodies),
        code_before_entry=code,
    )


def test_it_flags_separate_visits_of_two_bodies_within_thirty_days() -> None:
    found = multi_headed([visit(1, 0, MARKET), visit(2, 12, ECOLOGY), visit(3, 45, SAFETY)], 30)
    assert [(c.kind, c.visit_ids) for c in found] == [("multi_headed", (1, 2))]


def test_it_does_not_flag_one_joint_visit_or_a_body_coming_back() -> None:
    assert multi_headed([visit(1, 0, MARKET, ECOLOGY)], 30) == []
    assert multi_headed([visit(1, 0, MARKET), visit(2, 5, MARKET)], 30) == []


def test_it_ignores_exempt_visits_for_multi_headed_and_repeated() -> None:
    history = [
        visit(1, 0, MARKET),
        visit(2, 3, ECOLOGY, exempt=True),
        visit(3, 9, MARKET, exempt=True),
    ]
    assert multi_headed(history, 30) == []
    assert repeated(history, 60) == []


def test_it_keeps_the_group_key_while_a_group_grows() -> None:
    before = multi_headed([visit(1, 0, MARKET), visit(2, 10, ECOLOGY)], 30)
    after = multi_headed([visit(1, 0, MARKET), visit(2, 10, ECOLOGY), visit(3, 20, SAFETY)], 30)
    assert before[0].fingerprint == after[0].fingerprint
    assert after[0].visit_ids == (1, 2, 3)


def test_it_flags_the_same_body_back_within_sixty_days() -> None:
    found = repeated([visit(1, 0, MARKET), visit(2, 59, MARKET), visit(3, 200, MARKET)], 60)
    assert [c.visit_ids for c in found] == [(1, 2)]
    assert found[0].body_id == MARKET


def test_it_flags_visits_over_the_cap_per_calendar_year() -> None:
    history = [visit(n, n * 20, MARKET) for n in range(1, 6)]  # five in 2026
    found = over_cap(history, {(MARKET, 10): 4})
    assert len(found) == 1 and found[0].visit_ids == (1, 2, 3, 4, 5)
    assert over_cap(history, {(MARKET, 10): 5}) == []
    assert over_cap(history, {}) == []


def test_it_flags_a_visit_without_a_code_before_entry() -> None:
    found = without_code([visit(1, 0, MARKET), visit(2, 1, MARKET, code=False)])
    assert [c.visit_ids for c in found] == [(2,)]


def test_it_flags_low_evaluations() -> None:
    found = low_evaluations([Rating(1, 10, MARKET, 2.0), Rating(2, 10, MARKET, 4.3)], 2.5)
    assert [c.visit_ids for c in found] == [(1,)]


def checked(n: int, day: int, *matters: tuple[str, int], days: int = 365) -> VisitFact:
    """A visit checking (item code, body) pairs of the SCJG system."""
    bodies = frozenset(body for _code, body in matters)
    return VisitFact(
        visit_id=n,
        enterprise_id=10,
        day=D + dt.timedelta(days=day),
        bodies=bodies,
        counted=bodies,
        matters=frozenset(("SCJG", code, body, days) for code, body in matters),
    )


CITY_MARKET, COUNTY_MARKET = 1, 4


def test_it_flags_two_levels_of_one_system_checking_one_item_while_the_first_result_stands() -> (
    None
):
    history = [
        checked(1, 0, ("SCJG-002", CITY_MARKET)),
        checked(2, 100, ("SCJG-002", COUNTY_MARKET)),
    ]
    [found] = repeated(history, 60)
    assert (found.kind, found.body_id, found.visit_ids) == ("repeated", COUNTY_MARKET, (1, 2))
    assert found.facts["item"] == "SCJG-002" and found.facts["days"] == 100
    # beyond the item's recognition window, or another item: no repetition
    assert repeated([history[0], checked(3, 400, ("SCJG-002", COUNTY_MARKET))], 60) == []
    assert repeated([history[0], checked(4, 10, ("SCJG-009", COUNTY_MARKET))], 60) == []


def test_it_flags_two_levels_of_one_system_in_one_visit() -> None:
    [found] = repeated([checked(1, 0, ("SCJG-002", CITY_MARKET), ("SCJG-002", COUNTY_MARKET))], 60)
    assert found.visit_ids == (1,)
