"""The GB/T 4754-2017 table at all four levels, and where it is enforced."""

from __future__ import annotations

from collections import Counter

import pytest

from onevisit.registry import industries
from onevisit.registry.identifiers import InvalidIdentifier
from onevisit.registry.industries import check_enterprise_code, check_target, industry_targets
from onevisit.registry.models import Industry


def test_it_ships_every_level_of_the_standard() -> None:
    levels = Counter(entry.level for entry in industries.table().values())
    assert levels == {"section": 20, "division": 97, "group": 473, "class": 1381}


def test_it_nests_every_code_under_its_parent() -> None:
    table = industries.table()
    for code, entry in table.items():
        if entry.level == "section":
            assert entry.parent == ""
        elif entry.level == "division":
            assert table[entry.parent].level == "section"
        else:
            assert code.startswith(entry.parent) and len(entry.parent) == len(code) - 1
    assert industries.name_of("3451") == "滚动轴承制造"
    assert industries.name_of("374") == "航空、航天器及设备制造"
    assert industries.section_of("3451") == "C"


@pytest.mark.django_db
def test_it_keeps_the_database_sections_and_divisions_equal_to_the_table() -> None:
    table = industries.table()
    stored = {i.code: (i.name, i.section_id or "") for i in Industry.objects.all()}
    assert stored == {
        code: (entry.name, entry.parent) for code, entry in table.items() if len(code) <= 2
    }


@pytest.mark.parametrize("raw", ["C3451", "3451", "34", "c3451", "F5211", "0111"])
def test_it_accepts_the_classes_and_divisions_of_the_table(raw: str) -> None:
    division, full = check_enterprise_code(raw)
    assert full.startswith(division)


@pytest.mark.parametrize("raw", ["3400", "6000", "0100", "B3451", "99", "345"])
def test_it_refuses_codes_that_the_table_does_not_hold(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        check_enterprise_code(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("C", "C"), ("c26", "C26"), ("263", "C263"), ("C2631", "C2631"), ("5211", "F5211")],
)
def test_it_lets_lists_and_rules_target_any_level(raw: str, expected: str) -> None:
    assert check_target(raw) == expected


@pytest.mark.parametrize("raw", ["C2", "3400", "B26", "U", "C26311", ""])
def test_it_refuses_targets_outside_the_table(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        check_target(raw)


def test_it_normalises_a_typed_list_of_targets() -> None:
    assert industry_targets("C26, 3451；F52 c26") == "C26,C3451,F52"
