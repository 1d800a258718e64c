"""The verifiable draw: RFC 3797's own example, the SHA-256 variant, strata, teams, tampering."""

from __future__ import annotations

import copy
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onevisit.sortition import (
    Conflict,
    DrawError,
    TeamMember,
    assign_teams,
    draw,
    draw_strata,
    key_string,
    pool_sha256,
    stratum_sizes,
    verify_record,
)
from onevisit.sortition.records import Mismatch

# RFC 3797 section 6: 25 volunteers, 10 selected, three seed sources.
RFC_POOL = [
    "John",
    "Mary",
    "Bashful",
    "Dopey",
    "Sleepy",
    "Grouchy",
    "Doc",
    "Sneazy",
    "Handsome",
    "Cassandra",
    "Pollyanna",
    "Pendragon",
    "Pandora",
    "Faith",
    "Hope",
    "Charity",
    "Lee",
    "Longsuffering",
    "Chastity",
    "Smith",
    "Pride",
    "Sloth",
    "Envy",
    "Anger",
    "Kasczynski",
]
RFC_SOURCES: list[Any] = [9319, [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]]
RFC_KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"
RFC_SELECTED = [
    "Lee",
    "Doc",
    "Mary",
    "Charity",
    "Kasczynski",
    "Envy",
    "Sneazy",
    "Anger",
    "Chastity",
    "Pandora",
]


def test_it_reproduces_the_worked_example_of_rfc_3797() -> None:
    assert key_string(RFC_SOURCES) == RFC_KEY
    first = hashlib.md5(b"\x00\x00" + RFC_KEY.encode() + b"\x00\x00").hexdigest()  # noqa: S324
    assert first.upper() == "990DD0A5692A029A98B5E01AA28F3459"
    assert draw(RFC_POOL, 10, RFC_KEY, "rfc3797") == RFC_SELECTED


def test_it_accepts_a_minimal_record_and_names_the_first_tampered_field() -> None:
    record = {
        "algorithm": "rfc3797",
        "pool": RFC_POOL,
        "key": RFC_KEY,
        "count": 10,
        "selected": RFC_SELECTED,
    }
    verify_record(record)
    tampered: list[tuple[str, Any, str]] = [
        ("selected", [*RFC_SELECTED[:-1], "Smith"], "selected"),
        ("count", 9, "count"),
        ("pool", [*RFC_POOL[:-1], "Kaczynski"], "selected"),
        ("key", RFC_KEY.replace("9319", "9318"), "selected"),
        ("algorithm", "sha256-v1", "selected"),
    ]
    for field, value, named in tampered:
        bad = {**record, field: value}
        with pytest.raises(Mismatch) as caught:
            verify_record(bad)
        assert caught.value.field == named, field
    with pytest.raises(Mismatch) as caught:
        verify_record({**record, "sources": [9319, [2, 5, 12, 8, 11], RFC_SOURCES[2]]})
    assert caught.value.field == "key"
    with pytest.raises(Mismatch) as caught:
        verify_record({**record, "pool_sha256": pool_sha256(RFC_POOL[1:])})
    assert caught.value.field == "pool_sha256"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=60, unique=True), st.data())
def test_it_draws_distinct_members_of_the_pool_deterministically(
    pool: list[str], data: Any
) -> None:
    count = data.draw(st.integers(0, len(pool)))
    key = data.draw(st.text(min_size=1, max_size=20))
    chosen = draw(pool, count, key)
    assert len(chosen) == len(set(chosen)) == count
    assert set(chosen) <= set(pool)
    assert draw(pool, count, key) == chosen
    assert draw(pool, len(pool), key)[:count] == chosen  # a longer draw starts the same way


def test_it_draws_each_stratum_independently_with_sizes_rounded_up() -> None:
    strata = {"371502": [f"A{n:03d}" for n in range(41)], "371581": [f"B{n:03d}" for n in range(7)]}
    sizes = stratum_sizes(strata, "0.05")
    assert sizes == {"371502": 3, "371581": 1}
    assert stratum_sizes(strata, "0.05", cap=2) == {"371502": 2, "371581": 1}
    drawn = draw_strata(strata, sizes, "k./")
    smaller = draw_strata({"371502": strata["371502"]}, {"371502": 3}, "k./")
    assert drawn["371502"] == smaller["371502"]
    for bad in ("0", "1.5", "-0.1"):
        with pytest.raises(DrawError):
            stratum_sizes(strata, bad)
    with pytest.raises(DrawError, match="empty"):
        stratum_sizes({**strata, "371503": []}, "0.05")


def test_it_refuses_impossible_draws() -> None:
    with pytest.raises(DrawError):
        draw(["a", "b"], 3, "k./")
    with pytest.raises(DrawError):
        draw(["a", "a"], 1, "k./")
    with pytest.raises(DrawError):
        draw(["a"], 1, "")
    with pytest.raises(DrawError, match="65,535"):
        draw([str(n) for n in range(70000)], 1, "k./", "rfc3797")


INSPECTORS = [TeamMember(f"I{n}", frozenset({"371581"})) for n in range(5)]


def test_it_draws_teams_skipping_conflicts_and_balancing_load() -> None:
    selected = ["E1", "E2", "E3", "E4", "E5"]
    districts = dict.fromkeys(selected, "371581")
    conflicts = [
        Conflict("I0", "E1", "declared relation (亲属任职)"),
        Conflict("I4", "*", "certificate expired"),
    ]
    teams = assign_teams(selected, districts, INSPECTORS, conflicts, "k./")
    assert ("I0", "declared relation (亲属任职)") in teams[0].skipped
    assert all("I4" not in a.team for a in teams)
    assert "I0" not in teams[0].team
    loads = [sum(i in a.team for a in teams) for i in ("I0", "I1", "I2", "I3")]
    assert max(loads) - min(loads) <= 1  # 10 places over 4 inspectors
    with pytest.raises(DrawError, match="cannot be formed"):
        assign_teams(
            ["E9"],
            {"E9": "371581"},
            INSPECTORS[:2],
            [Conflict("I1", "E9", "inspected it within 12 months")],
            "k./",
        )


