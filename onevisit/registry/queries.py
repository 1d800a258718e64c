"""The enterprise search shared by the web page, the API and the benchmark."""

from __future__ import annotations

from dataclasses import dataclass

from onevisit.registry.models import Enterprise, EnterpriseQuerySet
from onevisit.registry.search import looks_like_uscc_prefix, normalize

COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class EnterpriseFilters:
    q: str = ""
    district: str = ""
    industry: str = ""
    status: str = ""


CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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


def search_enterprises(base: EnterpriseQuerySet, filters: EnterpriseFilters) -> EnterpriseQuerySet:
    """Filter a permission-checked queryset by code, name fragment, district, industry, status.

    A query that looks like a credit code is matched as a code prefix (an index range scan);
    anything else as a name fragment through the bigram index.
    """
    qs = base
    q = filters.q.strip()
    order = "id"
    if q and looks_like_uscc_prefix(q):
        code = normalize(q)
        upper = next_code_prefix(code)
        qs = qs.filter(uscc__gte=code, uscc__lt=upper) if upper else qs.filter(uscc__gte=code)
        order = "uscc"  # the unique index then yields rows in order and LIMIT stops early
    elif q:
        qs = qs.matching_name(q)
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    if filters.industry:
        industry = filters.industry.strip().upper()
        qs = (
            qs.filter(industry__section_id=industry)
            if industry.isalpha()
            else qs.filter(industry_id=industry[:2])
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by(order)


def capped_count(qs: EnterpriseQuerySet) -> tuple[int, bool]:
    """Count up to COUNT_LIMIT matches: "1,000+" is all a person needs to narrow a search."""
    count = qs.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return min(count, COUNT_LIMIT), count <= COUNT_LIMIT


def page_of(qs: EnterpriseQuerySet, page: int, size: int) -> list[Enterprise]:
    page = max(page, 1)
    return list(qs[(page - 1) * size : page * size])
