"""Draw records: the JSON anyone downloads, and their verification.

A minimal record has five fields — {"algorithm", "pool", "key", "count", "selected"} — and is
verified by drawing `count` of `pool` with `key` again. A full record adds, each checked when
present: "sources" (the seed values; the key must be their key string under "key_rule", which
is "rfc3797" for records made since 2026-12 and "onevisit-v1" when absent), "pool_sha256", "strata"
([{"name", "pool", "count", "selected"}], with "ratio" and "cap" the sizes are recomputed too),
"teams_commitment" (the hash of the canonical JSON of "teams", published before the teams
are revealed; once they are, both must agree), and "teams" ({"team_size", "inspectors":
[{"id", "districts"}], "districts": {candidate: district}, "conflicts": [{"inspector",
"candidate", "reason"}], "assignments": [{"candidate", "team", "skipped": [{"inspector",
"reason"}]}]}).

"suite" names the crypto suite that made the record: "intl" when absent (SHA-256 for the
commitment), "gm" (SM3 for the commitment, and "pool_sm3", the SM3 of the pool, beside
"pool_sha256"). A record may carry a "signature" ({"suite", "key_id", "value"}); it is checked
against the city's public keys, not here (see `signed_part`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

from onevisit.lib.gm import INTL, SUITES, chain_hash

from .core import (
    ALGORITHMS,
    KEY_RULE,
    KEY_RULES,
    LEGACY_KEY_RULE,
    DrawError,
    draw,
    key_string,
    pool_sha256,
    pool_sm3,
    stratum_key,
    stratum_sizes,
)
from .teams import Conflict, TeamMember, assign_teams

MINIMAL_FIELDS = ("algorithm", "pool", "key", "count", "selected")
T = TypeVar("T")


class Mismatch(Exception):
    """The first field of a record that does not recompute; for lists of candidates, the first
    positions (0-based) at which the record and the recomputation differ."""

    def __init__(self, field: str, detail: str = "", positions: tuple[int, ...] = ()) -> None:
        where = f" at positions {', '.join(str(p) for p in positions)}" if positions else ""
        super().__init__(f"{field}: {detail}{where}" if detail or where else field)
        self.field = field
        self.detail = detail
        self.positions = positions


def first_differences(given: list[str], expected: list[str], most: int = 5) -> tuple[int, ...]:
    """The first positions where two lists differ (a missing element counts as different)."""
    length = max(len(given), len(expected))
    found = [
        i for i in range(length) if i >= len(given) or i >= len(expected) or given[i] != expected[i]
    ]
    return tuple(found[:most])


def _require(record: Mapping[str, Any], field: str, kind: type | tuple[type, ...]) -> Any:
    if field not in record:
        raise Mismatch(field, "missing")
    value = record[field]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Mismatch(field, "wrong type")
    return value


def _strings(record: Mapping[str, Any], field: str) -> list[str]:
    values = _require(record, field, list)
    if not all(isinstance(v, str) for v in values):
        raise Mismatch(field, "must list strings")
    return list(values)


def canonical(value: object) -> bytes:
    """Canonical JSON (keys sorted, no spaces, UTF-8): what a commitment or signature covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def teams_commitment(teams: Mapping[str, Any], suite: str = INTL) -> str:
    """The hash (SHA-256 under intl, SM3 under gm) of the team assignment in canonical JSON:
    what a draw publishes instead of the teams until the results are out, and checks after."""
    return chain_hash(suite, canonical(teams))


def record_suite(record: Mapping[str, Any]) -> str:
    suite = record.get("suite", INTL)
    if suite not in SUITES:
        raise Mismatch("suite", f"must be one of {', '.join(SUITES)}")
    return str(suite)


