"""JSON from outside (a draw record someone uploads, a planning file, a device's message), read
so that no text can crash its reader: a nesting deeper than anything real, or a number of
thousands of digits, is refused by name like any other bad JSON. Pure Python, no Django."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
MAX_DIGITS = 40  # an id, a count, a seed: none is longer


class BadJson(ValueError):
    """Not JSON, or JSON no record holds: `kind` says which ("not_json", "too_deep",
    "long_number", "not_a_number"), the message says it in English for logs and commands."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _number(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BadJson("long_number", f"a number of more than {MAX_DIGITS} digits")
    return int(text)


def _decimal(text: str) -> float:
    if len(text) > MAX_DIGITS * 2:
        raise BadJson("long_number", f"a number of more than {MAX_DIGITS * 2} characters")
    return float(text)


def _constant(name: str) -> Any:
    raise BadJson("not_a_number", f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """Parse JSON; raise BadJson for text that is not JSON, nested deeper than MAX_DEPTH, with
    a number longer than any record needs, or NaN and Infinity."""
    try:
        value = json.loads(text, parse_int=_number, parse_float=_decimal, parse_constant=_constant)
    except RecursionError:
        raise BadJson("too_deep", f"nested more than {MAX_DEPTH} deep") from None
    except UnicodeDecodeError:
        raise BadJson("not_json", "not UTF-8 text") from None
    except BadJson:
        raise
    except ValueError as error:  # json.JSONDecodeError among them
        raise BadJson("not_json", str(error)) from None
    if _depth(value) > MAX_DEPTH:
        raise BadJson("too_deep", f"nested more than {MAX_DEPTH} deep")
    return value


def _depth(value: Any) -> int:
    """How deep lists and objects nest, counted without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in item)
    return deepest
