"""The demo city: deterministic, valid, and harmless to load twice."""

from __future__ import annotations

import io
from collections import Counter

import pytest
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
        census = io.StringIO()
        call_command("suite", "--check", stdout=census)  # exits 1 on anything that does not hold
        assert "inspection codes: gm " in census.getvalue()
        assert "intl" not in census.getvalue().split("deployment suite")[1]
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


class ProvinceDemoTest(TestCase):
    def test_it_spreads_the_province_over_its_cities_and_keeps_the_city_to_its_own(self) -> None:
        out = io.StringIO()
        call_command("demo", "--no-serve", "--province", "--enterprises", "800", stdout=out)
        assert "Province 山东: 800 enterprises (800 new) in 16 cities." in out.getvalue()
        by_city = Counter(
            Enterprise.objects.values_list("district__parent_id", flat=True).iterator()
        )
        assert len(by_city) == 16 and min(by_city.values()) > 20
        city = set(demo.city_enterprises().values_list("pk", flat=True))
        assert len(city) == by_city["371500"]
        jinan = Enterprise.objects.filter(district__parent_id="370100").first()
        assert jinan is not None and jinan.address.startswith("山东省济南市")
        validate_uscc(jinan.uscc)
        # the demo city's bodies plan, visit and evaluate only their own city's enterprises
        from onevisit.evaluation.models import Entry
        from onevisit.inspections.models import Visit
        from onevisit.planning.models import Tier

        for model in (Tier, Visit, Entry):
            assert set(model.objects.values_list("enterprise_id", flat=True)) <= city, model
        assert User.objects.get(username="enterprise").enterprise_id in city

    def test_it_refuses_more_than_a_province_of_enterprises(self) -> None:
        with pytest.raises(SystemExit):
            call_command(
                "demo",
                "--no-serve",
                "--province",
                "--enterprises",
                "3600001",
                stderr=io.StringIO(),
            )


class DemoTruthTest(TestCase):
    """The demo city tells no impossible story: items only where their industries are, teams
    certified on the day, campaign checks within the campaign, findings with their own measures,
    rectifications waiting on evidence that exists, and an account for every flow."""

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--no-serve", "--enterprises", "300", stdout=io.StringIO())

    def test_it_checks_only_items_that_apply_to_the_enterprises_industry(self) -> None:
        from onevisit.inspections.models import Visit
        from onevisit.planning.models import Task
        from onevisit.planning.queries import applicable_items, full_industry_code

        for holder in [
            *Visit.objects.select_related("enterprise__industry").prefetch_related("items"),
            *Task.objects.select_related("enterprise__industry").prefetch_related("items"),
        ]:
            items = list(holder.items.all())
            fitting = applicable_items(items, full_industry_code(holder.enterprise))
            assert fitting == items, (holder, [i.code for i in items])

    def test_it_plans_joint_visits_an_enterprise_can_bear(self) -> None:
        from onevisit.planning.models import PlannedVisit, PlanningRun, Task

        run = PlanningRun.objects.filter(status="done").first()
        assert run is not None and (run.door_max_bodies, run.door_max_inspectors) == (4, 8)
        visits = PlannedVisit.objects.filter(run=run).prefetch_related("tasks__body", "inspectors")
        bodies_per_visit = []
        for visit in visits:
            bodies = {task.body for task in visit.tasks.all()}
            assert len(bodies) <= 4 and visit.inspectors.count() <= 8, visit
            systems = [body.system_code() for body in bodies]
            assert len(systems) == len(set(systems)), (visit, bodies)  # one level per system
            bodies_per_visit.append(len(bodies))
        joint = [n for n in bodies_per_visit if n > 1]
        assert joint and max(joint) <= 4 and min(joint) >= 2
        recognised = Task.objects.filter(status="recognised", covered_by__isnull=False)
        for task in recognised.select_related("covered_by__body", "body"):
            kept = task.covered_by
            assert kept is not None and kept.body.system_code() == task.body.system_code()
            assert task.recognised_reason

    def test_it_sends_only_inspectors_certified_on_the_day(self) -> None:
        from onevisit.inspections.models import Visit

        for visit in Visit.objects.prefetch_related("inspectors"):
            for inspector in visit.inspectors.all():
                assert inspector.can_inspect(visit.date), (visit, inspector)

    def test_it_dates_campaign_checks_within_the_campaign(self) -> None:
        from django.utils import timezone

        from onevisit.campaigns.models import SiteCheck

        checks = SiteCheck.objects.select_related("target__campaign")
        assert checks.exists()
        for check in checks:
            campaign = check.target.campaign
            assert campaign.starts <= timezone.localdate(check.entered_at) <= campaign.ends

    def test_it_pairs_each_finding_with_its_own_measure_and_evidence(self) -> None:
        from onevisit.rectification.models import Rectification

        rects = Rectification.objects.filter(finding__isnull=False).select_related("finding__point")
        assert rects.exists()
        for rect in rects:
            point = rect.finding.point  # type: ignore[union-attr]
            assert rect.measure == point.guidance and rect.body_id == point.item.body_id
            phrases = {point.content[i : i + 4] for i in range(max(1, len(point.content) - 3))}
            assert any(p in rect.problem for p in phrases), (point.content, rect.problem)
            if rect.status != Rectification.Status.OPEN:
                assert rect.evidence.exclude(file="").exists(), rect

    def test_it_has_an_account_for_every_flow(self) -> None:
        roles = dict(User.objects.values_list("username", "body__code"))
        assert roles["scjg_admin"] == "LC-SCJG"
        assert roles["gxj_admin"] == "LC-GXJ"  # 淘汰落后产能, its monitors' alerts
        assert roles["zjj_admin"] == "LC-ZJ"  # 防汛检查
        assert {"supervisor", "inspector", "enterprise", "admin"} <= set(roles)

    def test_it_evaluates_two_years_of_industrial_enterprises(self) -> None:
        from onevisit.evaluation.actions import recompute
        from onevisit.evaluation.models import Objection, Year

        earlier, later = Year.objects.order_by("year")
        assert (earlier.status, later.status) == ("final", "published")
        assert earlier.entries.count() > 0 and set(
            earlier.entries.values_list("enterprise__industry__section_id", flat=True)
        ) <= {"B", "C"}
        assert recompute(earlier) == {
            e.enterprise_id: (e.score, e.klass) for e in earlier.entries.all()
        }
        pending = Objection.objects.filter(entry__year=later, decision="pending").count()
        assert pending == 2 and earlier.entries.exclude(klass="").count() == earlier.entries.count()