def without_teams(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as published before the results: the teams replaced by their commitment."""
    public = dict(record)
    if "teams" in public:
        public.setdefault(
            "teams_commitment", teams_commitment(public["teams"], record_suite(record))
        )
        del public["teams"]
    return public


def signed_part(record: Mapping[str, Any]) -> bytes:
    """What a record's signature covers: the record as published before the results (so that
    it verifies before and after the teams are revealed; the commitment binds them), without
    the signature, in canonical JSON."""
    public = without_teams(record)
    public.pop("signature", None)
    return canonical(public)


def verify_record(record: object) -> None:
    """Recompute the record; raise `Mismatch` naming the first field that does not match."""
    if not isinstance(record, dict):
        raise Mismatch("record", "not a JSON object")
    algorithm = _require(record, "algorithm", str)
    if algorithm not in ALGORITHMS:
        raise Mismatch("algorithm", f"must be one of {', '.join(ALGORITHMS)}")
    key = _require(record, "key", str)
    if "sources" in record:
        sources = _require(record, "sources", list)
        rule = record.get("key_rule", LEGACY_KEY_RULE)
        if rule not in KEY_RULES:
            raise Mismatch("key_rule", f"must be one of {', '.join(KEY_RULES)}")
        # the legacy rule knew integers only
        number = _is_number if rule == KEY_RULE else _is_integer
        for position, source in enumerate(sources):
            if not _is_source(source, number):
                raise Mismatch(
                    "sources", "must be numbers, strings or lists of numbers", (position,)
                )
        if key_string(sources, rule) != key:
            raise Mismatch("key", "is not the key string of the sources")
    suite = record_suite(record)
    pool = _strings(record, "pool")
    if "pool_sha256" in record and _require(record, "pool_sha256", str) != pool_sha256(pool):
        raise Mismatch("pool_sha256")
    if "pool_sm3" in record and _require(record, "pool_sm3", str) != pool_sm3(pool):
        raise Mismatch("pool_sm3")
    count = _require(record, "count", int)
    selected = _strings(record, "selected")
    if count != len(selected):
        raise Mismatch("count", "is not the number of selected candidates")
    if "strata" in record:
        expected = _verify_strata(record, algorithm, key, set(pool))
    else:
        expected = _redraw("selected", lambda: draw(pool, count, key, algorithm))
    if count != len(expected):
        raise Mismatch("count")
    if selected != expected:
        raise Mismatch("selected", "differs", first_differences(selected, expected))
    if "teams" in record:
        if "teams_commitment" in record and record["teams_commitment"] != _commitment(
            record["teams"], suite
        ):
            raise Mismatch("teams_commitment", "the revealed teams are not the ones committed to")
        _verify_teams(record["teams"], selected, key, algorithm)


def _commitment(teams: object, suite: str) -> str:
    try:
        return teams_commitment(teams, suite)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Mismatch("teams", "malformed") from None


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_integer(value) or (isinstance(value, float) and math.isfinite(value))


def _is_source(value: object, number: Callable[[object], bool]) -> bool:
    if isinstance(value, str) or number(value):
        return True
    return isinstance(value, list) and all(number(v) for v in value)


def _redraw(field: str, make: Callable[[], T]) -> T:
    try:
        return make()
    except DrawError as error:
        raise Mismatch(field, str(error)) from None


def _verify_strata(
    record: Mapping[str, Any], algorithm: str, key: str, pool: set[str]
) -> list[str]:
    strata = _require(record, "strata", list)
    members: dict[str, list[str]] = {}
    everyone: list[str] = []
    for n, stratum in enumerate(strata):
        where = f"strata[{n}]"
        if not isinstance(stratum, dict):
            raise Mismatch(where, "not an object")
        name = _require(stratum, "name", str)
        members[name] = _strings(stratum, "pool")
        everyone.extend(members[name])
    if len(everyone) != len(pool) or not pool.issuperset(everyone):
        raise Mismatch("strata", "the strata do not partition the pool")
    sizes = {s["name"]: s.get("count") for s in strata}
    if "ratio" in record:
        ratio = _require(record, "ratio", str)
        cap = record.get("cap")
        computed = _redraw("ratio", lambda: stratum_sizes(members, ratio, cap))
        for n, stratum in enumerate(strata):
            if stratum.get("count") != computed[stratum["name"]]:
                raise Mismatch(f"strata[{n}].count")
    selected: list[str] = []
    for n, stratum in enumerate(strata):
        name = stratum["name"]
        count = sizes[name]
        if not isinstance(count, int) or isinstance(count, bool):
            raise Mismatch(f"strata[{n}].count", "wrong type")
        expected = _redraw(
            f"strata[{n}].selected",
            partial(draw, members[name], count, stratum_key(key, name), algorithm),
        )
        given = _strings(stratum, "selected")
        if given != expected:
            raise Mismatch(f"strata[{n}].selected", "differs", first_differences(given, expected))
        selected.extend(expected)
    return selected


def _verify_teams(teams: object, selected: list[str], key: str, algorithm: str) -> None:
    if not isinstance(teams, dict):
        raise Mismatch("teams", "not an object")
    try:
        inspectors = [
            TeamMember(str(i["id"]), frozenset(i["districts"])) for i in teams["inspectors"]
        ]
        conflicts = [
            Conflict(str(c["inspector"]), str(c["candidate"]), str(c["reason"]))
            for c in teams.get("conflicts", [])
        ]
        districts = {str(k): str(v) for k, v in teams["districts"].items()}
        size = int(teams.get("team_size", 2))
        recorded = teams["assignments"]
    except (KeyError, TypeError, AttributeError, ValueError):
        raise Mismatch("teams", "malformed") from None
    assignments = _redraw(
        "teams",
        partial(assign_teams, selected, districts, inspectors, conflicts, key, algorithm, size),
    )
    computed = [
        {
            "candidate": a.candidate,
            "team": list(a.team),
            "skipped": [{"inspector": i, "reason": r} for i, r in a.skipped],
        }
        for a in assignments
    ]
    if not isinstance(recorded, list) or len(recorded) != len(computed):
        raise Mismatch("teams.assignments")
    for n, (got, want) in enumerate(zip(recorded, computed, strict=True)):
        if got != want:
            raise Mismatch(f"teams.assignments[{n}]")
