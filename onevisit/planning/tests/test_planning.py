"""From items and tiers to accepted tasks to joint visits, as the people who use it see it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from onevisit.audit.actions import Actor
from onevisit.audit.models import AuditEntry
from onevisit.catalog.models import Item
from onevisit.catalog.tests.test_items import food_item
from onevisit.planning.actions import (
    do_add_special_entry,
    do_create_task,
    do_decide_plan,
    do_execute_planning_run,
    do_file_plan,
    do_generate_plan,
    do_override_tier,
    do_recompute_tiers,
    do_start_planning_run,
)
from onevisit.planning.models import (
    AnnualPlan,
    DoorLimit,
    FrequencyRule,
    PlannedVisit,
    PlanningRun,
    Task,
    Tier,
    TierHistory,
    TierPolicy,
    UnplacedTask,
)
from onevisit.planning.queries import contradictions, rule_for, rules_by_body
from onevisit.registry.models import Body, District, Enterprise, Inspector
from onevisit.testing import TODAY, PersonaTestCase, make_enterprise, other_city_district
from onevisit.versions.actions import versions_of

ACTOR = Actor.system("test")
YEAR = 2027


def waste_item(body: Body) -> Item:
    from onevisit.catalog.actions import PointFields, do_create_item, do_publish_item

    item = do_create_item(
        actor=ACTOR,
        body=body,
        fields={
            "code": "STHJ-001",
            "name": "排污许可证执行情况检查",
            "legal_basis": "《排污许可管理条例》第十七条",
            "industries": "C",
        },
        points=[PointFields("按证排污", "排放口与许可证一致", "现场核对")] * 3,
    )
    return do_publish_item(actor=ACTOR, item=item)


class PlanningCase(PersonaTestCase):
    """Two bodies that both check the bearing works (a large C34 firm in credit class C)."""

    shop: Enterprise
    market_item: Item
    waste: Item

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        TierPolicy.objects.create(body=None, industry_points="C34 30\nC 10")
        cls.bearing.credit_class = "C"
        cls.bearing.employees = 420
        cls.bearing.save()
        cls.shop = make_enterprise(
            "临清惠民超市", serial=3, district="371581", industry="52", industry_code="5211"
        )
        cls.market_item = food_item(cls.market)
        cls.market_item.industries = ""  # the market regulator checks every industry here
        cls.market_item.save()
        cls.waste = waste_item(cls.ecology)
        linqing = District.objects.get(code="371581")
        for n, body in enumerate([cls.market, cls.ecology]):
            inspector = Inspector.objects.create(
                name=f"检查员{n}",
                body=body,
                certificate_number=f"3715202300010{n}",
                certificate_valid_from=TODAY - dt.timedelta(days=30),
                certificate_valid_until=TODAY + dt.timedelta(days=900),
            )
            inspector.districts.set([linqing])
        Inspector.objects.filter(body=cls.ecology).update(
            certificate_valid_until=TODAY + dt.timedelta(days=900)
        )
        Inspector.objects.get(certificate_number="37152023000002").districts.add(linqing)


class TierTest(PlanningCase):
    def test_it_scores_each_enterprise_with_the_factors_it_shows(self) -> None:
        do_recompute_tiers(self.market)
        tier = Tier.objects.get(enterprise=self.bearing, body=self.market)
        assert tier.level == "red"
        assert [(f["code"], f["points"]) for f in tier.factors] == [
            ("industry", 30),
            ("size", 10),
            ("credit", 20),
        ]
        assert Tier.objects.get(enterprise=self.shop, body=self.market).level == "green"
        assert TierHistory.objects.filter(enterprise=self.bearing, source="computed").count() == 1
        do_recompute_tiers(self.market)  # nothing changed, nothing new in the history
        assert TierHistory.objects.filter(enterprise=self.bearing).count() == 1

    def test_it_scores_a_city_bodys_own_city_and_not_the_rest_of_the_province(self) -> None:
        other_city_district()
        jinan = make_enterprise("济南鑫源轴承有限公司", serial=90, district="370102")
        do_recompute_tiers(self.market)
        scored = set(Tier.objects.filter(body=self.market).values_list("enterprise", flat=True))
        assert self.bearing.pk in scored and jinan.pk not in scored

    def test_it_recomputes_the_tiers_when_the_enterprise_record_changes(self) -> None:
        from onevisit.registry.actions import do_update_enterprise

        do_recompute_tiers(self.market)
        assert Tier.objects.get(enterprise=self.shop, body=self.market).level == "green"
        with self.captureOnCommitCallbacks(execute=True):
            do_update_enterprise(
                actor=ACTOR, enterprise=self.shop, fields={"credit_class": "D", "employees": 500}
            )
        tier = Tier.objects.get(enterprise=self.shop, body=self.market)
        assert (tier.level, tier.score) == ("yellow", 50)

    def test_it_keeps_an_override_with_reason_author_and_expiry(self) -> None:
        do_recompute_tiers(self.market)
        tier = Tier.objects.get(enterprise=self.shop, body=self.market)
        do_override_tier(
            actor=ACTOR,
            tier=tier,
            level="yellow",
            reason="群众举报较多",
            until=TODAY + dt.timedelta(days=90),
            by=self.alice,
        )
        assert tier.level == "yellow"
        with mock.patch.object(timezone, "localdate", return_value=TODAY + dt.timedelta(days=91)):
            assert tier.level == "green"
        history = TierHistory.objects.filter(enterprise=self.shop, source="override").get()
        assert (history.by, history.reason) == (self.alice, "群众举报较多")
        with pytest.raises(ValueError, match="理由"):
            do_override_tier(
                actor=ACTOR, tier=tier, level="red", reason=" ", until=TODAY, by=self.alice
            )

    def test_it_shows_tiers_and_factors_on_the_enterprise_page(self) -> None:
        do_recompute_tiers(self.market)
        do_recompute_tiers(self.ecology)
        url = reverse("planning:enterprise_panel", args=[self.bearing.pk])
        page = self.client_for(self.supervisor).get(url).content.decode()
        assert "聊城市市场监督管理局" in page and "聊城市生态环境局" in page
        assert "+30" in page
        alice_page = self.client_for(self.alice).get(url).content.decode()
        assert "聊城市生态环境局" not in alice_page  # another body's assessment
        assert self.client_for(self.erin).get(url).status_code == 200  # its own enterprise
        assert self.client_for(self.frank).get(url).status_code == 404
        assert self.client_for(self.stranger).get(url).status_code == 403


class RuleTest(PlanningCase):
    def test_it_reports_enterprises_where_a_minimum_exceeds_the_cap(self) -> None:
        FrequencyRule.objects.create(body=self.market, annual_cap=2)
        do_recompute_tiers(self.market)
        found = contradictions(self.market)
        assert [(c.enterprise, c.minimum, c.cap) for c in found] == [(self.bearing, 4, 2)]
        page = self.client_for(self.alice).get(reverse("planning:rules")).content.decode()
        assert "聊城鑫源轴承有限公司" in page

    def test_it_targets_a_rule_at_any_level_of_the_industry_table(self) -> None:
        url = reverse("planning:rules")
        rule = {"rule-red_per_year": "2", "rule-yellow_per_year": "1", "save_rule": "1"}
        rule |= {"rule-green_sample_share": "0.05", "rule-annual_cap": "4"}
        page = self.client_for(self.alice).post(url, {**rule, "rule-industry_prefix": "6000"})
        assert page.status_code == 200
        assert "6000" in page.content.decode()
        assert not FrequencyRule.objects.filter(body=self.market).exists()
        self.client_for(self.alice).post(url, {**rule, "rule-industry_prefix": "345"})
        saved = FrequencyRule.objects.get(body=self.market)
        assert saved.industry_prefix == "C345"  # the group of 滚动轴承制造 (C3451)
        assert rule_for(rules_by_body(self.market), "C3451") == saved


class PolicyFormTest(PlanningCase):
    """The scoring rules' form shows what is in force; saving it unchanged changes nothing."""

    def post_form(self, **changes: str) -> None:
        page = self.client_for(self.alice).get(reverse("planning:rules"))
        form = page.context["policy_form"]
        data = {
            f"policy-{name}": "" if value is None else str(value)
            for name, value in form.initial.items()
            if name in form.fields
        }
        assert data["policy-industry_points"] == "C34 30\nC 10"  # the city's rules, in force
        data.update({f"policy-{k}": v for k, v in changes.items()})
        self.client_for(self.alice).post(reverse("planning:rules"), {**data, "save_policy": "1"})

    def test_it_shows_the_rules_in_force_and_an_unchanged_save_changes_nothing(self) -> None:
        do_recompute_tiers(self.market)
        before = Tier.objects.get(enterprise=self.bearing, body=self.market)
        self.post_form()
        assert not TierPolicy.objects.filter(body=self.market).exists()
        after = Tier.objects.get(enterprise=self.bearing, body=self.market)
        assert (after.level, after.score) == (before.level, before.score) == ("red", 60)

    def test_it_refuses_risk_points_for_codes_outside_the_industry_table(self) -> None:
        self.post_form(industry_points="C34 30\nC2 10")
        assert not TierPolicy.objects.filter(body=self.market).exists()
        self.post_form(industry_points="C34 30\n345 40")
        saved = TierPolicy.objects.get(body=self.market)
        assert saved.parsed_industry_points() == {"C34": 30, "C345": 40}

    def test_it_keeps_the_reason_of_every_tier_change(self) -> None:
        do_recompute_tiers(self.market)
        self.post_form(industry_points="C 10")
        tier = Tier.objects.get(enterprise=self.bearing, body=self.market)
        assert tier.level != "red"
        change = TierHistory.objects.filter(enterprise=self.bearing, body=self.market).first()
        assert change is not None and change.reason == "评分规则修改"


