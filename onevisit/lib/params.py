"""Numbers from query strings and forms, validated at the edge: ASCII digits only (not "²"),
within the bounds the caller gives (no integer beyond what the database holds)."""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]{1,18}")
DB_MAX = 2**63 - 1


def whole_number(text: object, *, low: int = 0, high: int = DB_MAX) -> int | None:
    """The number, or None when the text is not a plain whole number within [low, high]."""
    value = str(text or "").strip()
    if not DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None
