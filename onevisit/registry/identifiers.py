"""Identifier checks for the registry. Pure Python: no Django import.

A 统一社会信用代码 (GB 32100-2015) must pass two independent checks: the MOD-31 check
character over all 18 characters (python-stdnum), and the GB 11714 check of the
organisation code held in characters 9-17. A resident ID number such as
362322198709086409 passes the first by coincidence and fails the second.
"""

from __future__ import annotations

import re

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from onevisit.lib.problems import Problem, gettext_noop

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
INDUSTRY_CODE_RE = re.compile(r"^([A-T])?(\d{2})(\d{0,2})$")


class InvalidIdentifier(Problem):
    """A code that fails a check; the message says which check, in words an official can act on."""


def _org_char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise InvalidIdentifier(
        gettext_noop("character %(char)s is not allowed in an organisation code"), char=char
    )


def org_code_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    total = sum(_org_char_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def uscc_check_char(first17: str) -> str:
    return str(stdnum_uscc.calc_check_digit(first17))


def normalize_uscc(raw: str) -> str:
    return str(stdnum_uscc.compact(raw or ""))


def validate_uscc(raw: str) -> str:
    """Return the compact code or raise InvalidIdentifier naming the failed check."""
    code = normalize_uscc(raw)
    try:
        stdnum_uscc.validate(code)
    except InvalidLength:
        raise InvalidIdentifier(
            gettext_noop("must have 18 characters, has %(length)s"), length=len(code)
        ) from None
    except InvalidFormat:
        raise InvalidIdentifier(
            gettext_noop(
                "characters 1-8 must be digits and the rest from 0-9 and A-Y without I, O, S, V, Z"
            )
        ) from None
    except InvalidChecksum:
        raise InvalidIdentifier(
            gettext_noop("check character (18th) is wrong: expected %(expected)s"),
            expected=uscc_check_char(code[:17]),
        ) from None
    except ValidationError as error:  # pragma: no cover - stdnum's other errors
        raise InvalidIdentifier("%(error)s", error=str(error)) from None
    org_body, org_check = code[8:16], code[16]
    if org_check != org_code_check_char(org_body):
        raise InvalidIdentifier(
            gettext_noop(
                "organisation code check (GB 11714, characters 9-17) is wrong: "
                "expected %(expected)s as the 17th character"
            ),
            expected=org_code_check_char(org_body),
        )
    return code


def make_uscc(authority: str, district: str, org_body: str) -> str:
    """Build a valid code from its parts: 2 authority/category digits, 6-digit area, 8-char body."""
    first17 = authority + district + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


def split_industry_code(raw: str) -> tuple[str | None, str, str]:
    """Split a GB/T 4754-2017 code such as "C3451", "3451" or "34" into (section, division, full).

    Raises InvalidIdentifier if the shape is wrong; whether the division exists is the
    caller's question (the table lives in the database).
    """
    code = (raw or "").strip().upper()
    match = INDUSTRY_CODE_RE.match(code)
    if not match or len(match.group(3)) == 1:
        raise InvalidIdentifier(
            gettext_noop(
                "must be a GB/T 4754-2017 code of 2 or 4 digits, optionally after the "
                "section letter (e.g. C3451, 3451, 34)"
            )
        )
    section, division, rest = match.groups()
    return section, division, division + rest
