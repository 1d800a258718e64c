"""事前评估: a special or ad-hoc inspection is registered only under an approved assessment that
names the enterprise, covers the day and lists its items; the approver sees the facts, narrows
or refuses with reasons; an emergency goes first and is assessed afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.assessments.actions import (
    Application,
    AssessmentRefused,
    do_assess_emergency,
    do_decide_assessment,
    do_file_assessment,
)
from onevisit.assessments.models import Approver, Assessment, Kind
from onevisit.catalog.models import Item
from onevisit.inspections.actions import VisitRefused
from onevisit.inspections.models import Visit
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase
from onevisit.monitoring.models import Device, password_digest
from onevisit.oversight.actions import do_scan_warnings
from onevisit.oversight.models import Kind as WarningKind
from onevisit.oversight.models import Warning
from onevisit.testing import make_user
from onevisit.versions.actions import versions_of

TODAY = timezone.localdate()


def application(**fields: Any) -> Application:
    values: dict[str, Any] = {
        "kind": Kind.SPECIAL,
        "title": "起重机械专项检查",
        "cause": "本市连续发生两起起重机械事故",
        "legal_basis": "《特种设备安全法》第五十七条",
        "why_not_joint": "事故后须在两周内完成，年度计划的窗口在下半年",
        "why_not_replaced": "互认结果不含起重机械；无在线监测；书面核查无法判断设备状态",
        "burden": "每家两人、半天，不停产",
        "window_start": TODAY,
        "window_end": TODAY + dt.timedelta(days=14),
    }
    values.update(fields)
    return Application(**values)


class AssessmentCase(VisitTestCase):
    def file(self, enterprises: list[Any] | None = None, **fields: Any) -> Assessment:
        return do_file_assessment(
            actor=SYSTEM,
            by=self.alice,
            body=self.market,
            app=application(**fields),
            enterprises=enterprises or [self.bearing, self.cable],
            items=[self.market_item],
        )

    def decide(self, assessment: Assessment, approve: bool = True, **kw: Any) -> Assessment:
        keep = kw.pop("keep", [self.bearing.pk, self.cable.pk])
        return do_decide_assessment(
            actor=SYSTEM,
            by=self.supervisor,
            assessment=assessment,
            approve=approve,
            keep=keep,
            reason=kw.pop("reason", ""),
        )

    def ad_hoc(self, **overrides: Any) -> Visit:
        return self.register(tasks=[], items=[self.market_item], **overrides)


class RegistrationTest(AssessmentCase):
    def test_it_refuses_a_special_inspection_without_an_approved_assessment(self) -> None:
        with self.assertRaisesMessage(VisitRefused, "事前评估"):
            self.ad_hoc()
        self.file()  # filed, not yet approved
        with self.assertRaisesMessage(VisitRefused, "事前评估"):
            self.ad_hoc()
        assert not Visit.objects.exists()

    def test_it_registers_under_the_approved_assessment_as_special(self) -> None:
        assessment = self.decide(self.file())
        visit = self.ad_hoc()
        assert visit.origin == Visit.Origin.SPECIAL
        assert visit.assessment == assessment
        assert visit.cause == assessment.cause

    def test_it_refuses_outside_the_window_or_for_an_enterprise_struck_from_the_list(self) -> None:
        self.decide(self.file(), keep=[self.cable.pk], reason="轴承公司上月已查过起重机械")
        with self.assertRaises(VisitRefused):
            self.ad_hoc()  # bearing was struck
        self.decide(self.file(enterprises=[self.bearing]))
        with self.assertRaises(VisitRefused):
            self.ad_hoc(date=TODAY + dt.timedelta(days=30))
        assert self.ad_hoc().enterprise == self.bearing

    def test_it_lets_an_approved_assessment_give_the_reason_for_a_second_level(self) -> None:
        county_task, county_team = self.county_market()
        self.register(lead_body=county_task.body, tasks=[county_task], inspectors=county_team)
        with self.assertRaisesMessage(VisitRefused, "临清市市场监督管理局"):
            self.register()  # the county checked SCJG-002 today: its result stands
        self.decide(self.file(enterprises=[self.bearing]))
        assert self.ad_hoc().assessment is not None

    def test_it_still_registers_planned_and_emergency_visits_without_one(self) -> None:
        assert self.register().origin == Visit.Origin.PLANNED
        emergency = self.register(
            tasks=[], items=[self.market_item], origin=Visit.Origin.EMERGENCY, cause="叉车伤人"
        )
        assert emergency.assessment is None


class DecisionTest(AssessmentCase):
    def test_it_requires_every_reason_of_the_application(self) -> None:
        with self.assertRaisesMessage(AssessmentRefused, _("why nothing else can replace it")):
            self.file(why_not_replaced=" ")
        assert not Assessment.objects.exists()

    def test_it_refuses_or_narrows_only_with_reasons(self) -> None:
        assessment = self.file()
        with self.assertRaises(AssessmentRefused):
            self.decide(assessment, approve=False)
        with self.assertRaises(AssessmentRefused):
            self.decide(assessment, keep=[self.cable.pk])
        self.decide(assessment, approve=False, reason="可并入下月联合检查")
        assessment.refresh_from_db()
        assert assessment.status == Assessment.Status.REFUSED
        with self.assertRaises(AssessmentRefused):
            self.decide(assessment)

    def test_it_lets_the_supervisor_or_the_named_approver_decide_and_nobody_else(self) -> None:
        assessment = self.file()
        url = reverse("assessments:assessment_decide", args=[assessment.pk])
        for user in (self.alice, self.bob, self.ivan, self.erin, self.stranger):
            response = self.client_for(user).post(url, {"decision": "approve"})
            assert response.status_code in (403, 404), user
        approver = make_user("zhang", role="body_admin", body=self.ecology)
        Approver.objects.create(kind=Kind.SPECIAL, user=approver)
        every = [str(pk) for pk in assessment.targets.values_list("enterprise_id", flat=True)]
        decision = {"decision": "approve", "listed": every, "keep": every}
        response = self.client_for(approver).post(url, decision)
        assert response.status_code == 302
        assessment.refresh_from_db()
        assert assessment.status == Assessment.Status.APPROVED

    def test_it_shows_the_approver_the_facts_of_each_enterprise(self) -> None:
        Device.objects.create(
            enterprise=self.cable,
            mn="010000A8900016F000169DC0",
            password_sha256=password_digest("123456"),
            body=self.ecology,
        )
        self.register()  # bearing: one visit of 市场监管 this year
        assessment = self.file()
        client = self.client_for(self.supervisor)
        # one query per kind of fact, however many enterprises; the decision's list of every
        # enterprise and the assessment's versions
        with self.assertNumQueries(14):
            page = client.get(reverse("assessments:assessment_detail", args=[assessment.pk]))
        facts = {f.target.enterprise_id: f for f in page.context["facts"]}
        assert facts[self.bearing.pk].visits_by_body == [(self.market.name, 1)]
        assert {t.body_id for t in facts[self.bearing.pk].open_tasks} == {
            self.market.pk,
            self.ecology.pk,
        }
        assert [d.mn for d in facts[self.cable.pk].devices] == ["010000A8900016F000169DC0"]
        assert facts[self.cable.pk].points == 3
        html = page.content.decode()
        assert 'name="keep"' in html and "010000A8900016F000169DC0" in html

    def test_it_files_from_the_web_page_with_a_pasted_column_of_codes(self) -> None:
        client = self.client_for(self.alice)
        form = {
            "kind": Kind.AD_HOC,
            "title": "临时检查",
            "cause": "媒体报道",
            "legal_basis": "《特种设备安全法》",
            "items": [self.market_item.pk],
            "enterprises": f"{self.bearing.uscc}\n{self.cable.uscc.lower()}\n",
            "why_not_joint": "时间紧",
            "why_not_replaced": "无可互认结果",
            "burden": "半天",
            "window_start": TODAY.isoformat(),
            "window_end": TODAY.isoformat(),
        }
        bad = client.post(
            reverse("assessments:assessment_new"), {**form, "enterprises": "91371500MA0000000X"}
        )
        assert bad.status_code == 422 and "91371500MA0000000X" in bad.content.decode()
        response = client.post(reverse("assessments:assessment_new"), form)
        assessment = Assessment.objects.get()
        assert response.status_code == 302
        assert sorted(assessment.targets.values_list("enterprise_id", flat=True)) == sorted(
            [self.bearing.pk, self.cable.pk]
        )
        assert (
            self.client_for(self.bob)
            .get(reverse("assessments:assessment_detail", args=[assessment.pk]))
            .status_code
            == 404
        )

    def test_it_publishes_approved_special_inspections_without_naming_enterprises(self) -> None:
        self.decide(self.file())
        self.file(title="未批准的检查")
        page = self.client_for(None).get(reverse("assessments:public_list")).content.decode()
        assert "起重机械专项检查" in page and "未批准的检查" not in page
        assert self.bearing.name not in page


class EmergencyTest(AssessmentCase):
    def emergency(self, days_ago: int) -> Visit:
        visit = self.register(
            tasks=[],
            items=[self.market_item],
            origin=Visit.Origin.EMERGENCY,
            cause="叉车伤人事故",
            date=TODAY - dt.timedelta(days=days_ago),
            late_reason="事故当晚出警，次日补录" if days_ago else "",
        )
        Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CLOSED)
        return visit

    def test_it_warns_when_an_emergency_is_not_assessed_within_the_working_days(self) -> None:
        late = self.emergency(9)
        on_time = self.emergency(0)
        do_assess_emergency(
            actor=SYSTEM,
            by=self.alice,
            visit=on_time,
            legal_basis="《安全生产法》",
            why_urgent="事故现场需立即处置",
            burden="一小时",
        )
        do_scan_warnings(today=TODAY)
        warned = Warning.objects.filter(kind=WarningKind.LATE_ASSESSMENT)
        assert [list(w.visits.values_list("pk", flat=True)) for w in warned] == [[late.pk]]
        with self.assertRaises(AssessmentRefused):
            do_assess_emergency(
                actor=SYSTEM,
                by=self.alice,
                visit=on_time,
                legal_basis="x",
                why_urgent="y",
                burden="",
            )

    def test_it_assesses_from_the_visit_page(self) -> None:
        visit = self.emergency(0)
        client = self.client_for(self.alice)
        detail = client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
        assert reverse("assessments:emergency_assess", args=[visit.pk]) in detail
        assert self.client_for(self.bob).get(
            reverse("assessments:emergency_assess", args=[visit.pk])
        ).status_code in (403, 404)
        response = client.post(
            reverse("assessments:emergency_assess", args=[visit.pk]),
            {"legal_basis": "《安全生产法》", "why_urgent": "事故现场", "burden": ""},
        )
        assert response.status_code == 302
        visit.refresh_from_db()
        assert visit.assessment is not None and visit.assessment.kind == Kind.EMERGENCY


class ListQueryTest(AssessmentCase):
    def test_it_lists_assessments_and_the_public_list_in_queries_that_do_not_grow(self) -> None:
        client = self.client_for(self.supervisor)
        pages = [reverse("assessments:assessment_list"), reverse("assessments:public_list")]
        self.decide(self.file())
        counts = [queries(client, url) for url in pages]
        for n in range(4):
            self.decide(self.file(title=f"专项检查 {n}"))
        assert [queries(client, url) for url in pages] == counts


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


class TickedIsApprovedTest(AssessmentCase):
    """What the approver ticks is what is approved: never more."""

    def post_decision(self, assessment: Assessment, **data: object) -> Any:
        url = reverse("assessments:assessment_decide", args=[assessment.pk])
        return self.client_for(self.supervisor).post(url, data)

    def test_it_approves_only_the_ticked_enterprises(self) -> None:
        assessment = self.file()
        every = [str(self.bearing.pk), str(self.cable.pk)]
        refused = self.post_decision(assessment, decision="approve", listed=every, keep=[every[0]])
        assert refused.status_code == 422  # fewer than applied for: the reasons first
        assessment.refresh_from_db()
        assert assessment.status == Assessment.Status.SUBMITTED
        page = refused.content.decode()
        assert f'name="keep" value="{self.cable.pk}">' in page  # the untick is kept
        self.post_decision(
            assessment, decision="approve", listed=every, keep=[every[0]], reason="阳谷另有计划"
        )
        assessment.refresh_from_db()
        approved = dict(assessment.targets.values_list("enterprise_id", "approved"))
        assert approved == {self.bearing.pk: True, self.cable.pk: False}
        version = versions_of(assessment)[0]
        assert version.snapshot["approved"] == [self.bearing.uscc]
        public = self.client_for(None).get(reverse("assessments:public_list")).content.decode()
        assert assessment.title in public

    def test_it_refuses_a_decision_that_does_not_list_every_enterprise(self) -> None:
        assessment = self.file()
        response = self.post_decision(assessment, decision="approve", keep=[str(self.bearing.pk)])
        assert response.status_code == 422
        assessment.refresh_from_db()
        assert assessment.status == Assessment.Status.SUBMITTED

    def test_it_names_each_malformed_or_unknown_code_by_its_line(self) -> None:
        from onevisit.assessments.forms import AssessmentForm

        form = AssessmentForm(
            {
                "kind": Kind.AD_HOC,
                "title": "临时检查",
                "cause": "媒体报道",
                "legal_basis": "法",
                "items": [self.market_item.pk],
                "enterprises": f"{self.bearing.uscc}\n91371500MA3C00001\n91371581MA0000999X",
                "why_not_joint": "x",
                "why_not_replaced": "x",
                "burden": "x",
                "window_start": "2020-01-10",
                "window_end": "2020-01-01",
            },
            items=Item.objects.all(),
            body=self.market,
        )
        assert not form.is_valid()
        errors = " ".join(str(e) for e in form.errors["enterprises"])
        assert "第 2 行" in errors and "第 3 行" in errors
        assert "window_end" in form.errors  # the dates' error shows with the others
