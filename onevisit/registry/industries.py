"""The GB/T 4754-2017 industry table at all four levels. Pure Python: no Django import.

`data/gbt4754_2017.csv` holds every code with its name and parent: 20 sections (门类, a
letter), 97 divisions (大类, 2 digits), 473 groups (中类, 3 digits) and 1,381 classes (小类,
4 digits), the names as amended by amendment No. 1 (2019). It was compiled from two public
lists that agree on every code: the four-level list with notes in zmshe/capital
(src/utils/category.js) and the tree in qwer-of-div/1frontEnd (IndustryData.js); where their
names differ, the first, whose sections and divisions match the standard's text word for
word, was kept. The database holds the sections and divisions (enterprises point to their
division); groups and classes are checked here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from onevisit.lib.problems import gettext_noop
from onevisit.registry.identifiers import InvalidIdentifier, split_industry_code

TABLE_FILE = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"
LEVELS = {1: "section", 2: "division", 3: "group", 4: "class"}


@dataclass(frozen=True)
class IndustryEntry:
    code: str
    name: str
    parent: str

    @property
    def level(self) -> str:
        return LEVELS[len(self.code)]


@cache
def table() -> dict[str, IndustryEntry]:
    """Every code of the standard, sections first, in the standard's order."""
    with open(TABLE_FILE, encoding="utf-8", newline="") as handle:
        return {
            row["code"]: IndustryEntry(row["code"], row["name"], row["parent"])
            for row in csv.DictReader(handle)
        }


def section_of(code: str) -> str:
    """The section letter of a division, group or class code ("3451" -> "C")."""
    return table()[code[:2]].parent


@cache
def classes_of(division: str) -> tuple[str, ...]:
    return tuple(code for code in table() if len(code) == 4 and code.startswith(division))


def name_of(code: str) -> str:
    """The name of a code at any level, "" when the table does not hold it."""
    entry = table().get(code)
    return entry.name if entry else ""


def check_enterprise_code(raw: str) -> tuple[str, str]:
    """Check an enterprise's industry, "C3451", "3451" or "34", against the table.

    Returns (division, code without its letter). A four-digit code must be a class of the
    standard and a letter must be its section's.
    """
    section, division, full = split_industry_code(raw)
    entry = table().get(full)
    if entry is None or (section is not None and section_of(full) != section):
        raise InvalidIdentifier(
            gettext_noop(
                "unknown industry code %(code)s: GB/T 4754-2017 has no such class or division"
            ),
            code=raw.strip().upper(),
        )
    return division, full


def check_target(raw: str) -> str:
    """Check a code that an item list or a frequency rule targets: any level of the table.

    Accepts a section ("C"), a division, group or class with or without its letter ("C26",
    "263", "C2631"). Returns it with its section letter, the form that prefix matching on
    enterprises' full codes (`planning.queries.full_industry_code`) expects.
    """
    code = raw.strip().upper()
    letter, digits = (code[0], code[1:]) if code[:1].isalpha() else ("", code)
    known = table()
    if digits == "" and letter in known:
        return letter
    if len(digits) in (2, 3, 4) and digits in known:
        section = section_of(digits)
        if letter in ("", section):
            return section + digits
    raise InvalidIdentifier(
        gettext_noop("%(code)s is not a section, division, group or class of GB/T 4754-2017"),
        code=code,
    )


def industry_targets(text: str) -> str:
    """An item's list of targeted codes, as typed ("C26, 3451；F52"), checked and normalised."""
    codes = [check_target(part) for part in re.split(r"[,，;；\s]+", text) if part.strip()]
    return ",".join(dict.fromkeys(codes))
