"""The holidays the law fixes (全国年节及纪念日放假办法), for years without a State Council notice.
Pure: no database."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from onevisit.workdays.statutory import revision_for, statutory_off_days, weekday_off_days

D = dt.date


def test_it_gives_the_seven_weekday_holidays_the_law_fixes_for_2027() -> None:
    by_law = {o.date for o in statutory_off_days(2027) if not o.in_lieu and o.date.weekday() < 5}
    assert by_law == {
        D(2027, 1, 1),
        D(2027, 2, 5),  # 除夕
        D(2027, 2, 8),  # 正月初三
        D(2027, 4, 5),  # 清明
        D(2027, 6, 9),  # 端午
        D(2027, 9, 15),  # 中秋
        D(2027, 10, 1),
    }


def test_it_owes_a_weekday_after_the_festival_for_each_holiday_on_a_weekend() -> None:
    in_lieu = {o.date: o.name for o in statutory_off_days(2027) if o.in_lieu}
    assert in_lieu == {
        D(2027, 2, 9): "春节",  # 初一 and 初二 fall on Saturday and Sunday
        D(2027, 2, 10): "春节",
        D(2027, 5, 3): "劳动节",
        D(2027, 5, 4): "劳动节",
        D(2027, 10, 4): "国庆节",
        D(2027, 10, 5): "国庆节",
    }
    assert set(weekday_off_days(2027)) == {
        o.date for o in statutory_off_days(2027) if o.date.weekday() < 5
    }


def test_it_follows_the_revision_in_force() -> None:
    assert len(revision_for(2013).spring_festival) == 3 and revision_for(2013).labour_days == 1
    assert 0 not in revision_for(2020).spring_festival  # 2013 revision: 初一 to 初三
    assert (
        revision_for(2025).spring_festival == (0, 1, 2, 3) and revision_for(2025).labour_days == 2
    )
    holidays = [o for o in statutory_off_days(2030) if not o.in_lieu]
    assert len(holidays) == 13  # 2024 revision: 13 days a year
    with pytest.raises(ValueError):
        revision_for(2007)


@pytest.mark.parametrize("year", range(2008, max(chinese_calendar.holidays).year + 1))
def test_it_agrees_with_every_published_notice_on_the_days_the_law_fixes(year: int) -> None:
    """Every statutory holiday on a weekday was a day off in the State Council's notice."""
    for off in statutory_off_days(year):
        if not off.in_lieu and off.date.weekday() < 5:
            assert off.date in chinese_calendar.holidays, (off, year)
