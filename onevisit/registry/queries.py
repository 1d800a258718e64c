"""The enterprise search shared by the web page, the API, the export and the benchmark.

Three ways to answer, chosen per query:
- a credit code (or its first characters): a range over the unique code index;
- a name fragment over the whole register: the bigram index, walked in its own order
  (gram, enterprise id) so that LIMIT stops early and no sort is needed; the other bigrams
  of the fragment are index probes, and the name itself is checked last;
- anything else, or a small permission-limited set: plain filters on the enterprise table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Upper

from onevisit.registry.models import District, Enterprise, EnterpriseGram, EnterpriseQuerySet
from onevisit.registry.search import bigrams, looks_like_uscc_prefix, normalize

COUNT_LIMIT = 1_000
AREA_LOOKUPS = frozenset({"district_id", "district_id__in"})
# To choose the cheaper walk, a bigram's postings are counted up to GRAM_PROBE and the
# slice of the other filters up to SLICE_PROBE: a slice of that size is cheap to scan with
# LIKE, while a common bigram (more than GRAM_PROBE postings) may be long to walk.
GRAM_PROBE = 3_000
SLICE_PROBE = 10_000
MAX_GRAM_PROBES = 3
CHUNK = 2_000
CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# the ordered bigram walk: no hash join, no sort, and no parallel workers, whose start costs
# more than a walk that stops at LIMIT (宠物食: 38 ms with two workers, 7 ms without)
WALK = {"enable_hashjoin": "off", "enable_sort": "off", "max_parallel_workers_per_gather": "0"}


@dataclass(frozen=True)
class EnterpriseFilters:
    q: str = ""
    district: str = ""
    industry: str = ""
    status: str = ""

    def lookups(self) -> dict[str, Any]:
        """The structured filters as field lookups on Enterprise; a city (or a province) stands
        for every division under it."""
        found: dict[str, Any] = {}
        if self.district:
            area = District.objects.area_codes(self.district)
            if len(area) == 1:
                found["district_id"] = self.district
            else:
                found["district_id__in"] = area
        industry = self.industry.strip().upper()
        if industry:
            key = "industry__section_id" if industry.isalpha() else "industry_id"
            found[key] = industry if industry.isalpha() else industry[:2]
        if self.status:
            found["status"] = self.status
        return found


def next_code_prefix(prefix: str) -> str:
    """The smallest code string after every code that starts with `prefix`.

    Staying inside [0-9A-Z] keeps the range correct under any database collation, where
    a bound such as prefix + "~" would sort differently in a non-C locale.
    """
    chars = list(prefix)
    while chars:
        position = CODE_CHARS.find(chars[-1])
        if 0 <= position < len(CODE_CHARS) - 1:
            chars[-1] = CODE_CHARS[position + 1]
            return "".join(chars)
        chars.pop()
    return ""


class EnterpriseSearch:
    """A planned search over a permission-checked base queryset."""

    def __init__(
        self, base: EnterpriseQuerySet, filters: EnterpriseFilters, area: list[str] | None = None
    ) -> None:
        self.base = base
        self.filters = filters
        self.area = area
        self.gram_ids: QuerySet[EnterpriseGram, int] | None = None
        self.rows: EnterpriseQuerySet = base
        self.by_code = False
        self.walk_ordered = False
        self.every_id: list[int] | None = None  # all the matches, once a count has found them
        self._plan()

    def _plan(self) -> None:
        q = self.filters.q.strip()
        lookups = self.filters.lookups()
        if self.area is not None:
            lookups = _within(lookups, self.area)
        rows = self.base.filter(**lookups)
        if q and looks_like_uscc_prefix(q):
            code = normalize(q)
            upper = next_code_prefix(code)
            rows = (
                rows.filter(uscc__gte=code, uscc__lt=upper)
                if upper
                else rows.filter(uscc__gte=code)
            )
            self.rows = rows.order_by("uscc")  # the unique index yields rows in order
            self.by_code = True
            return
        grams = bigrams(q)
        # A restricted base (an enterprise user's own record) is tiny: filter it directly,
        # and never count through the index what the user may not see. An area (a city's
        # supervisor) restricts the walk itself, as a district filter does.
        if grams and (self.area is not None or not self.base.query.where):
            area = {k: v for k, v in lookups.items() if k in AREA_LOOKUPS}
            ranked = EnterpriseGram.objects.by_rarity(grams, GRAM_PROBE, area)
            if not self._slice_is_cheaper(rows, lookups, ranked[0][1]):
                self.gram_ids = self._gram_ids(q, ranked, lookups)
                # Over several districts (a city) the walk has no single index in enterprise
                # order; the planner's own choice is the better one there.
                self.walk_ordered = "district_id__in" not in area
                return
        self.rows = rows.matching_name(q).order_by("id")

    @staticmethod
    def _slice_is_cheaper(rows: EnterpriseQuerySet, lookups: dict[str, Any], postings: int) -> bool:
        """Scan the filtered slice rather than walk the bigram's postings?

        The bigram rows carry the district, so a district (or city) alone never needs the slice.
        """
        if not set(lookups) - AREA_LOOKUPS:
            return False
        slice_size = rows[:SLICE_PROBE].count()
        return slice_size < postings or (postings >= GRAM_PROBE and slice_size < SLICE_PROBE)

    @staticmethod
    def _gram_ids(
        q: str, ranked: list[tuple[str, int]], lookups: dict[str, Any]
    ) -> QuerySet[EnterpriseGram, int]:
        lookups = dict(lookups)
        area = {key: lookups.pop(key) for key in AREA_LOOKUPS & set(lookups)}
        ids = EnterpriseGram.objects.filter(gram=ranked[0][0], **area)
        for gram, _count in ranked[1 : 1 + MAX_GRAM_PROBES]:
            probe = EnterpriseGram.objects.filter(
                gram=gram, enterprise_id=OuterRef("enterprise_id")
            )
            ids = ids.filter(Exists(probe))
        if len(normalize(q)) > 2:
            # Bigrams prove only that the pairs occur, not that they are adjacent in order,
            # so the name is checked too: as a position test, not LIKE '%q%', which the
            # PostgreSQL planner takes for so selective that it gathers and sorts every
            # match before LIMIT (昌府区: 130 ms instead of an ordered walk that stops at 25).
            needle = Value(q.upper())
            ids = ids.alias(
                in_name=StrIndex(Upper("enterprise__name"), needle),
                in_former=StrIndex(Upper("enterprise__former_names"), needle),
            ).filter(Q(in_name__gt=0) | Q(in_former__gt=0))
        if lookups:
            ids = ids.filter(**{f"enterprise__{key}": value for key, value in lookups.items()})
        return ids.order_by("enterprise_id").values_list("enterprise_id", flat=True)

    def count(self) -> tuple[int, bool]:
        """Up to COUNT_LIMIT matches: "1,000+" is all a person needs to narrow a search."""
        if self.by_code:  # in code order, its own pages
            found = self.rows.order_by().values("pk")[: COUNT_LIMIT + 1].count()
            return min(found, COUNT_LIMIT), found <= COUNT_LIMIT
        if self.gram_ids is not None:
            with ordered_walk(self.walk_ordered):
                # in no order: any COUNT_LIMIT matches will do, wherever the walk finds them
                ids = list(self.gram_ids.order_by()[: COUNT_LIMIT + 1])
        else:
            ids = list(self.rows.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])
        found = len(ids)
        if found <= COUNT_LIMIT:
            # These are all the matches: the pages take them from here instead of searching
            # again. A fragment that few names hold is the costly walk (every posting of its
            # rarest bigram), and walking it twice took 35 + 18 ms at 3.6 million.
            self.every_id = sorted(ids)
        return min(found, COUNT_LIMIT), found <= COUNT_LIMIT

    def page(self, number: int, size: int) -> list[Enterprise]:
        start = (max(number, 1) - 1) * size
        if self.by_code:
            # the page's ids first, then their rows: with the joins of the list, PostgreSQL
            # takes a code range for a few rows and sorts all of them (a district's 44,672
            # codes share their first 10 characters: 415 ms; about 8 ms by ids)
            return self._rows_for(
                list(self.rows.values_list("pk", flat=True)[start : start + size])
            )
        if self.every_id is not None:
            return self._rows_for(self.every_id[start : start + size])
        if self.gram_ids is None:
            return list(self.rows[start : start + size])
        with ordered_walk(self.walk_ordered):
            ids = list(self.gram_ids[start : start + size])
        return self._rows_for(ids)

    def _rows_for(self, ids: list[int]) -> list[Enterprise]:
        found = {e.pk: e for e in self.base.filter(pk__in=ids)}
        return [found[i] for i in ids if i in found]

    def iterator(self) -> Iterator[Enterprise]:
        """Every match, in chunks (the export)."""
        if self.gram_ids is None:
            yield from self.rows.iterator(chunk_size=CHUNK)
            return
        last = 0
        while True:
            with ordered_walk(self.walk_ordered):
                ids = list(self.gram_ids.filter(enterprise_id__gt=last)[:CHUNK])
            if not ids:
                return
            yield from self._rows_for(ids)
            last = ids[-1]

    def describe(self) -> dict[str, Any]:
        return {"uses_bigram_index": self.gram_ids is not None}


@contextmanager
def ordered_walk(wanted: bool = True) -> Iterator[None]:
    """On PostgreSQL, walk the bigram postings in enterprise order and stop at LIMIT.

    The planner takes a name's bigrams for independent, so it expects few enterprises to hold
    both 宠物 and 物食 and plans to gather them all by hash join and sort them; in a register
    they go together (75,000 of 3.6 million), and the count took 480 ms instead of 30 ms by
    the ordered merge. Within this block it has neither hash joins nor sorts to choose (WALK).
    """
    if not wanted or connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    turn_off = ", ".join(
        f"current_setting('{n}'), set_config('{n}', '{v}', true)" for n, v in WALK.items()
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"SELECT {turn_off}")
        before = cursor.fetchone()[::2]
        yield
        if nested:  # else the settings end with the transaction this block began
            back = ", ".join("set_config(%s, %s, true)" for _name in WALK)
            values = [v for pair in zip(WALK, before, strict=True) for v in pair]
            cursor.execute(f"SELECT {back}", values)


def search_enterprises(
    base: EnterpriseQuerySet, filters: EnterpriseFilters, area: list[str] | None = None
) -> EnterpriseSearch:
    """Search `base`; `area`, the district codes `base` is already limited to, lets the search
    walk the bigram index inside them instead of scanning the area's rows."""
    return EnterpriseSearch(base, filters, area)


def _within(lookups: dict[str, Any], area: list[str]) -> dict[str, Any]:
    """The lookups with the district filter narrowed to `area` (nothing, if it lies outside)."""
    lookups = dict(lookups)
    allowed = set(area)
    if "district_id" in lookups:
        asked = [lookups.pop("district_id")]
    else:
        asked = lookups.pop("district_id__in", area)
    lookups["district_id__in"] = [code for code in asked if code in allowed]
    return lookups