class PlanTest(PlanningCase):
    def plan(self) -> AnnualPlan:
        do_recompute_tiers(self.market)
        return do_generate_plan(actor=ACTOR, body=self.market, year=YEAR)

    def test_it_drafts_quarterly_checks_for_red_and_leaves_green_to_the_draw(self) -> None:
        plan = self.plan()
        entries = list(plan.entries.order_by("window_start"))
        assert [(e.enterprise, e.window_start.month, e.window_end.month) for e in entries] == [
            (self.bearing, 1, 3),
            (self.bearing, 4, 6),
            (self.bearing, 7, 9),
            (self.bearing, 10, 12),
        ]
        assert list(entries[0].items.all()) == [self.market_item]
        assert (plan.green_pool, plan.green_sample) == (2, 1)

    def test_it_turns_an_accepted_plan_into_tasks_and_flags_late_filing(self) -> None:
        plan = self.plan()
        do_add_special_entry(
            actor=ACTOR,
            plan=plan,
            enterprise=self.shop,
            start=dt.date(YEAR, 5, 1),
            end=dt.date(YEAR, 6, 30),
            items=[self.market_item],
            reason="节日食品安全专项",
        )
        with pytest.raises(ValueError, match="理由"):
            do_add_special_entry(
                actor=ACTOR,
                plan=plan,
                enterprise=self.shop,
                start=dt.date(YEAR, 5, 1),
                end=dt.date(YEAR, 6, 30),
                items=[self.market_item],
                reason="",
            )
        late = dt.datetime(YEAR, 4, 2, 9, tzinfo=dt.UTC)
        with mock.patch.object(timezone, "now", return_value=late):
            do_file_plan(actor=ACTOR, plan=plan)
        assert plan.is_late
        with pytest.raises(ValueError, match="退回理由"):
            do_decide_plan(actor=ACTOR, plan=plan, accept=False, comments="", by=self.supervisor)
        do_decide_plan(actor=ACTOR, plan=plan, accept=True, comments="", by=self.supervisor)
        tasks = Task.objects.filter(body=self.market)
        assert tasks.count() == 5
        assert tasks.filter(kind="special", cause="节日食品安全专项").count() == 1
        assert all(list(t.items.all()) == [self.market_item] for t in tasks)

    def test_it_freezes_a_filed_plan_and_files_a_returned_one_again_as_its_next_version(
        self,
    ) -> None:
        plan = self.plan()
        do_file_plan(actor=ACTOR, plan=plan)
        do_decide_plan(
            actor=ACTOR, plan=plan, accept=False, comments="缺少节日专项", by=self.supervisor
        )
        do_add_special_entry(
            actor=ACTOR,
            plan=plan,
            enterprise=self.shop,
            start=dt.date(YEAR, 5, 1),
            end=dt.date(YEAR, 6, 30),
            items=[self.market_item],
            reason="节日食品安全专项",
        )
        do_file_plan(actor=ACTOR, plan=plan)
        first, second = versions_of(plan)
        assert (first.kind, first.state, second.state) == ("filing", "superseded", "current")
        assert second.reason == "缺少节日专项"
        assert len(first.snapshot["entries"]) == 4 and len(second.snapshot["entries"]) == 5
        assert first.intact() and second.intact()

    def test_it_lets_a_body_see_only_its_own_plans_and_the_supervisor_decide(self) -> None:
        plan = self.plan()
        url = reverse("planning:plan_detail", args=[plan.pk])
        assert self.client_for(self.alice).get(url).status_code == 200
        assert self.client_for(self.supervisor).get(url).status_code == 200
        for user in (self.bob, self.ivan, self.erin, self.stranger):
            assert self.client_for(user).get(url).status_code in (403, 404), user
        assert self.client_for(None).get(url).status_code == 302
        self.client_for(self.alice).post(reverse("planning:plan_file", args=[plan.pk]))
        accept = reverse("planning:plan_decide", args=[plan.pk, "accept"])
        assert self.client_for(self.alice).post(accept).status_code == 403
        self.client_for(self.supervisor).post(accept, {"comments": "同意"})
        plan.refresh_from_db()
        assert plan.status == "accepted"

    def test_it_generates_from_the_plans_page(self) -> None:
        do_recompute_tiers(self.market)
        response = self.client_for(self.alice).post(
            reverse("planning:plan_generate"), {"year": YEAR}
        )
        plan = AnnualPlan.objects.get(body=self.market, year=YEAR)
        assert response.status_code == 302 and plan.entries.count() == 4

    def test_it_exports_the_plan_to_excel_and_as_a_pdf_for_filing(self) -> None:
        do_recompute_tiers(self.market)
        plan = do_generate_plan(actor=ACTOR, body=self.market, year=YEAR)
        client = self.client_for(self.alice)
        sheet = client.get(reverse("planning:plan_export", args=[plan.pk, "xlsx"]))
        workbook = load_workbook(io.BytesIO(sheet.content))
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert rows[0][:3] == ("序号", "企业名称", "统一社会信用代码")
        assert len(rows) == 1 + plan.entries.count()
        assert {r[1] for r in rows[1:]} == {self.bearing.name}
        pdf = client.get(reverse("planning:plan_export", args=[plan.pk, "pdf"]))
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        other = self.client_for(self.bob).get(
            reverse("planning:plan_export", args=[plan.pk, "pdf"])
        )
        assert other.status_code in {403, 404}

    def test_it_adds_special_inspections_for_a_pasted_list_or_none_of_it(self) -> None:
        plan = do_generate_plan(actor=ACTOR, body=self.market, year=YEAR)
        url = reverse("planning:plan_special", args=[plan.pk])
        form = {
            "start": f"{YEAR}-05-01",
            "end": f"{YEAR}-05-31",
            "items": [self.market_item.pk],
            "reason": "省局部署：夏季食品安全专项检查",
        }
        codes = f"{self.bearing.uscc}\n  {self.shop.uscc.lower()}  \n91371500MA0000000X\n"
        refused = self.client_for(self.alice).post(url, {**form, "usccs": codes}, follow=True)
        self.assertContains(refused, "第 3 行")
        assert not plan.entries.filter(kind="special").exists()
        self.client_for(self.alice).post(url, {**form, "usccs": codes.rsplit("\n", 2)[0]})
        specials = plan.entries.filter(kind="special")
        assert {e.enterprise for e in specials} == {self.bearing, self.shop}
        assert {e.reason for e in specials} == {"省局部署：夏季食品安全专项检查"}


