"""Who sees the 亩产效益 evaluation and acts on it.

- Officials see the years and the results (scores, classes, each indicator's points); a city's
  supervisor in a province those of the years that evaluate their city or its counties.
- The figures are each one department's: the lead department sees all of them, a source
  department those it reports, the enterprise its own (`visible_figures`).
- The lead department's admins open a year, score, publish, decide objections and finalise.
- A source department's admins import the figures the year assigns to their department only.
- An enterprise sees its own entry (figures, score, parts), confirms it or objects.
- Anyone sees the published classes (公示) and the final ones.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from onevisit.accounts.models import User
from onevisit.evaluation.models import FIGURE_CODES, Entry, Year
from onevisit.registry.access import require_login


def years_for_official(user: Any) -> QuerySet[Year]:
    """Every area's years, or for a city's supervisor those of their city and its counties."""
    found = require_login(user)
    if not found.is_official:
        raise PermissionDenied("Only officials see the evaluation's working pages.")
    return Year.objects.filter(found.in_area("area")).select_related("lead_body", "area")


def is_lead(user: Any, year: Year) -> bool:
    return bool(getattr(user, "is_body_admin", False) and user.body_id == year.lead_body_id)


def require_lead(user: Any, year: Year) -> User:
    found = require_login(user)
    if not is_lead(found, year):
        raise PermissionDenied("Only the lead department's admins do this.")
    return found


def may_import(user: Any, year: Year) -> bool:
    if not getattr(user, "is_body_admin", False):
        return False
    return is_lead(user, year) or year.sources.filter(body_id=user.body_id).exists()


def require_importer(user: Any, year: Year) -> User:
    found = require_login(user)
    if not may_import(found, year):
        raise PermissionDenied("Only the departments that report this year's figures import.")
    return found


def entry_for(user: Any, year: Year, pk: int | None = None) -> Entry:
    """An official's view of any entry, or an enterprise user's of its own."""
    found = require_login(user)
    entries = Entry.objects.select_related("enterprise", "year")
    if found.is_official and pk is not None:
        return get_object_or_404(entries, year=year, pk=pk)
    if found.is_enterprise_user:
        return get_object_or_404(entries, year=year, enterprise_id=found.enterprise_id)
    raise PermissionDenied("Only officials and the enterprise itself see an entry.")


def public_year(year_id: int) -> Year:
    year = get_object_or_404(Year.objects.select_related("area"), pk=year_id)
    if year.status == Year.Status.COLLECTING:
        raise PermissionDenied("The year's classes are not published yet.")
    return year


def visible_figures(user: Any, entry: Entry) -> set[str]:
    """The figures of an entry the user may read: the enterprise all of its own, the lead
    department all, a source department those it reports (tax, energy and emissions are each
    one department's confidential data), anyone else none."""
    if getattr(user, "is_enterprise_user", False) and user.enterprise_id == entry.enterprise_id:
        return set(FIGURE_CODES)
    return department_figures(user, entry.year)


def department_figures(user: Any, year: Year) -> set[str]:
    """The figures of a year an official's department may read (all for the lead)."""
    if is_lead(user, year):
        return set(FIGURE_CODES)
    body_id = getattr(user, "body_id", None)
    if body_id is None or not getattr(user, "is_official", False):
        return set()
    return set(year.sources.filter(body_id=body_id).values_list("figure", flat=True))


def sees_indicator_values(user: Any, entry: Entry) -> bool:
    """An indicator's value gives a figure away (tax per mu × land = tax): only those who see
    every figure see them; others see each indicator's ratio and points."""
    return visible_figures(user, entry) == set(FIGURE_CODES)
