"""A province on one deployment: a city's supervisor sees and changes their own city only; the
provincial supervisor (no area) sees every city. Each kind of record is tested as a matrix:
one record in 聊城, one in 济南, read by both supervisors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone

from onevisit.accounts.models import Role, User
from onevisit.assessments.access import assessments_for_user
from onevisit.assessments.models import Assessment
from onevisit.campaigns.access import campaigns_for_user
from onevisit.campaigns.models import Campaign
from onevisit.catalog.access import items_for_user
from onevisit.catalog.actions import do_create_item
from onevisit.catalog.models import Item
from onevisit.evaluation.access import years_for_official
from onevisit.evaluation.models import Year as EvaluationYear
from onevisit.inspections import access as visit_access
from onevisit.inspections.actions import Registration, do_register_visit
from onevisit.inspections.models import Complaint, Evaluation, Visit
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase, publish_item
from onevisit.liaison.access import concerns_for_user
from onevisit.liaison.models import Concern
from onevisit.monitoring.access import alerts_for_user
from onevisit.monitoring.models import Alert, Device
from onevisit.oversight.access import complaints_for_supervisor, warnings_for_user
from onevisit.oversight.models import Warning
from onevisit.penalties.access import decisions_for_user
from onevisit.penalties.models import Decision, Level, Violation
from onevisit.planning import access as planning_access
from onevisit.planning.models import AnnualPlan, PlanningRun, Tier
from onevisit.rectification.access import rectifications_for_user
from onevisit.rectification.models import Rectification
from onevisit.registry.access import bodies_for_user, enterprises_for_user, inspectors_for_user
from onevisit.registry.models import Body, District, Enterprise, Inspector
from onevisit.testing import make_enterprise, make_user, other_city_district, uscc
from onevisit.tips.access import tips_for_user
from onevisit.tips.models import Category, Tip

Getter = Callable[[User], QuerySet[Any]]


class CitySupervisorTest(VisitTestCase):
    """聊城's supervisor (Lu Cheng) against the province's (Su Jian, no area)."""

    lucheng: User
    jinan: District
    jn_body: Body
    jn_hidden: Body
    jn_enterprise: Enterprise
    jn_inspector: Inspector
    lc_visit: Visit
    jn_visit: Visit
    pairs: dict[str, tuple[Getter, Model, Model]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        lixia = other_city_district()
        cls.jinan = District.objects.get(code="370100")
        liaocheng = District.objects.get(code="371500")
        cls.lucheng = make_user(
            "lucheng", role=Role.SUPERVISOR, area=liaocheng, full_name="聊城市司法局 监督科"
        )
        cls.jn_body = Body.objects.create(
            name="济南市市场监督管理局",
            code="JN-SCJG",
            kind="administrative",
            level="city",
            district=cls.jinan,
            published=True,
        )
        cls.jn_hidden = Body.objects.create(
            name="济南市某未公开机构",
            code="JN-HIDDEN",
            kind="administrative",
            level="city",
            district=cls.jinan,
            published=False,
        )
        jn_admin = make_user("jn-admin", role=Role.BODY_ADMIN, body=cls.jn_body)
        cls.jn_enterprise = make_enterprise(
            "济南泉城精工机械有限公司", serial=90, district="370102", industry="34"
        )
        team = [cls.jn_team_member(n, lixia) for n in (1, 2)]
        cls.jn_inspector = team[0]
        jn_item = publish_item(cls.jn_body, "JN-SCJG-001", [("设备台账", "")])
        jn_task = cls.task(cls.jn_body, jn_item, cls.jn_enterprise)
        cls.lc_visit = do_register_visit(
            actor=SYSTEM,
            by=cls.alice,
            reg=Registration(
                enterprise=cls.bearing,
                lead_body=cls.market,
                date=timezone.localdate(),
                inspectors=[cls.ivan_inspector, cls.mali],
                tasks=[cls.market_task],
            ),
        )
        cls.jn_visit = do_register_visit(
            actor=SYSTEM,
            by=jn_admin,
            reg=Registration(
                enterprise=cls.jn_enterprise,
                lead_body=cls.jn_body,
                date=timezone.localdate(),
                inspectors=team,
                tasks=[jn_task],
            ),
        )
        cls.pairs = {}
        for name, getter, make in cls.record_kinds():
            cls.pairs[name] = (
                getter,
                make(cls.market, cls.bearing, cls.lc_visit),
                make(cls.jn_body, cls.jn_enterprise, cls.jn_visit),
            )

    @classmethod
    def jn_team_member(cls, n: int, district: District) -> Inspector:
        today = timezone.localdate()
        inspector = Inspector.objects.create(
            name=f"济南检查员{n}",
            body=cls.jn_body,
            certificate_number=f"3701202300000{n}",
            certificate_valid_from=today - dt.timedelta(days=365),
            certificate_valid_until=today + dt.timedelta(days=365),
        )
        inspector.districts.set([district])
        return inspector

    @classmethod
    def record_kinds(cls) -> list[tuple[str, Getter, Callable[[Body, Enterprise, Visit], Model]]]:
        today = timezone.localdate()

        def tip(body: Body, enterprise: Enterprise, visit: Visit) -> Tip:
            category = Category.objects.create(code=f"c-{body.code}", name="安全", body=body)
            return Tip.objects.create(
                receipt=f"T-{body.code}",
                secret_sha256="0" * 64,
                category=category,
                body=body,
                enterprise=enterprise,
                description="叉车无证作业",
                ack_due=today,
                handle_due=today,
            )

        def decision(body: Body, enterprise: Enterprise, visit: Visit) -> Decision:
            violation = Violation.objects.create(
                body=body,
                code=f"V-{body.code}",
                name="未登记",
                legal_basis="法",
                penalty_basis="罚",
            )
            level = Level.objects.create(violation=violation, grade="一般", circumstances="初次")
            return Decision.objects.create(
                case_number=f"罚-{body.code}",
                body=body,
                violation=violation,
                level=level,
                enterprise=enterprise,
                reasons="未登记",
                decided_on=today,
            )

        def alert(body: Body, enterprise: Enterprise, visit: Visit) -> Alert:
            device = Device.objects.create(
                mn=f"MN{enterprise.pk:012d}", password_sha256="0" * 64, enterprise=enterprise
            )
            return Alert.objects.create(device=device, kind="silent", data_time=timezone.now())

        def draft_item(body: Body, enterprise: Enterprise, visit: Visit) -> Item:
            fields = {"code": f"{body.code}-D", "name": "草稿事项", "legal_basis": "依据"}
            return do_create_item(actor=SYSTEM, body=body, fields=fields, points=[])

        return [
            ("enterprise", enterprises_for_user, lambda b, e, v: e),
            ("unpublished body", bodies_for_user, lambda b, e, v: cls.hidden_body(b)),
            ("inspector", inspectors_for_user, lambda b, e, v: v.inspectors.all()[0]),
            ("visit", visit_access.visits_for_user, lambda b, e, v: v),
            (
                "evaluation",
                visit_access.evaluations_for_supervisor,
                lambda b, e, v: Evaluation.objects.create(
                    visit=v, conduct=5, professionalism=5, burden=5, submitted_on=today
                ),
            ),
            (
                "complaint",
                complaints_for_supervisor,
                lambda b, e, v: Complaint.objects.create(visit=v, text="未亮码"),
            ),
            (
                "warning",
                warnings_for_user,
                lambda b, e, v: Warning.objects.create(
                    kind="repeated", enterprise=e, body=b, detail="重复检查", fingerprint=b.code
                ),
            ),
            (
                "annual plan",
                planning_access.plans_for_user,
                lambda b, e, v: AnnualPlan.objects.create(body=b, year=today.year + 1),
            ),
            (
                "rectification",
                rectifications_for_user,
                lambda b, e, v: Rectification.objects.create(
                    unit_name=e.name,
                    enterprise=e,
                    body=b,
                    found_on=today,
                    problem="台账缺失",
                    deadline=today + dt.timedelta(days=30),
                ),
            ),
            ("tip", tips_for_user, tip),
            (
                "enterprise request",
                concerns_for_user,
                lambda b, e, v: Concern.objects.create(
                    receipt=f"C-{b.code}",
                    secret_sha256="0" * 64,
                    kind="question",
                    enterprise=e,
                    subject="咨询",
                    text="检查事项依据",
                    ack_due=today,
                    answer_due=today,
                ),
            ),
            ("penalty decision", decisions_for_user, decision),
            ("monitoring alert", alerts_for_user, alert),
            (
                "prior assessment",
                assessments_for_user,
                lambda b, e, v: Assessment.objects.create(
                    body=b,
                    kind="special",
                    title="专项检查",
                    cause="事故",
                    legal_basis="依据",
                    window_start=today,
                    window_end=today,
                    filed_by=cls.supervisor,
                ),
            ),
            ("draft item", items_for_user, draft_item),
            (
                "亩产效益 year",
                years_for_official,
                lambda b, e, v: EvaluationYear.objects.create(
                    year=today.year, lead_body=b, area_id=b.district_id
                ),
            ),
            (
                "campaign",
                campaigns_for_user,
                lambda b, e, v: Campaign.objects.create(
                    name=f"防汛检查 {b.code}", kind="flood", lead_body=b, starts=today, ends=today
                ),
            ),
        ]

    @classmethod
    def hidden_body(cls, body: Body) -> Body:
        if body == cls.jn_body:
            return cls.jn_hidden
        return Body.objects.create(
            name="聊城市某未公开机构",
            code="LC-HIDDEN",
            kind="administrative",
            level="city",
            district_id="371500",
            published=False,
        )

    def test_it_shows_each_kind_of_record_of_every_city_to_the_provincial_supervisor(
        self,
    ) -> None:
        for name, (getter, liaocheng, jinan) in self.pairs.items():
            seen = set(getter(self.supervisor).values_list("pk", flat=True))
            assert {liaocheng.pk, jinan.pk} <= seen, name

    def test_it_shows_a_city_supervisor_only_their_own_city(self) -> None:
        for name, (getter, liaocheng, jinan) in self.pairs.items():
            seen = set(getter(self.lucheng).values_list("pk", flat=True))
            assert liaocheng.pk in seen, f"{name}: 聊城's own record hidden"
            assert jinan.pk not in seen, f"{name}: 济南's record shown to 聊城"

    def test_it_answers_404_for_another_city_s_visit_page(self) -> None:
        client = self.client_for(self.lucheng)
        own = client.get(reverse("inspections:visit_detail", args=[self.lc_visit.pk]))
        assert own.status_code == 200
        response = client.get(reverse("inspections:visit_detail", args=[self.jn_visit.pk]))
        assert response.status_code == 404

    def test_it_searches_only_the_city_even_through_the_bigram_index(self) -> None:
        make_enterprise("聊城泉城食品有限公司", serial=91, district="371521", industry="14")
        url = reverse("registry:enterprise_list")
        mine = self.client_for(self.lucheng).get(url, {"q": "泉城"}).content.decode()
        assert "聊城泉城食品有限公司" in mine and "济南泉城精工机械有限公司" not in mine
        every = self.client_for(self.supervisor).get(url, {"q": "泉城"}).content.decode()
        assert "聊城泉城食品有限公司" in every and "济南泉城精工机械有限公司" in every
        outside = self.client_for(self.lucheng).get(url, {"q": "泉城", "district": "370100"})
        assert "济南泉城精工机械有限公司" not in outside.content.decode()
        choices = dict(outside.context["form"].fields["district"].choices)
        assert "371521" in choices and "370100" not in choices and "370102" not in choices
        api = self.client_for(self.lucheng).get("/api/enterprises/", {"q": "泉城"})
        assert [row["name"] for row in api.json()["results"]] == ["聊城泉城食品有限公司"]

    def test_it_refuses_an_enterprise_placed_in_another_city(self) -> None:
        form = {
            "uscc": uscc(991, "370102"),
            "name": "济南新设有限公司",
            "district": "370102",
            "industry_code": "34",
            "status": "active",
        }
        response = self.client_for(self.lucheng).post(reverse("registry:enterprise_create"), form)
        assert response.status_code == 200
        assert "所辖区域之外" in response.content.decode()
        assert not Enterprise.objects.filter(name="济南新设有限公司").exists()

    def test_it_lets_only_the_city_s_supervisor_change_its_bodies(self) -> None:
        client = self.client_for(self.lucheng)
        payload = {
            "name": "济南市应急管理局",
            "code": "JN-YJJ",
            "kind": "administrative",
            "level": "city",
            "district": "370100",
            "published": True,
        }
        refused = client.post("/api/bodies/", payload, content_type="application/json")
        assert refused.status_code == 403
        assert not Body.objects.filter(code="JN-YJJ").exists()
        payload["name"], payload["code"] = "聊城市市场监督管理局", "LC-SCJG"
        payload["district"] = "371500"
        other = client.put(
            f"/api/bodies/{self.jn_body.pk}", payload, content_type="application/json"
        )
        assert other.status_code == 403
        self.jn_body.refresh_from_db()
        assert self.jn_body.name == "济南市市场监督管理局"

    def test_it_keeps_the_dashboard_to_the_city(self) -> None:
        url = reverse("oversight:dashboard")
        mine = self.client_for(self.lucheng).get(url)
        every = self.client_for(self.supervisor).get(url)
        assert mine.status_code == every.status_code == 200
        bodies = {row["visit__lead_body__name"] for row in every.context["evaluations"]}
        assert "济南市市场监督管理局" in bodies
        assert not any(
            row["visit__lead_body__name"] == "济南市市场监督管理局"
            for row in mine.context["evaluations"]
        )

    def test_it_plans_only_the_city_s_own_run(self) -> None:
        client = self.client_for(self.lucheng)
        year = timezone.localdate().year + 1
        page = client.get(reverse("planning:coordination"), {"year": year})
        assert page.status_code == 200 and page.context["city"].code == "371500"
        assert page.context["cities"] == []
        client.post(reverse("planning:start_run"), {"year": year, "city": "each"})
        client.post(reverse("planning:start_run"), {"year": year, "city": "370100"})
        runs = PlanningRun.objects.filter(year=year)
        assert list(runs.values_list("city_id", flat=True)) == ["371500", "371500"]

    def test_it_leaves_province_wide_settings_to_the_provincial_supervisor(self) -> None:
        client = self.client_for(self.lucheng)
        rules = client.get(reverse("oversight:rules"))
        assert rules.status_code == 200 and "disabled" in rules.content.decode()
        saved = client.post(
            reverse("oversight:rules"), {"kind": "repeated", "days": "5"}, follow=True
        )
        assert "整个平台" in saved.content.decode()
        assert client.get(reverse("draws:draw_create")).status_code == 403
        jn_schedule = reverse("planning:schedule", args=[self.jn_inspector.pk])
        assert client.get(jn_schedule).status_code == 403
        assert self.client_for(self.supervisor).get(jn_schedule).status_code == 200

    def test_it_gives_the_city_supervisor_a_working_home_page(self) -> None:
        response = self.client_for(self.lucheng).get(reverse("home"))
        assert response.status_code == 200

    def test_it_hides_another_city_s_tiers(self) -> None:
        tier = Tier.objects.create(
            enterprise=self.jn_enterprise,
            body=self.jn_body,
            computed_level="red",
            score=90,
            computed_at=timezone.now(),
        )
        with pytest.raises(PermissionDenied):
            planning_access.tiers_for(self.lucheng, self.jn_enterprise)
        assert tier in planning_access.tiers_for(self.supervisor, self.jn_enterprise)
