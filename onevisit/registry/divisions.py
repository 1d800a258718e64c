"""A province's current GB/T 2260 divisions, as python-stdnum's table of area codes lists them.

The table keeps every code ever issued, with the years it was valid ("[1983-2012]四方区");
a division is current when its range is open ("[2017-]即墨区") or absent. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import numdb

_VALIDITY = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str | None
    kind: str  # the values of registry.models.District.Kind


def _current_name(raw: str) -> str | None:
    found = _VALIDITY.match(raw)
    if found is None:
        return raw
    return None if found.group(2) else found.group(3)


def _kind(name: str) -> str:
    return {"区": "district", "县": "county", "市": "county_city"}.get(name[-1:], "county")


def province_divisions(province: str) -> list[Division]:
    """The prefecture-level cities of a province (two-digit code, "37" for 山东) and the
    county-level divisions under each, cities first; 市辖区 placeholders are left out."""
    tree = next((p for p in numdb.get("cn/loc").prefixes if p[1] == province), None)
    if tree is None:
        raise ValueError(f"no province with code {province}")
    current = [
        (province + low, name)
        for _length, low, _high, props, _children in tree[4]
        if (name := _current_name(props.get("county", ""))) and name != "市辖区"
    ]
    cities = [
        Division(code, name, None, "city")
        for code, name in current
        if code.endswith("00") and code[2:4] != "00"
    ]
    city_codes = {city.code[:4]: city.code for city in cities}
    counties = [
        Division(code, name, city_codes[code[:4]], _kind(name))
        for code, name in current
        if not code.endswith("00") and code[:4] in city_codes
    ]
    return cities + counties
