"""Text helpers for enterprise search. Pure Python: no Django import."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACE.sub("", text or "").upper()


def bigrams(text: str) -> set[str]:
    """All two-character substrings; a name of one character has none."""
    cleaned = normalize(text)
    return {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}


def looks_like_uscc_prefix(query: str) -> bool:
    """A query of 6+ code characters with a digit is taken as (the start of) a credit code."""
    q = normalize(query)
    return 6 <= len(q) <= 18 and q.isalnum() and q.isascii() and any(c.isdigit() for c in q)
