"""The demo city: deterministic, valid, and harmless to load twice."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase

from onevisit.accounts.models import User
from onevisit.audit.actions import verify_chain
from onevisit.registry import demo
from onevisit.registry.identifiers import validate_uscc
from onevisit.registry.models import Body, Enterprise, Inspector


class DemoTest(TestCase):
    def test_it_loads_the_city_once_and_again_harmlessly(self) -> None:
        out = io.StringIO()
        call_command("demo", "--no-serve", "--enterprises", "60", stdout=out)
        assert "60 enterprises" in out.getvalue() and "supervisor" in out.getvalue()
        first = (
            Enterprise.objects.count(),
            Body.objects.count(),
            Inspector.objects.count(),
            User.objects.count(),
        )
        call_command("demo", "--no-serve", "--enterprises", "60", stdout=io.StringIO())
        assert (
            Enterprise.objects.count(),
            Body.objects.count(),
            Inspector.objects.count(),
            User.objects.count(),
        ) == first
        assert first[1] == len(demo.CITY_BODIES) + 8 * len(demo.COUNTY_DEPARTMENTS)
        assert Body.objects.get(code="LC-NYZF").entrusted_by == Body.objects.get(code="LC-NYNC")
        assert verify_chain().reason == ""
        call_command("demo", "--no-serve", "--enterprises", "80", stdout=io.StringIO())
        assert Enterprise.objects.count() == 80

    def test_it_generates_valid_unique_codes_and_names(self) -> None:
        from django.core.management import call_command as migrate_call  # noqa: F401

        items = list(demo.enterprises(3000))
        assert len({e.uscc for e in items}) == 3000
        assert len({e.name for e in items}) == 3000
        for item in items:
            validate_uscc(item.uscc)
        assert items[:5] == list(demo.enterprises(5))
        assert any("轴承" in e.name and e.district == "371581" for e in items)
