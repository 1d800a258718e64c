from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def check_holiday_table_covers_next_year(**kwargs: Any) -> list[CheckMessage]:
    """onevisit.W001: deadlines next year would count weekends only."""
    from onevisit.workdays.calendar import known_years

    try:
        years = known_years()
    except DatabaseError:
        return []
    wanted = timezone.localdate().year + 1
    missing = [y for y in (wanted - 1, wanted) if y not in years]
    if not missing:
        return []
    return [
        CheckWarning(
            f"The holiday table has no entries for {missing}; deadlines in those years "
            "skip weekends only.",
            hint="Add the official holidays and adjusted workdays in the admin "
            "(Working days › Holidays) and add the year under Calendar years.",
            id="onevisit.W001",
        )
    ]
