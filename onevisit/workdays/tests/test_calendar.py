"""Deadlines in working days over the official holiday table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.checks import run_checks
from django.test import override_settings  # noqa: F401
from django.utils import timezone

from onevisit.workdays.calendar import add_working_days, is_working_day, working_deadline
from onevisit.workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def test_it_skips_the_national_day_holiday_and_counts_the_adjusted_saturday() -> None:
    # 2026: 1-7 October off, Saturday 10 October a working day in exchange.
    assert not is_working_day(dt.date(2026, 10, 1))
    assert is_working_day(dt.date(2026, 10, 10))
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert add_working_days(dt.date(2026, 9, 30), 4) == dt.date(2026, 10, 12)


def test_it_counts_plain_weeks_as_five_working_days() -> None:
    assert add_working_days(dt.date(2026, 11, 27), 5) == dt.date(2026, 12, 4)
    assert add_working_days(dt.date(2026, 11, 27), 0) == dt.date(2026, 11, 27)


def test_it_marks_a_deadline_beyond_the_known_years_as_estimated() -> None:
    deadline = working_deadline(dt.date(2026, 12, 28), 10)
    assert deadline.is_estimated and deadline.estimated_years == (2027,)
    assert not working_deadline(dt.date(2026, 11, 2), 10).is_estimated


def test_it_uses_holidays_added_by_an_official() -> None:
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    SpecialDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    deadline = working_deadline(dt.date(2026, 12, 31), 1)
    assert deadline.date == dt.date(2027, 1, 4) and not deadline.is_estimated


def test_it_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 1, 5), -1)


def test_it_only_informs_while_next_years_notice_is_not_yet_needed() -> None:
    year = timezone.localdate().year + 1
    CalendarYear.objects.get_or_create(year=year - 1)
    CalendarYear.objects.filter(year__gte=year).delete()
    ids = [m.id for m in run_checks(databases=["default"])]
    assert "onevisit.I001" in ids and "onevisit.W001" not in ids
    CalendarYear.objects.get_or_create(year=year)
    assert "onevisit.I001" not in [m.id for m in run_checks(databases=["default"])]


def test_it_warns_in_a_year_without_its_notice() -> None:
    year = timezone.localdate().year
    CalendarYear.objects.filter(year__gte=year).delete()
    ids = [m.id for m in run_checks(databases=["default"])]
    assert "onevisit.W001" in ids
