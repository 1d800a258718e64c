"""Rows for the holiday table from the chinese-calendar package (used by the data migration)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from chinese_calendar.constants import Holiday

# The package names holidays in English; the table keeps the names of the State Council's notice.
CHINESE_NAMES: dict[str, str] = {str(h.value): str(h.chinese) for h in Holiday}


def chinese_name(name: object) -> str:
    return CHINESE_NAMES.get(str(name), str(name))


def special_days() -> list[tuple[dt.date, bool, str]]:
    rows: list[tuple[dt.date, bool, str]] = []
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5:
            rows.append((day, False, chinese_name(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            rows.append((day, True, chinese_name(name)))
    return sorted(rows)


def covered_years() -> list[int]:
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return list(range(first, last + 1))
