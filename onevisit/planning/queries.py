"""Reads of the planning domain: scopes, policies, rules and their contradictions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from onevisit.catalog.models import Item
from onevisit.planning import scoring
from onevisit.planning.models import FrequencyRule, Tier, TierPolicy
from onevisit.registry.models import Body, District, Enterprise
from onevisit.scope.queries import licensed_lines


def full_industry_code(enterprise: Enterprise) -> str:
    """Section letter and class code (C2614), the form item and rule prefixes match."""
    return f"{enterprise.industry.section_id or ''}{enterprise.industry_code}"


def policy_for(body: Body) -> scoring.Policy:
    """The body's own policy, else the city default, else the built-in defaults."""
    policy = (
        TierPolicy.objects.filter(body=body).first()
        or TierPolicy.objects.filter(body__isnull=True).first()
    )
    return policy.as_policy() if policy else scoring.Policy()


def scope_of(body: Body) -> Any:
    """The enterprises a body inspects: in its area (its county, or its city's counties and
    zones), active, with an item for their industry or with a licensed business-scope entry
    the body approves (谁审批谁监管)."""
    enterprises = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).select_related(
        "industry"
    )
    if body.level == Body.Level.COUNTY:
        enterprises = enterprises.filter(district=body.district)
    else:  # a city's body: the city's counties and zones, not the rest of the province
        enterprises = enterprises.filter(district__in=District.objects.area_codes(body.district_id))
    prefixes: set[str] = set()
    for industries in (
        Item.objects.published().filter(body=body).values_list("industries", flat=True)
    ):
        if not industries:
            return enterprises
        prefixes.update(p for p in industries.split(",") if p)
    licensed = enterprises.filter(pk__in=licensed_lines(body).values("version__enterprise_id"))
    if not prefixes:
        return licensed
    return enterprises.in_industries(prefixes) | licensed


def rules_by_body(body: Body) -> list[FrequencyRule]:
    """The body's rules, longest industry prefix first, ending with the catch-all."""
    rules = sorted(body.frequency_rules.all(), key=lambda r: -len(r.industry_prefix))
    if not any(r.industry_prefix == "" for r in rules):
        rules.append(FrequencyRule(body=body))
    return rules


def rule_for(rules: list[FrequencyRule], industry_code: str) -> FrequencyRule:
    for rule in rules:
        if industry_code.startswith(rule.industry_prefix):
            return rule
    return rules[-1]


@dataclass(frozen=True)
class Contradiction:
    enterprise: Enterprise
    level: str
    minimum: int
    cap: int


def contradictions(body: Body) -> list[Contradiction]:
    """Every enterprise whose tier asks for more visits than the annual cap allows."""
    rules = rules_by_body(body)
    found = []
    tiers = Tier.objects.filter(body=body).select_related("enterprise__industry")
    for tier in tiers.iterator(chunk_size=2000):
        rule = rule_for(rules, full_industry_code(tier.enterprise))
        if rule.contradicts(tier.level):
            found.append(
                Contradiction(
                    tier.enterprise, tier.level, rule.minimum_for(tier.level), rule.annual_cap
                )
            )
    return found


def windows(year: int, per_year: int) -> list[tuple[dt.date, dt.date]]:
    """The year split in `per_year` equal periods: quarters for 4, half-years for 2."""
    months = 12 // max(1, min(per_year, 12))
    spans = []
    for n in range(12 // months):
        start = dt.date(year, 1 + n * months, 1)
        end_month = (n + 1) * months
        end = dt.date(year + 1, 1, 1) if end_month == 12 else dt.date(year, end_month + 1, 1)
        spans.append((start, end - dt.timedelta(days=1)))
    return spans


def applicable_items(items: list[Item], industry_code: str, *more: str) -> list[Item]:
    """The items that apply to an industry, or to any of several (see `for_industry`)."""
    codes = (industry_code, *more)
    return [
        item
        for item in items
        if not item.industry_prefixes
        or any(code.startswith(p) for p in item.industry_prefixes for code in codes)
    ]
