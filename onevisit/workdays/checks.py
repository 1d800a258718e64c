from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Info, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError
from django.utils import timezone

HINT = (
    "Import the notice when it is published (import page, kind 'holidays', or `onevisit import "
    "holidays FILE`); open estimated deadlines are then extended."
)


@register(Tags.database)
def check_holiday_table_covers_next_year(**kwargs: Any) -> list[CheckMessage]:
    """Deadlines are estimated in a year without its notice. onevisit.W001 (a warning) once
    that year has come; onevisit.I001 (information) for next year, whose notice the State
    Council publishes late in this one."""
    from onevisit.workdays.calendar import known_years

    try:
        years = known_years()
    except DatabaseError:
        return []
    this_year = timezone.localdate().year
    found: list[CheckMessage] = []
    if this_year not in years:
        found.append(
            CheckWarning(
                f"The holiday table has no State Council notice for {this_year}: deadlines "
                "this year are estimated from the statutory holidays and marked as estimated.",
                hint=HINT,
                id="onevisit.W001",
            )
        )
    if this_year + 1 not in years:
        found.append(
            Info(
                f"The holiday table has no State Council notice for {this_year + 1} yet: "
                "deadlines that reach into it are estimated until it is entered.",
                hint=HINT,
                id="onevisit.I001",
            )
        )
    return found
