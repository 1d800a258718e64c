from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def check_holiday_table_covers_next_year(**kwargs: Any) -> list[CheckMessage]:
    """onevisit.W001: deadlines next year are estimated until its notice is entered."""
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
            f"The holiday table has no State Council notice for {missing}; deadlines in those "
            "years are estimated from the statutory holidays and marked as estimated.",
            hint="Import the notice when it is published (import page, kind 'holidays', or "
            "`onevisit import holidays FILE`); open estimated deadlines are then extended.",
            id="onevisit.W001",
        )
    ]
