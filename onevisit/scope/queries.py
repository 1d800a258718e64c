"""Reads of the business scope: what an enterprise has published, and the licensed entries that
tie it to the bodies that approve them (谁审批谁监管)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from onevisit.registry.models import Body, Enterprise
from onevisit.scope.models import Entry, EntryQuerySet, Line, Version


def licensed_lines(body: Body) -> QuerySet[Line]:
    return Line.objects.filter(
        version__current=True, entry__licensed=True, entry__approving_body=body
    )


def licensed_codes(body: Body, enterprise_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Per enterprise, the industry classes of the licensed entries the body approves in its
    current published scope: the body's items for these apply to it too."""
    lines = licensed_lines(body)
    if enterprise_ids is not None:
        lines = lines.filter(version__enterprise_id__in=list(enterprise_ids))
    codes: dict[int, set[str]] = defaultdict(set)
    for enterprise_id, code in lines.values_list("version__enterprise_id", "entry__industry_code"):
        codes[enterprise_id].add(code)
    return codes


def current_scope(enterprise: Enterprise) -> Version | None:
    return (
        Version.objects.filter(enterprise=enterprise, current=True)
        .prefetch_related("lines__entry__approving_body")
        .first()
    )


def usable_entries(enterprise: Enterprise) -> EntryQuerySet:
    """The standard entries and the published regional ones of the enterprise's district (or
    of the city above it)."""
    districts = [enterprise.district_id]
    if enterprise.district.parent_id:
        districts.append(enterprise.district.parent_id)
    return Entry.objects.usable().filter(
        Q(regional=False) | Q(regional=True, district_id__in=districts)
    )
