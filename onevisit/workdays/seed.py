"""Rows for the holiday table from the chinese-calendar package (used by the data migration)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def special_days() -> list[tuple[dt.date, bool, str]]:
    rows: list[tuple[dt.date, bool, str]] = []
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5:
            rows.append((day, False, str(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            rows.append((day, True, str(name)))
    return sorted(rows)


def covered_years() -> list[int]:
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return list(range(first, last + 1))
