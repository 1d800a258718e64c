"""The workbench (工作台) each role lands on, and the menu grouped by role: every count is the
user's own work, and every link opens for the user who sees it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from onevisit.inspections.actions import do_propose_slot
from onevisit.inspections.models import Complaint
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase
from onevisit.rectification.models import Rectification
from onevisit.registry.models import Enterprise, Inspector
from onevisit.workbench.menu import menu_for
from onevisit.workbench.queries import Entry, sections_for
from onevisit.workdays.calendar import add_working_days


def entries(sections: list) -> dict[str, Entry]:  # type: ignore[type-arg]
    return {e.label: e for s in sections for e in s.entries}


class WorkbenchTest(VisitTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()

    def rectification(self, enterprise: Enterprise, status: str, deadline: dt.date) -> None:
        Rectification.objects.create(
            enterprise=enterprise,
            unit_name=enterprise.name,
            body=self.market,
            found_on=self.today - dt.timedelta(days=30),
            problem="消防通道堵塞",
            deadline=deadline,
            status=status,
        )

    def test_it_lists_the_inspectors_visits_of_today_and_the_week(self) -> None:
        self.register()
        later = self.task(self.market, self.market_item, self.cable)
        self.register(
            enterprise=later.enterprise, date=self.today + dt.timedelta(days=3), tasks=[later]
        )
        sections = sections_for(self.ivan, self.today)
        found = entries(sections)
        assert found["今日检查"].count == 1
        assert found["未来七天的检查"].count == 1
        assert [v.enterprise for v in sections[0].visits] == [self.bearing]

    def test_it_shows_the_department_admin_its_own_bodys_waiting_work(self) -> None:
        visit = self.register(date=self.today + dt.timedelta(days=2))
        do_propose_slot(
            actor=SYSTEM,
            visit=visit,
            by=self.erin,
            date=add_working_days(self.today, 5),
            reason="设备检修",
        )
        self.rectification(self.bearing, Rectification.Status.SUBMITTED, self.today)
        self.rectification(
            self.bearing, Rectification.Status.OPEN, self.today - dt.timedelta(days=1)
        )
        Inspector.objects.filter(pk=self.mali.pk).update(
            certificate_valid_until=self.today + dt.timedelta(days=20)
        )
        alice = entries(sections_for(self.alice, self.today))
        assert alice["待答复的企业改期申请"].count == 1
        assert alice["待核实的整改"].count == 1
        overdue = alice["逾期未整改"]
        assert overdue.count == 1 and overdue.urgent
        assert alice["60 日内到期的执法证"].count == 1
        bob = entries(sections_for(self.bob, self.today))
        assert bob["待答复的企业改期申请"].count == 0
        assert bob["待核实的整改"].count == 0

    def test_it_shows_the_enterprise_what_is_asked_of_it(self) -> None:
        self.register(date=self.today + dt.timedelta(days=2))
        self.rectification(
            self.bearing, Rectification.Status.OPEN, self.today - dt.timedelta(days=1)
        )
        self.rectification(self.cable, Rectification.Status.OPEN, self.today)
        erin = entries(sections_for(self.erin, self.today))
        assert erin["已告知的检查"].count == 1
        assert erin["待整改的问题"].count == 1 and erin["待整改的问题"].urgent
        frank = entries(sections_for(self.frank, self.today))
        assert frank["已告知的检查"].count == 0
        assert frank["待整改的问题"].count == 1

    def test_it_shows_the_supervisor_complaints_and_plans(self) -> None:
        Complaint.objects.create(text="检查人员未出示证件")
        found = entries(sections_for(self.supervisor, self.today))
        assert found["待处理的投诉"].count == 1
        assert "待处理的投诉" not in entries(sections_for(self.alice, self.today))

    def test_it_links_every_entry_to_a_page_its_user_may_open(self) -> None:
        self.register()
        for user in (self.supervisor, self.alice, self.ivan, self.erin):
            client = self.client_for(user)
            home = client.get(reverse("home"))
            assert home.status_code == 200
            for entry in entries(home.context["sections"]).values():
                if entry.url:
                    response = client.get(entry.url)
                    assert response.status_code == 200, (user.username, entry.label, entry.url)

    def test_it_greets_each_role_with_its_body_or_enterprise(self) -> None:
        assert "聊城鑫源轴承有限公司" in self.client_for(self.erin).get("/").content.decode()
        assert "聊城市市场监督管理局" in self.client_for(self.alice).get("/").content.decode()
        public = self.client_for(None).get("/").content.decode()
        assert "查验检查码" in public and "我要举报" in public


class MenuTest(VisitTestCase):
    def test_it_groups_the_menu_by_the_work_of_each_role(self) -> None:
        titles = {
            user.username: [g.title for g in menu_for(user)]
            for user in (self.supervisor, self.alice, self.ivan, self.erin)
        }
        assert titles["sujian"][0] == "执法监督"
        assert titles["ivan"][0] == "我的工作"
        assert titles["erin"] == ["本企业", "公开信息", "账户"]
        assert [g.title for g in menu_for(None)] == ["公开信息"]

    def test_it_gives_api_links_to_officials_only(self) -> None:
        def labels(user: object) -> set[str]:
            return {link.label for group in menu_for(user) for link in group.links}

        assert "API 令牌" in labels(self.alice)
        assert "API 令牌" not in labels(self.erin)
        assert "API 令牌" not in labels(None)

    def test_it_links_only_pages_its_user_may_open(self) -> None:
        for user in (None, self.supervisor, self.alice, self.ivan, self.erin):
            client = self.client_for(user)
            for group in menu_for(user):
                for link in group.links:
                    if link.url.startswith("/admin/") or link.url.startswith("/api/"):
                        continue
                    response = client.get(link.url, follow=True)
                    assert response.status_code == 200, (user, link.label, link.url)


class ErrorPageTest(VisitTestCase):
    def test_it_answers_403_and_404_in_chinese_in_the_sites_frame_on_a_phone(self) -> None:
        missing = self.client_for(self.erin).get("/no-such-page/")
        assert missing.status_code == 404
        self.assertContains(missing, "此地址没有内容", status_code=404)
        self.assertContains(missing, 'name="viewport"', status_code=404)
        self.assertContains(missing, "返回我的工作台", status_code=404)
        refused = self.client_for(self.erin).get(reverse("oversight:dashboard"))
        assert refused.status_code == 403
        self.assertContains(refused, "您无权打开此页面", status_code=403)
        self.assertContains(refused, 'name="viewport"', status_code=403)

    def test_it_has_a_chinese_server_error_page(self) -> None:
        from django.template.loader import render_to_string

        page = render_to_string("500.html")
        assert "系统出现故障" in page and 'name="viewport"' in page
        expired = render_to_string("403_csrf.html", {})
        assert "表单已失效" in expired and 'name="viewport"' in expired


class EvaluationAndScopeWorkbenchTest(VisitTestCase):
    """The lead department sees its 公示 deadline and the objections waiting; the enterprise its
    result, its objection's state and its diagnosis; market regulation the regional entries to
    review, the county those returned to it."""

    def test_it_shows_the_lead_the_deadline_and_the_objections_waiting(self) -> None:
        from onevisit.evaluation.models import Entry as EvaluationEntry
        from onevisit.evaluation.models import Objection, Year

        today = timezone.localdate()
        year = Year.objects.create(
            year=2025,
            lead_body=self.market,
            area_id="371500",
            status=Year.Status.PUBLISHED,
            published_on=today,
            objections_until=today + dt.timedelta(days=5),
        )
        entry = EvaluationEntry.objects.create(year=year, enterprise=self.bearing, klass="C")
        Objection.objects.create(entry=entry, reason="用地面积有误")
        lead = entries(sections_for(self.alice, today))
        shown = next(e for label, e in lead.items() if "2025" in label and "公示" in label)
        assert shown.count == 1 and str(today + dt.timedelta(days=5)) in shown.label
        mine = entries(sections_for(self.erin, today))
        assert mine["评价结果公示中"].count == 1
        assert mine["本企业异议待处理"].count == 1

    def test_it_counts_regional_entries_for_the_reviewer_and_the_county(self) -> None:
        from onevisit.registry.models import Body
        from onevisit.scope.actions import Proposal, do_propose_entry, do_review_entry
        from onevisit.testing import make_user

        county = Body.objects.create(
            name="临清市市场监督管理局", code="LQ-SCJG", kind="administrative", level="county",
            district_id="371581", published=True,
        )  # fmt: skip
        dora = make_user("dora", role="body_admin", body=county)
        entry = do_propose_entry(
            actor=SYSTEM,
            by=dora,
            district=county.district,
            proposal=Proposal("有色金属压延销售", "5164", False, None, "加工企业集中"),
        )
        today = timezone.localdate()
        with self.settings(ONEVISIT_MARKET_BODY=self.market.code):
            assert entries(sections_for(self.alice, today))["待审核的区域特色条目"].count == 1
            do_review_entry(actor=SYSTEM, by=self.alice, entry=entry, publish=False, note="改")
        assert entries(sections_for(dora, today))["退回待修改的区域特色条目"].count == 1
