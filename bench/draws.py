"""Verifiable draws at city scale: 5% of 600,000 enterprises across 11 districts × 20 industries,
teams from 2,000 inspectors, then verification of the record, under each crypto suite side by
side (gm: sm3-v1, SM3 hashes, an SM2-signed record; intl: sha256-v1, SHA-256, Ed25519); beside
it, the baseline of the naive loop (remove each pick from a Python list, O(n·k)) on one
unstratified pool.

    uv run python bench/draws.py
"""

from __future__ import annotations

import hashlib
import random
import time
from typing import Any

from onevisit.inspections.tokens import CodeSigner
from onevisit.lib.gm import GM, INTL
from onevisit.sortition import (
    DEFAULT_ALGORITHMS,
    Conflict,
    TeamMember,
    assign_teams,
    draw,
    draw_strata,
    pool_sha256,
    pool_sm3,
    signed_part,
    stratum_sizes,
    teams_commitment,
    verify_record,
)

POOL = 600_000
DISTRICTS = [f"3715{n:02d}" for n in range(11)]
INDUSTRIES = [f"C{n:02d}" for n in range(20)]
KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"


def naive_sha256(pool: list[str], count: int, key: str) -> list[str]:
    remaining = list(pool)
    data = key.encode()
    out = []
    for i in range(count):
        prefix = i.to_bytes(4, "big")
        value = int.from_bytes(hashlib.sha256(prefix + data + prefix).digest(), "big")
        out.append(remaining.pop(value % len(remaining)))
    return out


STEPS = [
    ("stratified draw", "draw"),
    ("team assignment", "teams"),
    ("pool hash and team commitment", "hashes"),
    ("record signed and signature checked", "signature"),
    ("verification of the whole record", "verify"),
    ("all of it", "total"),
]


def suite_figures(
    suite: str,
    pool: list[str],
    strata: dict[str, list[str]],
    district: dict[str, str],
    inspectors: list[TeamMember],
    conflicts: list[Conflict],
) -> dict[str, Any]:
    """One draw made, recorded, signed and verified under a suite, each step timed."""
    algorithm = DEFAULT_ALGORITHMS[suite]
    signer = CodeSigner.generate(suite)
    seconds: dict[str, Any] = {}
    started = time.perf_counter()
    sizes = stratum_sizes(strata, "0.05")
    drawn = draw_strata(strata, sizes, KEY, algorithm)
    selected = [c for members in drawn.values() for c in members]
    seconds["draw"] = time.perf_counter() - started
    started = time.perf_counter()
    teams = assign_teams(selected, district, inspectors, conflicts, KEY, algorithm)
    seconds["teams"] = time.perf_counter() - started
    record: dict[str, Any] = {
        "suite": suite,
        "algorithm": algorithm,
        "key": KEY,
        "pool": pool,
        "ratio": "0.05",
        "count": len(selected),
        "selected": selected,
        "strata": [
            {"name": name, "pool": members, "count": sizes[name], "selected": drawn[name]}
            for name, members in strata.items()
        ],
        "teams": {
            "team_size": 2,
            "districts": {c: district[c] for c in selected},
            "inspectors": [{"id": i.id, "districts": sorted(i.districts)} for i in inspectors],
            "conflicts": [
                {"inspector": c.inspector, "candidate": c.candidate, "reason": c.reason}
                for c in conflicts
            ],
            "assignments": [
                {
                    "candidate": a.candidate,
                    "team": list(a.team),
                    "skipped": [{"inspector": i, "reason": r} for i, r in a.skipped],
                }
                for a in teams
            ],
        },
    }
    started = time.perf_counter()
    record["pool_sha256"] = pool_sha256(pool)
    if suite == GM:
        record["pool_sm3"] = pool_sm3(pool)
    record["teams_commitment"] = teams_commitment(record["teams"], suite)
    seconds["hashes"] = time.perf_counter() - started
    started = time.perf_counter()
    value = signer.sign(signed_part(record))
    assert signer.signed(signed_part(record), value)
    seconds["signature"] = time.perf_counter() - started
    started = time.perf_counter()
    verify_record(record)
    seconds["verify"] = time.perf_counter() - started
    seconds["total"] = sum(seconds.values())
    seconds["selected"] = selected
    return seconds


def main() -> None:
    rng = random.Random(1)
    pool = sorted(f"91371{n:013d}" for n in range(POOL))
    district = {c: rng.choice(DISTRICTS) for c in pool}
    strata: dict[str, list[str]] = {}
    for candidate in pool:
        strata.setdefault(f"{district[candidate]}-{rng.choice(INDUSTRIES)}", []).append(candidate)
    inspectors = [
        TeamMember(f"I{n:04d}", frozenset(rng.sample(DISTRICTS, k=rng.randint(1, 3))))
        for n in range(2000)
    ]
    conflicts = [Conflict(f"I{n:04d}", "*", "certificate expired") for n in range(0, 2000, 97)]

    figures = {
        suite: suite_figures(suite, pool, strata, district, inspectors, conflicts)
        for suite in (INTL, GM)
    }
    selected = figures[GM]["selected"]
    count = len(selected)
    started = time.perf_counter()
    fast = draw(pool, count, KEY)
    fast_seconds = time.perf_counter() - started
    started = time.perf_counter()
    slow = naive_sha256(pool, count, KEY)
    slow_seconds = time.perf_counter() - started
    assert fast == slow

    print(f"pool {POOL:,} in {len(strata)} strata; 5% drawn: {count:,}; 2,000 inspectors")
    print(f"  {'':36} {'intl':>8} {'gm':>8}   gm/intl")
    for label, name in STEPS:
        intl, gm = figures[INTL][name], figures[GM][name]
        print(f"  {label:36} {intl:6.2f} s {gm:6.2f} s   x{gm / intl:.2f}")
    print(f"one pool of {POOL:,}, {count:,} drawn (the same selection both ways):")
    print(f"  order-statistic tree (ours)          {fast_seconds:6.2f} s")
    print(
        f"  naive list removal (baseline)        {slow_seconds:6.2f} s"
        f"   ×{slow_seconds / fast_seconds:.1f}"
    )


if __name__ == "__main__":
    main()