class RunTest(PlanningCase):
    def accept_both(self) -> None:
        for body in (self.market, self.ecology):
            do_recompute_tiers(body)
            plan = do_generate_plan(actor=ACTOR, body=body, year=YEAR)
            do_file_plan(actor=ACTOR, plan=plan)
            do_decide_plan(actor=ACTOR, plan=plan, accept=True, comments="", by=self.supervisor)

    def test_it_merges_two_bodies_quarterly_checks_into_four_joint_visits(self) -> None:
        self.accept_both()
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(self.supervisor).post(reverse("planning:start_run"), {"year": YEAR})
        run = PlanningRun.objects.get()
        assert (run.status, run.total, run.visits, run.joint_visits) == ("done", 8, 4, 4)
        assert (run.baseline_visits, run.lower_bound, run.unscheduled) == (8, 4, 0)
        visit = PlannedVisit.objects.filter(run=run).order_by("week").first()
        assert visit is not None
        assert {t.body for t in visit.tasks.all()} == {self.market, self.ecology}
        assert visit.lead_body == self.ecology  # three points against two
        assert visit.inspectors.count() >= 2
        page = (
            self.client_for(self.supervisor)
            .get(reverse("planning:coordination"), {"year": YEAR})
            .content.decode()
        )
        assert "聊城鑫源轴承有限公司" in page and "50.0%" in page
        assert run.upper_bound_placed == 8 and "最多可能安排 8 项" in page
        assert "更多检查人员、更多工作量或更宽的时间窗口" not in page  # nothing left to place
        second = do_create_task(  # a second check of the same body, merged into the visit
            actor=ACTOR,
            enterprise=self.bearing,
            body=self.market,
            kind="deployed",
            start=visit.week_start,
            end=visit.week_start + dt.timedelta(days=120),  # listed after the other body's
            items=[self.market_item],
            cause="省局部署",
        )
        visit.tasks.add(second)
        panel = self.client_for(self.supervisor).get(
            reverse("planning:enterprise_panel", args=[self.bearing.pk])
        )
        rows = re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td><td>(.*?)<", panel.content.decode())
        names = [[n.strip() for n in r.split("、")] for r in rows]
        assert names and all(len(n) == len(set(n)) for n in names), rows  # each body once
        plan = AnnualPlan.objects.filter(body=self.market).first()
        assert plan is not None
        detail = self.client_for(self.alice).get(reverse("planning:plan_detail", args=[plan.pk]))
        self.assertContains(detail, f"{YEAR}-01-01 – {YEAR}-03-31")  # windows with their year

    def test_it_plans_each_city_of_a_province_on_its_own_in_parallel_runs(self) -> None:
        self.accept_both()
        other_city_district()
        jinan = make_enterprise("济南鑫源轴承有限公司", serial=91, district="370102")
        far = do_create_task(
            actor=ACTOR,
            enterprise=jinan,
            body=self.market,
            kind="deployed",
            start=dt.date(YEAR, 3, 1),
            end=dt.date(YEAR, 5, 31),
            items=[self.market_item],
            cause="省局部署",
        )
        supervisor = self.client_for(self.supervisor)
        page = supervisor.get(reverse("planning:coordination"), {"year": YEAR}).content.decode()
        assert "每个市单独规划（并行）" in page and "济南市" in page
        with self.captureOnCommitCallbacks(execute=True):
            response = supervisor.post(
                reverse("planning:start_run"), {"year": YEAR, "city": "each"}, follow=True
            )
        self.assertContains(response, "已排队 2 次规划运行")
        liaocheng = PlanningRun.objects.get(city="371500")
        elsewhere = PlanningRun.objects.get(city="370100")
        assert (liaocheng.status, liaocheng.total, liaocheng.visits) == ("done", 8, 4)
        assert (elsewhere.status, elsewhere.total) == ("done", 1)
        assert not PlannedVisit.objects.filter(run=liaocheng, tasks=far).exists()
        assert UnplacedTask.objects.filter(run=elsewhere, task=far).exists()  # no one serves 历下
        assert sorted(PlanningRun.objects.current_ids()) == sorted([liaocheng.pk, elsewhere.pk])
        overview = supervisor.get(reverse("planning:coordination"), {"year": YEAR})
        self.assertContains(overview, "?year=2027&amp;city=370100")
        one = supervisor.get(
            reverse("planning:coordination"), {"year": str(YEAR), "city": "370100"}
        )
        assert one.context["run"] == elsewhere
        whole = do_execute_planning_run(
            do_start_planning_run(actor=ACTOR, year=YEAR, by=self.supervisor)
        )
        assert PlanningRun.objects.current_ids() == [whole.pk]  # replaces the cities' runs
        with self.captureOnCommitCallbacks(execute=True):
            supervisor.post(reverse("planning:start_run"), {"year": YEAR, "city": "371500"})
        again = PlanningRun.objects.get(city="371500", pk__gt=whole.pk)
        assert PlanningRun.objects.current_ids() == [again.pk]  # never two plans for one city
        for wanted in ("999900", ""):  # a province plans city by city
            refused = supervisor.post(
                reverse("planning:start_run"), {"year": YEAR, "city": wanted}, follow=True
            )
            self.assertContains(refused, "请选择本省的一个市")
        assert PlanningRun.objects.count() == 4
        assert (
            self.client_for(self.alice)
            .post(reverse("planning:start_run"), {"year": YEAR, "city": "each"})
            .status_code
            == 403
        )

    def test_it_leaves_the_next_years_tasks_to_the_next_run(self) -> None:
        self.accept_both()
        later = do_create_task(
            actor=ACTOR,
            enterprise=self.shop,
            body=self.market,
            kind="routine",
            start=dt.date(YEAR + 1, 1, 1),
            end=dt.date(YEAR + 1, 6, 30),
            items=[self.market_item],
        )
        run = do_execute_planning_run(
            do_start_planning_run(actor=ACTOR, year=YEAR, by=self.supervisor)
        )
        assert not PlannedVisit.objects.filter(run=run, tasks=later).exists()
        assert not UnplacedTask.objects.filter(run=run, task=later).exists()
        for visit in PlannedVisit.objects.filter(run=run).prefetch_related("tasks"):
            for task in visit.tasks.all():  # never outside a task's window
                assert task.window_start <= visit.week_start + dt.timedelta(days=4)
                assert visit.week_start <= task.window_end

    def test_it_says_why_a_task_was_not_placed(self) -> None:
        self.accept_both()
        Inspector.objects.filter(body=self.ecology).update(active=False)
        run = do_execute_planning_run(
            do_start_planning_run(actor=ACTOR, year=YEAR, by=self.supervisor)
        )
        assert run.unscheduled == 4
        page = (
            self.client_for(self.supervisor)
            .get(reverse("planning:coordination"), {"year": YEAR})
            .content.decode()
        )
        assert "没有该部门的执法人员负责企业所在区县" in page
        # no plan can place them: the page says what would help
        assert run.upper_bound_placed == 4 and "更多检查人员、更多工作量或更宽的时间窗口" in page
        # where the planner could not prove its plan the best, the page shows the gap
        PlanningRun.objects.filter(pk=run.pk).update(upper_bound_placed=6)
        page = (
            self.client_for(self.supervisor)
            .get(reverse("planning:coordination"), {"year": YEAR})
            .content.decode()
        )
        assert "最多可能安排 6 项" in page and "更好的安排最多还能多安排 2 项任务" in page

    def test_it_gives_each_inspector_a_schedule_and_a_calendar_feed(self) -> None:
        self.accept_both()
        run = do_execute_planning_run(
            do_start_planning_run(actor=ACTOR, year=YEAR, by=self.supervisor)
        )
        inspector = PlannedVisit.objects.filter(run=run).first().inspectors.first()  # type: ignore[union-attr]
        assert inspector is not None
        url = reverse("planning:schedule", args=[inspector.pk])
        assert self.client_for(self.supervisor).get(url).status_code == 200
        assert self.client_for(self.erin).get(url).status_code == 403
        page = self.client_for(self.supervisor).get(url).content.decode()
        feed = page.split("<code>")[1].split("</code>")[0].replace("&amp;", "&")
        response = self.client_for(None).get(feed)
        assert response.status_code == 200
        events = Calendar.from_ical(response.content).walk("VEVENT")
        assert len(events) == inspector.planned_visits.filter(run=run).count() >= 1
        assert all("聊城鑫源轴承有限公司" in str(event["summary"]) for event in events)
        forged = feed.split("?")[0] + "?key=1:forged"
        assert self.client_for(None).get(forged).status_code == 403

    def test_it_plans_with_the_citys_limits_at_the_door_and_shows_who_comes(self) -> None:
        self.accept_both()
        url = reverse("planning:door_limit")
        supervisor = self.client_for(self.supervisor)
        response = supervisor.post(url, {"year": YEAR, "max_bodies": 1, "max_inspectors": 8})
        assert response.status_code == 302
        assert (DoorLimit.objects.get().max_bodies, DoorLimit.objects.get().max_inspectors) == (
            1,
            8,
        )
        assert AuditEntry.objects.filter(action="door").exists()
        with self.captureOnCommitCallbacks(execute=True):
            supervisor.post(reverse("planning:start_run"), {"year": YEAR})
        run = PlanningRun.objects.get()
        assert (run.door_max_bodies, run.door_max_inspectors) == (1, 8)
        # one body per door: the two bodies' quarterly checks are no longer merged
        assert (run.visits, run.joint_visits, run.unscheduled) == (8, 0, 0)
        assert run.distribution["bodies"] == {"1": 8}
        page = supervisor.get(reverse("planning:coordination"), {"year": YEAR}).content.decode()
        assert "按每次入企至多 1 个部门、8 名人员编排" in page
        assert "入企部门数" in page and "入企人数" in page

    def test_it_refuses_limits_at_the_door_that_no_visit_can_keep(self) -> None:
        url = reverse("planning:door_limit")
        supervisor = self.client_for(self.supervisor)
        for wrong in (
            {"max_bodies": 0, "max_inspectors": 8},
            {"max_bodies": 4, "max_inspectors": 3},
        ):
            response = supervisor.post(url, {"year": YEAR, **wrong})
            assert response.status_code == 422  # the page again, with what was typed
            page = response.content.decode()
            assert "已保存" not in page
            assert f'name="max_bodies" value="{wrong["max_bodies"]}"' in page
        self.assertContains(response, "人员上限不能少于部门上限", status_code=422)
        assert not DoorLimit.objects.exists()
        for user in (self.alice, self.ivan, self.erin, self.stranger):
            response = self.client_for(user).post(url, {"max_bodies": 9, "max_inspectors": 20})
            assert response.status_code == 403
        assert not DoorLimit.objects.exists()

    def test_it_keeps_one_level_of_a_system_per_matter_and_records_the_other_as_recognised(
        self,
    ) -> None:
        linqing = District.objects.get(code="371581")
        county = Body.objects.create(
            name="临清市市场监督管理局",
            code="LQ-SCJG",
            kind="administrative",
            level="county",
            district=linqing,
            published=True,
        )
        for n in (1, 2):
            Inspector.objects.create(
                name=f"临清检查员{n}",
                body=county,
                certificate_number=f"3715812300020{n}",
                certificate_valid_from=TODAY - dt.timedelta(days=30),
                certificate_valid_until=TODAY + dt.timedelta(days=900),
            ).districts.set([linqing])
        same_matter = food_item(county, code=self.market_item.code)
        start = dt.date(YEAR, 3, 1)
        city_task, county_task, other_matter = (
            do_create_task(
                actor=ACTOR,
                enterprise=self.bearing,
                body=body,
                kind="deployed",
                start=start,
                end=start + dt.timedelta(days=60),
                items=[item],
                cause="省局部署",
            )
            for body, item in (
                (self.market, self.market_item),
                (county, same_matter),
                (self.ecology, self.waste),
            )
        )
        # at the shop each level also checks an item of its own: the city keeps its own
        city_both, county_both = (
            do_create_task(
                actor=ACTOR,
                enterprise=self.shop,
                body=body,
                kind="deployed",
                start=start,
                end=start + dt.timedelta(days=60),
                items=items,
                cause="省局部署",
            )
            for body, items in (
                (self.market, [self.market_item, food_item(self.market, code="SCJG-077")]),
                (county, [same_matter, food_item(county, code="SCJG-088")]),
            )
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(self.supervisor).post(reverse("planning:start_run"), {"year": YEAR})
        city_both.refresh_from_db()
        assert (city_both.status, city_both.covered_by) == (Task.Status.OPEN, county_both)
        assert [item.code for item in city_both.items.all()] == ["SCJG-077"]
        assert "保留其他检查事项" in city_both.recognised_reason
        city_task.refresh_from_db()
        assert city_task.status == Task.Status.RECOGNISED
        assert city_task.covered_by == county_task
        assert "临清市市场监督管理局" in city_task.recognised_reason
        assert "默认由下级实施" in city_task.recognised_reason
        assert AuditEntry.objects.filter(action="recognise", object_id=str(city_task.pk)).exists()
        run = PlanningRun.objects.get()
        assert run.status == "done"
        [visit] = PlannedVisit.objects.filter(run=run, tasks=county_task)
        assert set(visit.tasks.all()) == {county_task, other_matter}
        assert not PlannedVisit.objects.filter(run=run, tasks=city_task).exists()

    def test_it_lets_only_the_supervisor_start_a_run(self) -> None:
        url = reverse("planning:start_run")
        for user in (self.alice, self.ivan, self.erin, self.stranger):
            assert self.client_for(user).post(url, {"year": YEAR}).status_code == 403
        assert not PlanningRun.objects.exists()


class PlanFileTest(PersonaTestCase):
    def test_it_plans_the_issue_example_file(self) -> None:
        import tempfile

        folder = Path(tempfile.mkdtemp())
        data: dict[str, Any] = {
            "horizon": {"start": "2027-01-04", "weeks": 52},
            "bodies": [{"id": "SCJG"}, {"id": "STHJ"}],
            "enterprises": [{"id": "E1", "district": "371581", "caps": {"SCJG": 4}}],
            "inspectors": [
                {
                    "id": f"{b}-{n}",
                    "body": b,
                    "districts": ["371581"],
                    "capacity_per_week": 3,
                    "unavailable_weeks": [0],
                }
                for b in ("SCJG", "STHJ")
                for n in (1, 2)
            ],
            "tasks": [
                {
                    "id": "T1",
                    "enterprise": "E1",
                    "body": "SCJG",
                    "items": ["SCJG-001"],
                    "window": [0, 12],
                    "kind": "routine",
                },
                {
                    "id": "T2",
                    "enterprise": "E1",
                    "body": "STHJ",
                    "items": ["STHJ-001"],
                    "window": [10, 25],
                    "kind": "triggered",
                },
            ],
        }
        source, target = folder / "in.json", folder / "out.json"
        source.write_text(json.dumps(data), encoding="utf-8")
        call_command("plan-file", str(source), str(target))
        out = json.loads(target.read_text(encoding="utf-8"))
        assert out["lower_bound"] == 1 and out["baseline_visits"] == 2
        assert out["placed"] == out["upper_bound_placed"] == 2
        assert [(v["week"], sorted(v["tasks"])) for v in out["visits"]] == [(12, ["T1", "T2"])]
        assert out["unscheduled"] == []

        data["tasks"][1]["window"] = [30, 20]
        source.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(CommandError, match=r"tasks\[1\] \(id 'T2'\)"):
            call_command("plan-file", str(source), str(target))
        source.write_text("{not json", encoding="utf-8")
        with pytest.raises(CommandError):
            call_command("plan-file", str(source), str(target))


def test_it_plans_a_window_only_in_weeks_whose_working_days_lie_inside_it() -> None:
    from onevisit.planning.instances import first_monday, window_weeks

    start = first_monday(2027)  # Monday 4 January
    assert window_weeks(dt.date(2027, 1, 1), dt.date(2027, 3, 31), start, 52) == (0, 11)
    assert window_weeks(dt.date(2027, 4, 1), dt.date(2027, 6, 30), start, 52) == (13, 24)
    assert window_weeks(dt.date(2027, 10, 1), dt.date(2027, 12, 31), start, 52) == (39, 51)
    assert window_weeks(dt.date(2027, 3, 3), dt.date(2027, 3, 5), start, 52) == (8, 8)
    # the next year's plan starts on Saturday 1 January 2028: no working day of it in 2027's run
    assert window_weeks(dt.date(2028, 1, 1), dt.date(2028, 6, 30), start, 52) is None
    assert window_weeks(dt.date(2027, 12, 30), dt.date(2028, 1, 5), start, 52) == (51, 51)
    assert window_weeks(dt.date(2027, 3, 6), dt.date(2027, 3, 7), start, 52) is None  # a weekend
