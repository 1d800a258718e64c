"""Working-day arithmetic over the editable holiday table.

Every deadline in onevisit is counted in working days through `add_working_days`. A year
whose State Council notice is not in the table yet is counted over the days the law itself
fixes (`statutory`), and the result says it is estimated.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from onevisit.workdays.models import CalendarYear, SpecialDay
from onevisit.workdays.statutory import weekday_off_days

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    estimated_years: tuple[int, ...]
    start: dt.date
    working_days: int

    @property
    def is_estimated(self) -> bool:
        """True when the count crossed a year whose holidays are not in the table."""
        return bool(self.estimated_years)


def _special_days(start: dt.date, end: dt.date, known: set[int]) -> dict[dt.date, bool]:
    """The days in [start, end] that break the weekday rule: the law's own holidays for the
    years whose notice is not in the table, and over them whatever the table says."""
    special: dict[dt.date, bool] = {}
    for year in range(start.year, end.year + 1):
        if year not in known:
            special |= {day: False for day in weekday_off_days(year) if start <= day <= end}
    rows = SpecialDay.objects.filter(date__gte=start, date__lte=end).values_list(
        "date", "is_workday"
    )
    return special | dict(rows)


def known_years() -> set[int]:
    return set(CalendarYear.objects.values_list("year", flat=True))


def is_working_day(day: dt.date) -> bool:
    special = _special_days(day, day, known_years())
    if day in special:
        return special[day]
    return day.weekday() < 5


def working_deadline(start: dt.date, days: int) -> Deadline:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("a deadline counts forward: days must be 0 or more")
    # Chinese holidays never exceed 9 days in a row, so 2 calendar days per working day
    # plus a margin covers any span in one query.
    horizon_end = start + dt.timedelta(days=days * 2 + 30)
    years = known_years()
    special = _special_days(start, horizon_end, years)
    estimated: set[int] = set()
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > horizon_end:
            horizon_end = day + dt.timedelta(days=days * 2 + 30)
            special |= _special_days(day, horizon_end, years)
        if day.year not in years:
            estimated.add(day.year)
        workday = special.get(day, day.weekday() < 5)
        if workday:
            counted += 1
    if estimated:
        logger.warning(
            "no State Council notice for %s in the holiday table: deadline %s is estimated "
            "from the statutory holidays",
            sorted(estimated),
            day,
        )
    return Deadline(day, tuple(sorted(estimated)), start, days)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return working_deadline(start, days).date
