"""Drawing the team for each drawn enterprise, skipping conflicts, keeping the load balanced.

For each drawn candidate (in draw order), the eligible inspectors are those serving its
district, minus the conflicted ones (回避). A conflict names an inspector and a candidate (a
declared relation, the same inspector there within the last 12 months), recorded as a skip with
its reason on that candidate's assignment; or an inspector and "*" (an invalid certificate),
which keeps the inspector out of the whole draw (listed once, in the record's conflicts).
Members are drawn one at a time among the eligible inspectors with the fewest assignments so
far, sorted by id: member m is the (r+1)-th of them, r = digest_m mod their number, where
digest_m is the m-th digest (from 0) of the draw's algorithm over the key
<draw key> + "team/" + <candidate> + "/". A team's members count as assigned once the team is
complete. A candidate for whom fewer than `team_size` inspectors are eligible makes the whole
draw fail.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from onevisit.lib.problems import gettext_noop

from .core import SHA256_V1, DrawError, _digests


@dataclass(frozen=True)
class TeamMember:
    id: str
    districts: frozenset[str]


@dataclass(frozen=True)
class Conflict:
    inspector: str
    candidate: str  # "*" for every candidate (e.g. an invalid certificate)
    reason: str


@dataclass(frozen=True)
class Assignment:
    candidate: str
    team: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (inspector, reason)


def assign_teams(
    selected: Sequence[str],
    districts: Mapping[str, str],
    inspectors: Sequence[TeamMember],
    conflicts: Sequence[Conflict],
    key: str,
    algorithm: str = SHA256_V1,
    team_size: int = 2,
) -> list[Assignment]:
    if team_size < 2:
        raise DrawError(gettext_noop("a team has at least two inspectors"))
    barred = {c.inspector for c in conflicts if c.candidate == "*"}
    declared: dict[str, list[Conflict]] = {}
    for conflict in conflicts:
        if conflict.candidate != "*":
            declared.setdefault(conflict.candidate, []).append(conflict)
    serving = {i.id: i.districts for i in inspectors if i.id not in barred}
    loads = _Loads(serving)
    out = []
    for candidate in selected:
        district = districts.get(candidate)
        if district is None:
            raise DrawError(gettext_noop("no district for %(candidate)s"), candidate=candidate)
        skipped = tuple(
            (c.inspector, c.reason)
            for c in declared.get(candidate, ())
            if district in serving.get(c.inspector, ())
        )
        excluded = {inspector for inspector, _reason in skipped}
        digests = _digests(algorithm, f"{key}team/{candidate}/")
        team: list[str] = []
        for _member in range(team_size):
            chosen = loads.pick(district, excluded, next(digests))
            if chosen is None:
                raise DrawError(
                    gettext_noop(
                        "a team cannot be formed for %(candidate)s: %(eligible)s eligible "
                        "inspectors, %(size)s needed"
                    ),
                    candidate=candidate,
                    eligible=len(team) + loads.count(district, excluded),
                    size=team_size,
                )
            team.append(chosen)
            excluded.add(chosen)
        for chosen in team:
            loads.add(chosen)
        out.append(Assignment(candidate, tuple(team), skipped))
    return out


class _Loads:
    """Per district, the eligible inspectors grouped by how many assignments they have, each
    group sorted by id: the least-loaded group is found without scanning everyone."""

    def __init__(self, serving: Mapping[str, frozenset[str]]) -> None:
        self.serving = serving
        self.load = dict.fromkeys(serving, 0)
        self.groups: dict[str, dict[int, list[str]]] = {}
        for inspector in sorted(serving):
            for district in serving[inspector]:
                self.groups.setdefault(district, {}).setdefault(0, []).append(inspector)

    def pick(self, district: str, excluded: set[str], digest: int) -> str | None:
        groups = self.groups.get(district, {})
        for level in sorted(groups):
            group = groups[level]
            if excluded and any(_contains(group, x) for x in excluded):
                group = [i for i in group if i not in excluded]
            if group:
                return group[digest % len(group)]
        return None

    def count(self, district: str, excluded: set[str]) -> int:
        groups = self.groups.get(district, {})
        return sum(1 for g in groups.values() for i in g if i not in excluded)

    def add(self, inspector: str) -> None:
        level = self.load[inspector]
        self.load[inspector] = level + 1
        for district in self.serving[inspector]:
            groups = self.groups[district]
            group = groups[level]
            del group[bisect.bisect_left(group, inspector)]
            if not group:
                del groups[level]
            bisect.insort(groups.setdefault(level + 1, []), inspector)


def _contains(group: list[str], inspector: str) -> bool:
    at = bisect.bisect_left(group, inspector)
    return at < len(group) and group[at] == inspector