def test_it_names_the_first_differing_positions_and_any_unusable_source() -> None:
    record = {
        "algorithm": "rfc3797",
        "pool": RFC_POOL,
        "key": RFC_KEY,
        "count": 10,
        "selected": [*RFC_SELECTED[:3], "Smith", *RFC_SELECTED[4:]],
    }
    with pytest.raises(Mismatch) as caught:
        verify_record(record)
    assert (caught.value.field, caught.value.positions) == ("selected", (3,))
    for odd in (1.25, {"draw": 7}, [1, "2"], True):
        with pytest.raises(Mismatch) as caught:
            verify_record({**record, "sources": [9319, odd]})
        assert (caught.value.field, caught.value.positions) == ("sources", (1,)), odd


def test_it_verifies_a_full_record_and_catches_an_edited_team() -> None:
    strata = {"371581": [f"91371581MA{n:08d}" for n in range(30)]}
    sizes = stratum_sizes(strata, "0.1")
    drawn = draw_strata(strata, sizes, RFC_KEY)
    selected = drawn["371581"]
    districts = dict.fromkeys(selected, "371581")
    assignments = assign_teams(selected, districts, INSPECTORS, [], RFC_KEY)
    record: dict[str, Any] = {
        "algorithm": "sha256-v1",
        "sources": RFC_SOURCES,
        "key": RFC_KEY,
        "pool": strata["371581"],
        "pool_sha256": pool_sha256(strata["371581"]),
        "ratio": "0.1",
        "count": 3,
        "selected": selected,
        "strata": [{"name": "371581", "pool": strata["371581"], "count": 3, "selected": selected}],
        "teams": {
            "team_size": 2,
            "districts": districts,
            "conflicts": [],
            "inspectors": [{"id": i.id, "districts": sorted(i.districts)} for i in INSPECTORS],
            "assignments": [
                {"candidate": a.candidate, "team": list(a.team), "skipped": []} for a in assignments
            ],
        },
    }
    verify_record(record)
    edited = copy.deepcopy(record)
    edited["teams"]["assignments"][1]["team"].reverse()
    with pytest.raises(Mismatch) as caught:
        verify_record(edited)
    assert caught.value.field == "teams.assignments[1]"
    edited = copy.deepcopy(record)
    edited["strata"][0]["count"] = 4
    with pytest.raises(Mismatch) as caught:
        verify_record(edited)
    assert caught.value.field == "strata[0].count"


ORACLE_SOURCES: list[list[Any]] = [
    RFC_SOURCES,
    [9319, "2660664f…d3"],  # a string: upper case, letters and digits only
    ["Číslo výhry: 12-34", [3, 1, 2]],  # accents dropped, punctuation removed
    [Decimal("1.25"), Decimal("0.1"), 7],
    [1.25, [Decimal("2.50"), 10, Decimal("0.75")], 100],
    [Decimal("2.0"), 0, Decimal("100")],
]


@pytest.mark.parametrize("sources", ORACLE_SOURCES)
def test_it_writes_the_key_string_as_votelib_does(sources: list[Any]) -> None:
    """votelib's RFC3797Selector (a maintained implementation of RFC 3797) is the oracle."""
    from votelib.evaluate.auxiliary import RFC3797Selector

    expected = RFC3797Selector.source_bytestring(sources).decode("ascii")
    assert key_string(sources) == expected


def test_it_selects_as_votelib_does() -> None:
    from votelib.evaluate.auxiliary import RFC3797Selector

    sources: list[Any] = [9319, "2660664F", [Decimal("1.25"), 3]]
    selector = RFC3797Selector(sources)
    expected = selector.evaluate(dict.fromkeys(RFC_POOL, 1), n_seats=10)
    assert draw(RFC_POOL, 10, key_string(sources), "rfc3797") == expected


def test_it_writes_every_number_in_decimal_digits() -> None:
    # where votelib writes str(): a binary float as its exact expansion, 1E+2 in exponent form
    assert key_string([0.1, [2.5, 1.0]]) == "0.1/1.2.5/"
    assert key_string([Decimal("1E+2")]) == "100./"


def test_it_keeps_verifying_records_made_under_the_earlier_key_rule() -> None:
    legacy: list[Any] = ["双色球第2027015期", [3, 1]]
    key = "双色球第2027015期./1.3./"
    assert key_string(legacy, "onevisit-v1") == key
    record: dict[str, Any] = {
        "algorithm": "rfc3797",
        "pool": RFC_POOL,
        "sources": legacy,
        "key": key,
        "count": 3,
        "selected": draw(RFC_POOL, 3, key, "rfc3797"),
    }
    verify_record(record)  # no key_rule: made under onevisit-v1
    with pytest.raises(Mismatch) as caught:
        verify_record({**record, "key_rule": "rfc3797"})
    assert caught.value.field == "key"
    current = {**record, "key_rule": "rfc3797", "key": "2027015/1.3./"}
    current["selected"] = draw(RFC_POOL, 3, current["key"], "rfc3797")
    verify_record(current)


def test_it_refuses_a_seed_that_is_not_a_finite_number() -> None:
    for odd in (float("nan"), float("inf"), Decimal("NaN"), True):
        with pytest.raises(DrawError):
            key_string([odd])
