"""The supervisor's warning rules over a history of visits, with no Django: each rule takes
plain facts and returns the groups of visits that break it.

- multi_headed (多头): one enterprise visited separately by at least `min_bodies` bodies within
  `days` days; the visits should have been one joint visit.
- repeated (重复): one body visiting one enterprise again within `days` days; or two levels of
  one system (a city and a county 市场监管局) checking it for the same item, in one visit or
  while the first's result is recognised (the item's recognition window) - the same rule that
  planning keeps (`planning/levels.py`) and registration refuses.
- over_cap (超频): more visits by one body to one enterprise in a calendar year than its cap.
- without_code (未亮码): an inspection whose code did not exist before the team entered.
- low_evaluation: a visit rated below a threshold by the enterprise.

Those watch for 越位 (too much). The duty rules watch for 缺位 (too little): each `Duty` is a
check the law required of a body by a day, and `lapsed` reports those still undone after it:
a red or yellow enterprise's window that closed unchecked, a triggered check not made in time,
a rectification past its deadline with no re-check planned, a drawn enterprise left unvisited,
an emergency visit not assessed afterwards.

Visits exempt from the cap (triggered, emergency, deployed from above, re-checks) count for
neither the cap nor repetition nor 多头: they could not have been planned together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class VisitFact:
    visit_id: int
    enterprise_id: int
    day: dt.date
    bodies: frozenset[int]
    counted: frozenset[int]  # bodies for which this visit counts towards cap and repetition
    code_before_entry: bool = True
    # the items the counted bodies checked: (system, item code, body, recognition days)
    matters: frozenset[tuple[str, str, int, int]] = frozenset()


@dataclass(frozen=True)
class Candidate:
    kind: str
    enterprise_id: int
    body_id: int | None
    visit_ids: tuple[int, ...]
    detail: str  # in English, for the audit log and the API
    group: str  # what stays the same while a growing group gains visits
    facts: Mapping[str, str | int | float] = field(default_factory=dict)  # for any language

    @property
    def fingerprint(self) -> str:
        return f"{self.kind}:{self.enterprise_id}:{self.body_id or '-'}:{self.group}"


def _by_enterprise(facts: Iterable[VisitFact]) -> dict[int, list[VisitFact]]:
    grouped: dict[int, list[VisitFact]] = defaultdict(list)
    for fact in facts:
        grouped[fact.enterprise_id].append(fact)
    for visits in grouped.values():
        visits.sort(key=lambda f: (f.day, f.visit_id))
    return grouped


def multi_headed(facts: Iterable[VisitFact], days: int, min_bodies: int = 2) -> list[Candidate]:
    """Separate counted visits of one enterprise by several bodies within `days`: each group
    starts at the first visit not yet reported and takes every visit of the next `days` days."""
    found = []
    for enterprise_id, visits in _by_enterprise(f for f in facts if f.counted).items():
        start = 0
        while start < len(visits):
            first = visits[start]
            group = [v for v in visits[start:] if (v.day - first.day).days < days]
            bodies = frozenset().union(*(v.counted for v in group))
            if len(group) >= 2 and len(bodies) >= min_bodies:
                found.append(
                    Candidate(
                        "multi_headed",
                        enterprise_id,
                        None,
                        tuple(v.visit_id for v in group),
                        f"{len(group)} separate visits by {len(bodies)} bodies from {first.day} "
                        f"within {days} days",
                        str(first.visit_id),
                        {
                            "visits": len(group),
                            "bodies": len(bodies),
                            "first": first.day.isoformat(),
                            "days": days,
                        },
                    )
                )
                start += len(group)
            else:
                start += 1
    return found


def repeated(facts: Iterable[VisitFact], days: int) -> list[Candidate]:
    found = []
    for enterprise_id, visits in _by_enterprise(facts).items():
        last: dict[int, VisitFact] = {}
        for visit in visits:
            for body in sorted(visit.counted):
                before = last.get(body)
                if before is not None and (visit.day - before.day).days < days:
                    found.append(
                        Candidate(
                            "repeated",
                            enterprise_id,
                            body,
                            (before.visit_id, visit.visit_id),
                            f"again after {(visit.day - before.day).days} days "
                            f"({before.day} and {visit.day})",
                            f"{before.visit_id},{visit.visit_id}",
                            {
                                "days": (visit.day - before.day).days,
                                "first": before.day.isoformat(),
                                "second": visit.day.isoformat(),
                            },
                        )
                    )
                last[body] = visit
        found += _two_levels(enterprise_id, visits)
    return found


def _two_levels(enterprise_id: int, visits: list[VisitFact]) -> list[Candidate]:
    """Two bodies of one system checking the same item, in one visit or within the item's
    recognition window of the first."""
    found = []
    last: dict[tuple[str, str], tuple[VisitFact, int]] = {}
    for visit in visits:
        for system, code, body, days in sorted(visit.matters):
            before = last.get((system, code))
            if before is not None and before[1] != body:
                first, first_body = before
                apart = (visit.day - first.day).days
                if apart < days:
                    found.append(
                        Candidate(
                            "repeated",
                            enterprise_id,
                            body,
                            tuple(dict.fromkeys((first.visit_id, visit.visit_id))),
                            f"two levels of one system checked {code}: body {first_body} on "
                            f"{first.day} and body {body} on {visit.day}",
                            f"{first.visit_id},{visit.visit_id}:{code}",
                            {
                                "days": apart,
                                "first": first.day.isoformat(),
                                "second": visit.day.isoformat(),
                                "item": code,
                            },
                        )
                    )
            last[(system, code)] = (visit, body)
    return found


def over_cap(facts: Iterable[VisitFact], caps: Mapping[tuple[int, int], int]) -> list[Candidate]:
    """`caps` maps (body, enterprise) to the annual cap; pairs missing from it are not judged."""
    counted: dict[tuple[int, int, int], list[VisitFact]] = defaultdict(list)
    for fact in facts:
        for body in fact.counted:
            counted[(body, fact.enterprise_id, fact.day.year)].append(fact)
    found = []
    for (body, enterprise_id, year), visits in sorted(counted.items()):
        cap = caps.get((body, enterprise_id))
        if cap is None or len(visits) <= cap:
            continue
        visits.sort(key=lambda f: (f.day, f.visit_id))
        found.append(
            Candidate(
                "over_cap",
                enterprise_id,
                body,
                tuple(v.visit_id for v in visits),
                f"{len(visits)} visits in {year}, cap {cap}",
                str(year),
                {"visits": len(visits), "year": year, "cap": cap},
            )
        )
    return found


def without_code(facts: Iterable[VisitFact]) -> list[Candidate]:
    return [
        Candidate(
            "without_code",
            f.enterprise_id,
            None,
            (f.visit_id,),
            f"entered on {f.day} without a code registered beforehand",
            str(f.visit_id),
            {"day": f.day.isoformat()},
        )
        for f in facts
        if not f.code_before_entry
    ]


@dataclass(frozen=True)
class Rating:
    visit_id: int
    enterprise_id: int
    lead_body: int
    average: float


def low_evaluations(ratings: Iterable[Rating], threshold: float) -> list[Candidate]:
    return [
        Candidate(
            "low_evaluation",
            r.enterprise_id,
            r.lead_body,
            (r.visit_id,),
            f"rated {r.average:.1f} of 5",
            str(r.visit_id),
            {"average": round(r.average, 1)},
        )
        for r in ratings
        if r.average < threshold
    ]


@dataclass(frozen=True)
class Duty:
    """A check a body owed an enterprise by `due`, not yet done; `ref` names the duty (a task,
    a rectification, a visit) so that one duty raises one warning."""

    kind: str
    enterprise_id: int
    body_id: int
    ref: str
    due: dt.date
    facts: Mapping[str, str | int | float] = field(default_factory=dict)
    visit_ids: tuple[int, ...] = ()


def lapsed(duties: Iterable[Duty], today: dt.date) -> list[Candidate]:
    """The duties whose day has passed: the body has not done what it had to (缺位)."""
    return [
        Candidate(
            d.kind,
            d.enterprise_id,
            d.body_id,
            d.visit_ids,
            f"{d.kind} {d.ref} due {d.due}",
            d.ref,
            {**d.facts, "due": d.due.isoformat()},
        )
        for d in duties
        if d.due < today
    ]
