"""The holidays that the law itself fixes, for a year whose State Council notice is not out yet.

Pure core (no Django). Source: 全国年节及纪念日放假办法 (国务院令), in the revisions of 2007
(in force 2008), 2013 (in force 2014) and 2024 (in force 2025). Article 2 lists the days every
citizen has off; Article 6 says that such a day falling on a Saturday or Sunday is made up on a
working day (补假). The law does not say which working day; the notices have always put it
right after the holiday, so the estimate does the same.

What the estimate cannot know is the notice's swaps (调休: a weekend made a working day to join a
holiday to a weekend). Those only move days around, so a deadline counted over the estimate
is never earlier than the law allows: every day counted as off is off by law.

Lunar dates come from lunar-python (6tail, MIT); the 清明 solar term from chinese-calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from lunar_python import Lunar

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class OffDay:
    date: dt.date
    name: str
    in_lieu: bool = False  # 补假 under Article 6, not the holiday itself


@dataclass(frozen=True)
class Revision:
    in_force: int  # first year the revision governs
    spring_festival: tuple[int, ...]  # lunar days of the first month; 0 is 除夕
    labour_days: int


# Article 2 of each revision.
REVISIONS = (
    Revision(in_force=2008, spring_festival=(0, 1, 2), labour_days=1),
    Revision(in_force=2014, spring_festival=(1, 2, 3), labour_days=1),
    Revision(in_force=2025, spring_festival=(0, 1, 2, 3), labour_days=2),
)


def revision_for(year: int) -> Revision:
    if year < REVISIONS[0].in_force:
        raise ValueError(f"no revision of the holiday law governs {year}")
    return [r for r in REVISIONS if r.in_force <= year][-1]


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))


def _qingming(year: int) -> dt.date:
    start, end = dt.date(year, 4, 1), dt.date(year, 4, 10)
    terms: list[tuple[dt.date, str]] = chinese_calendar.get_solar_terms(start, end)
    return next(day for day, name in terms if name == "清明")


def festivals(year: int) -> list[tuple[str, list[dt.date]]]:
    """Article 2: each festival with its days off, in the year's order."""
    rule = revision_for(year)
    new_year = _lunar(year, 1, 1)
    spring = [new_year + DAY * (n - 1) for n in rule.spring_festival]
    return [
        ("元旦", [dt.date(year, 1, 1)]),
        ("春节", spring),
        ("清明节", [_qingming(year)]),
        ("劳动节", [dt.date(year, 5, n) for n in range(1, rule.labour_days + 1)]),
        ("端午节", [_lunar(year, 5, 5)]),
        ("中秋节", [_lunar(year, 8, 15)]),
        ("国庆节", [dt.date(year, 10, n) for n in (1, 2, 3)]),
    ]


# The last year whose lunar dates and solar terms the calendar packages hold (chinese-calendar
# computes 清明 from 1900 to 2100); working days are not computed beyond it.
LAST_YEAR = 2100


@cache
def statutory_off_days(year: int) -> tuple[OffDay, ...]:
    """Every day off by law in `year`: the holidays of Article 2 and, for each one on a
    weekend, a working day in lieu right after its festival (Article 6)."""
    off: dict[dt.date, OffDay] = {}
    for name, days in festivals(year):
        for day in days:
            off.setdefault(day, OffDay(day, name))
    for name, days in festivals(year):
        owed = sum(1 for day in days if day.weekday() >= 5)
        day = max(days)
        while owed:
            day += DAY
            if day.weekday() < 5 and day not in off:
                off[day] = OffDay(day, name, in_lieu=True)
                owed -= 1
    return tuple(sorted(off.values(), key=lambda o: o.date))


def weekday_off_days(year: int) -> dict[dt.date, str]:
    """The weekdays that are not working days in `year` by law alone (estimated calendar)."""
    return {o.date: o.name for o in statutory_off_days(year) if o.date.weekday() < 5}
