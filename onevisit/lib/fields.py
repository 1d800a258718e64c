"""Input field types for the API schemas, validated at the edge and stated in the OpenAPI document:
text without control characters, identifiers the database can hold, dates a person could mean."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

DB_MAX = 2**63 - 1
# The one rule for characters no text field takes:
# - C0 controls and DEL, which break spreadsheets and XML (a multi-line text keeps tab and line
#   breaks);
# - invisible characters that make a text read otherwise than it is stored: the bidirectional
#   overrides, embeddings, isolates and marks (U+202A-202E, U+2066-2069, U+200E/200F, U+061C),
#   which can show "cod.exe" as "exe.doc" or turn a name around, and the zero-width spaces,
#   joiners and the byte-order mark (U+200B-200D, U+2060-2064, U+FEFF), which make two names
#   that look the same differ. Chinese text needs none of them.
# Web forms drop them (lib.security), the API refuses them (422), imports drop the invisible
# ones and refuse a row with a control character.
INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
ONE_LINE = rf"^[^\u0000-\u001f\u007f{INVISIBLE}]*$"
MULTI_LINE = rf"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f{INVISIBLE}]*$"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
INVISIBLE_CHARACTERS = re.compile(f"[{INVISIBLE}]")
UNWANTED = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{INVISIBLE}]")
LINE_BREAK = re.compile(r"[\r\n\t]")

T = TypeVar("T")


def _not_null(value: T | None) -> T:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


# A field of a partial update (PATCH): leave it out to keep the value; null is refused.
Omittable = Annotated[T | SkipJsonSchema[None], AfterValidator(_not_null)]

Id = Annotated[int, Field(ge=1, le=DB_MAX)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Day = Annotated[dt.date, Field(ge=dt.date(1949, 10, 1), le=dt.date(2100, 12, 31))]
Phone = Annotated[str, StringConstraints(max_length=30, pattern=r"^[0-9+\-() ]*$")]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
IndustryCode = Annotated[str, StringConstraints(pattern=r"^[A-Ta-t]?[0-9]{2,4}$")]


def one_line(max_length: int, min_length: int = 0) -> StringConstraints:
    """A single line of text (`Annotated[str, one_line(200)]`): no breaks, no control characters."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=ONE_LINE)


def multi_line(max_length: int) -> StringConstraints:
    """Free text that may span lines, without other control characters."""
    return StringConstraints(max_length=max_length, pattern=MULTI_LINE)


def without_unwanted(value: str) -> str:
    """The text without control and invisible characters (tab and line breaks kept)."""
    return UNWANTED.sub("", value)


def without_invisible(value: str) -> str:
    return INVISIBLE_CHARACTERS.sub("", value)


def has_control_characters(value: str, *, multi_line: bool = True) -> bool:
    """True when the text holds a control character (line breaks count only for one line)."""
    return bool(CONTROL.search(value) or (not multi_line and LINE_BREAK.search(value)))
