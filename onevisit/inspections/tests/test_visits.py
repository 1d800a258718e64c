"""A visit's life as the rules demand it: registered with a code, checked in at the right
enterprise on the right day, one joint checklist, signed once, closed with PDFs."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from onevisit.audit.models import AuditEntry
from onevisit.catalog.actions import do_withdraw_item
from onevisit.inspections.actions import (
    MAX_PHOTO_BYTES,
    PointEntry,
    VisitRefused,
    do_cancel_visit,
    do_check_in,
    do_close_visit,
    do_decide_proposal,
    do_propose_slot,
    do_record_result,
    do_sign_off,
)
from onevisit.inspections.checklist import merge
from onevisit.inspections.documents import FontMissing, chinese_font
from onevisit.inspections.models import Finding, InspectionCode, PointResult, Visit, visit_points
from onevisit.inspections.tests.base import (
    SYSTEM,
    VisitTestCase,
    certificates,
    photo_upload,
    publish_item,
)
from onevisit.planning.models import DoorLimit, Task
from onevisit.registry.models import Inspector
from onevisit.workdays.calendar import add_working_days, is_working_day


class RegistrationTest(VisitTestCase):
    def test_it_issues_a_code_for_the_visit_day(self) -> None:
        visit = self.register()
        code = visit.current_code()
        assert code is not None
        assert code.valid_on == visit.date
        assert len(code.short_code) == 8
        assert visit.origin == Visit.Origin.PLANNED
        assert list(visit.items.all()) == [self.market_item]
        assert AuditEntry.objects.filter(action="register", object_id=str(visit.pk)).exists()

    def test_it_makes_a_joint_visit_of_two_bodies_tasks(self) -> None:
        visit = self.joint_visit()
        assert visit.is_joint
        assert set(visit.bodies.all()) == {self.market, self.ecology}

    def test_it_refuses_more_bodies_than_the_city_admits_at_one_door(self) -> None:
        DoorLimit.objects.create(city_id="371500", max_bodies=1, max_inspectors=8)
        with self.assertRaisesMessage(VisitRefused, "一次入企至多 1 个部门"):
            self.joint_visit()
        assert not Visit.objects.exists()
        # an emergency brings whom it needs
        visit = self.register(
            tasks=[self.market_task, self.ecology_task],
            inspectors=[self.ivan_inspector, self.mali, self.baiwen],
            origin=Visit.Origin.EMERGENCY,
            cause="锅炉爆炸",
        )
        assert visit.bodies.count() == 2

    def test_it_refuses_more_inspectors_than_the_city_admits_at_one_door(self) -> None:
        DoorLimit.objects.create(city=None, max_bodies=4, max_inspectors=2)
        with self.assertRaisesMessage(VisitRefused, "至多 2 名检查人员"):
            self.joint_visit()
        assert self.register().inspectors.count() == 2

    def test_it_refuses_two_levels_of_one_system_checking_one_matter_in_one_visit(self) -> None:
        county_task, county_team = self.county_market()
        with self.assertRaisesMessage(VisitRefused, "同一系统的两级部门"):
            self.register(
                tasks=[self.market_task, county_task],
                inspectors=[self.ivan_inspector, county_team[0]],
            )
        assert not Visit.objects.exists()

    def test_it_refuses_the_other_level_while_the_first_result_stands(self) -> None:
        county_task, county_team = self.county_market()
        self.register()  # the city's 市场监管 checks SCJG-002 today
        with self.assertRaisesMessage(VisitRefused, "聊城市市场监督管理局"):
            self.register(lead_body=county_task.body, tasks=[county_task], inspectors=county_team)
        # another matter of the same system is no repetition
        other = publish_item(county_task.body, "SCJG-009", [("计量器具检定", "")])
        visit = self.register(
            lead_body=county_task.body,
            tasks=[self.task(county_task.body, other, self.bearing)],
            inspectors=county_team,
        )
        assert visit.bodies.get().code == "LQ-SCJG"

    def test_it_refuses_a_team_of_one(self) -> None:
        with self.assertRaisesMessage(VisitRefused, "两名"):
            self.register(inspectors=[self.ivan_inspector])

    def test_it_refuses_an_inspector_without_a_valid_certificate(self) -> None:
        Inspector.objects.filter(pk=self.mali.pk).update(
            certificate_valid_until=timezone.localdate() - dt.timedelta(days=1)
        )
        self.mali.refresh_from_db()
        with self.assertRaisesMessage(VisitRefused, "马力"):
            self.register()

    def test_it_refuses_an_inspector_of_a_body_not_in_the_visit(self) -> None:
        with self.assertRaisesMessage(VisitRefused, "柏文"):
            self.register(inspectors=[self.ivan_inspector, self.baiwen])

    def test_it_holds_an_inspector_of_every_body_whose_items_are_checked(self) -> None:
        # both bodies' tasks, but only market inspectors: the ecology item has nobody to check it
        with self.assertRaisesMessage(VisitRefused, self.ecology_item.code):
            self.register(tasks=[self.market_task, self.ecology_task])
        assert not Visit.objects.exists()

    def test_it_refuses_an_inspector_whose_body_checks_nothing_in_the_visit(self) -> None:
        # market leads the visit but only the ecology task is checked: 伊万 of market has no
        # power to check anything there and is not one of the two
        with self.assertRaisesMessage(VisitRefused, "伊万"):
            self.register(tasks=[self.ecology_task], inspectors=[self.baiwen, self.ivan_inspector])
        assert not Visit.objects.exists()

    def test_it_refuses_an_item_that_is_not_published(self) -> None:
        do_withdraw_item(actor=SYSTEM, item=self.market_item, reason="依据废止")
        self.market_item.refresh_from_db()
        with self.assertRaises(VisitRefused):
            self.register(tasks=[], items=[self.market_item])
        assert not Visit.objects.exists()

    def test_it_refuses_a_day_outside_the_tasks_window(self) -> None:
        with self.assertRaises(VisitRefused):
            self.register(date=timezone.localdate() + dt.timedelta(days=90))

    def test_it_refuses_to_register_a_past_visit_unless_an_emergency_with_a_reason(self) -> None:
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        with self.assertRaises(VisitRefused):
            self.register(date=yesterday, late_reason="平台故障")
        visit = self.register(
            date=yesterday,
            origin=Visit.Origin.EMERGENCY,
            cause="夜间燃气泄漏报警",
            late_reason="平台停机，事后补录",
        )
        assert visit.registered_late

    def test_it_refuses_a_late_registration_after_ten_days(self) -> None:
        with self.assertRaisesMessage(VisitRefused, "10"):
            self.register(
                date=timezone.localdate() - dt.timedelta(days=11),
                origin=Visit.Origin.EMERGENCY,
                cause="爆炸",
                late_reason="平台停机",
            )

    def test_it_refuses_an_emergency_without_a_cause(self) -> None:
        with self.assertRaises(VisitRefused):
            self.register(origin=Visit.Origin.EMERGENCY)

    def test_it_takes_the_cause_a_triggered_task_brings(self) -> None:
        from onevisit.planning.models import Kind

        triggered = self.task(self.market, self.market_item, self.bearing, kind=Kind.TRIGGERED)
        Task.objects.filter(pk=triggered.pk).update(cause="举报：叉车无证作业")
        triggered.refresh_from_db()
        visit = self.register(tasks=[triggered])
        assert visit.origin == Visit.Origin.TRIGGERED and visit.cause == "举报：叉车无证作业"

    def test_it_registers_a_survey_without_items(self) -> None:
        visit = self.register(
            tasks=[], purpose=Visit.Purpose.SURVEY, inspectors=[self.ivan_inspector]
        )
        assert visit.origin == Visit.Origin.OTHER
        assert visit.current_code() is not None

    def test_it_cancels_the_code_with_the_visit(self) -> None:
        visit = self.register()
        do_cancel_visit(actor=SYSTEM, visit=visit, reason="企业停产")
        assert visit.current_code() is None
        assert InspectionCode.objects.get(visit=visit).cancel_reason == "企业停产"


class SlotTest(VisitTestCase):
    def test_it_moves_the_visit_and_replaces_the_code_when_a_proposal_is_accepted(self) -> None:
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=3))
        old = visit.current_code()
        later = add_working_days(timezone.localdate(), 7)
        proposal = do_propose_slot(
            actor=SYSTEM, visit=visit, by=self.erin, date=later, reason="设备检修"
        )
        with self.assertRaises(VisitRefused):
            do_propose_slot(actor=SYSTEM, visit=visit, by=self.erin, date=later, reason="再提")
        do_decide_proposal(actor=SYSTEM, proposal=proposal, by=self.alice, accept=True)
        visit.refresh_from_db()
        new = visit.current_code()
        assert visit.date == later
        assert new is not None and old is not None and new.pk != old.pk
        old.refresh_from_db()
        assert old.cancelled_at is not None

    def test_it_takes_only_working_days_and_a_reason_to_decline(self) -> None:
        today = timezone.localdate()
        visit = self.register(date=add_working_days(today, 2))
        # the first rest day after tomorrow that is not the visit's own date, whatever today is
        rest_day = next(
            day
            for day in (today + dt.timedelta(days=n) for n in range(2, 30))
            if not is_working_day(day) and day != visit.date
        )
        with self.assertRaisesMessage(VisitRefused, "工作日"):
            do_propose_slot(actor=SYSTEM, visit=visit, by=self.erin, date=rest_day, reason="忙")
        proposal = do_propose_slot(
            actor=SYSTEM,
            visit=visit,
            by=self.erin,
            date=add_working_days(today, 7),
            reason="设备检修",
        )
        with self.assertRaises(VisitRefused):
            do_decide_proposal(actor=SYSTEM, proposal=proposal, by=self.alice, accept=False)
        do_decide_proposal(
            actor=SYSTEM,
            proposal=proposal,
            by=self.alice,
            accept=False,
            answer="该周已安排联合检查",
        )
        page = self.client_for(self.erin).get(reverse("inspections:mine")).content.decode()
        assert "已拒绝" in page and "该周已安排联合检查" in page  # the enterprise reads why

    def test_it_refuses_a_day_outside_the_window(self) -> None:
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=3))
        with self.assertRaises(VisitRefused):
            do_propose_slot(
                actor=SYSTEM,
                visit=visit,
                by=self.erin,
                date=timezone.localdate() + dt.timedelta(days=200),
                reason="太忙",
            )

    def test_it_refuses_a_proposal_for_an_unannounced_visit(self) -> None:
        visit = self.register(
            date=timezone.localdate() + dt.timedelta(days=3),
            unannounced_reason="群众举报，防止转移证据",
        )
        with self.assertRaises(VisitRefused):
            do_propose_slot(
                actor=SYSTEM,
                visit=visit,
                by=self.erin,
                date=timezone.localdate() + dt.timedelta(days=5),
                reason="忙",
            )


class OnSiteTest(VisitTestCase):
    def test_it_refuses_a_check_in_at_the_wrong_enterprise(self) -> None:
        visit = self.register()
        with self.assertRaisesMessage(VisitRefused, self.bearing.name):
            do_check_in(actor=SYSTEM, visit=visit, by=self.ivan, uscc=self.cable.uscc)
        visit.refresh_from_db()
        assert visit.status == Visit.Status.SCHEDULED

    def test_it_refuses_a_code_replayed_on_another_day(self) -> None:
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=1))
        with self.assertRaises(VisitRefused):
            do_check_in(actor=SYSTEM, visit=visit, by=self.ivan, uscc=self.bearing.uscc)

    def test_it_asks_a_shared_point_once_and_records_it_for_both_bodies(self) -> None:
        visit = self.on_site(self.joint_visit())
        rows = merge(visit_points(visit), [], [])
        assert len(rows) == 4  # 3 + 2 points, one shared
        shared = [r for r in rows if r.shared]
        assert len(shared) == 1 and len(shared[0].points) == 2
        do_record_result(
            actor=SYSTEM,
            visit=visit,
            by=self.ivan,
            entry=PointEntry(points=shared[0].points, outcome="compliant"),
        )
        assert PointResult.objects.filter(visit=visit).count() == 2

    def test_it_refuses_a_result_for_a_point_outside_the_visit(self) -> None:
        visit = self.on_site(self.register())
        foreign = self.ecology_item.points.first()
        assert foreign is not None
        with self.assertRaisesMessage(VisitRefused, "清单之外无检查"):
            do_record_result(
                actor=SYSTEM, visit=visit, by=self.ivan, entry=PointEntry([foreign], "compliant")
            )

    def test_it_opens_a_finding_with_a_deadline_for_a_noncompliant_point(self) -> None:
        visit = self.on_site(self.register())
        point = self.market_item.points.get(number=1)
        with self.assertRaises(VisitRefused):
            do_record_result(
                actor=SYSTEM, visit=visit, by=self.ivan, entry=PointEntry([point], "noncompliant")
            )
        do_record_result(
            actor=SYSTEM,
            visit=visit,
            by=self.ivan,
            entry=PointEntry([point], "noncompliant", severity="general", description="电梯未登记"),
        )
        finding = Finding.objects.get(visit=visit)
        assert finding.body == self.market
        assert finding.rectify_by > timezone.localdate()
        do_record_result(
            actor=SYSTEM, visit=visit, by=self.ivan, entry=PointEntry([point], "compliant")
        )
        assert not Finding.objects.filter(visit=visit).exists()

    def test_it_keeps_photos_with_their_hash_and_refuses_what_is_not_an_image(self) -> None:
        visit = self.on_site(self.register())
        point = self.market_item.points.get(number=1)
        upload = photo_upload()
        data = upload.read()
        upload.seek(0)
        results = do_record_result(
            actor=SYSTEM,
            visit=visit,
            by=self.ivan,
            entry=PointEntry([point], "compliant"),
            photos=[upload, photo_upload("b.jpg")],
        )
        photo = results[0].photos.first()
        assert photo is not None and results[0].photos.count() == 2
        assert photo.sha256 == hashlib.sha256(data).hexdigest()
        before = PointResult.objects.get(visit=visit, point=point).note
        with self.assertRaisesMessage(VisitRefused, "不是图片"):
            do_record_result(
                actor=SYSTEM,
                visit=visit,
                by=self.ivan,
                entry=PointEntry([point], "na", note="changed"),
                photos=[photo_upload("x.jpg", b"%PDF-1.4 not an image")],
            )
        with self.assertRaises(VisitRefused):
            big = photo_upload("big.jpg", b"\xff" * (MAX_PHOTO_BYTES + 1))
            do_record_result(
                actor=SYSTEM,
                visit=visit,
                by=self.ivan,
                entry=PointEntry([point], "na"),
                photos=[big],
            )
        kept = PointResult.objects.get(visit=visit, point=point)
        assert (kept.outcome, kept.note) == ("compliant", before)  # nothing half-saved

    def test_it_signs_once_per_party_and_only_when_every_point_has_a_result(self) -> None:
        visit = self.on_site(self.register())
        with self.assertRaises(VisitRefused):
            do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        self.fill(visit)
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        with self.assertRaisesMessage(VisitRefused, "已"):
            do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="李四")
        visit.refresh_from_db()
        assert visit.enterprise_signed_by == "张三"

    def test_it_closes_with_pdfs_and_marks_the_tasks_done(self) -> None:
        visit = self.on_site(self.register())
        self.fill(visit, noncompliant=1)
        with self.assertRaises(VisitRefused):
            do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        with self.captureOnCommitCallbacks(execute=True):
            do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)
        visit.refresh_from_db()
        assert visit.status == Visit.Status.CLOSED
        record = visit.record_pdf.read()
        assert record.startswith(b"%PDF")
        assert hashlib.sha256(record).hexdigest() == visit.record_sha256
        assert visit.feedback_pdf.read().startswith(b"%PDF")
        self.market_task.refresh_from_db()
        assert self.market_task.status == Task.Status.DONE

    def test_it_prints_both_pdfs_in_chinese_with_no_system_font(self) -> None:
        visit = self.on_site(self.register())
        self.fill(visit, noncompliant=1)
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        real_exists = os.path.exists

        def no_system_fonts(path: object) -> bool:
            return not str(path).startswith("/usr/share/fonts") and real_exists(path)  # type: ignore[arg-type]

        with (
            self.settings(ONEVISIT_PDF_FONT=""),
            mock.patch("os.path.exists", no_system_fonts),
            self.captureOnCommitCallbacks(execute=True),
        ):
            do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)
        visit.refresh_from_db()
        for document in (visit.record_pdf.read(), visit.feedback_pdf.read()):
            assert document.startswith(b"%PDF")
            assert b"+NotoSansCJKSC" in document  # the bundled font, embedded

    def test_it_names_a_configured_font_that_does_not_exist(self) -> None:
        with (
            self.settings(ONEVISIT_PDF_FONT="/nowhere/font.otf"),
            self.assertRaisesMessage(FontMissing, "/nowhere/font.otf"),
        ):
            chinese_font()

    def fill(self, visit: Visit, noncompliant: int = 0) -> None:
        for n, row in enumerate(merge(visit_points(visit), [], [])):
            entry = (
                PointEntry(row.points, "noncompliant", severity="serious", description="问题")
                if n < noncompliant
                else PointEntry(row.points, "compliant")
            )
            do_record_result(actor=SYSTEM, visit=visit, by=self.ivan, entry=entry)


class TeamConfirmationTest(VisitTestCase):
    def test_it_signs_for_the_team_only_when_every_member_confirms(self) -> None:
        visit = self.on_site(self.register())
        OnSiteTest.fill(self, visit)  # type: ignore[arg-type]
        partial = {self.ivan_inspector.pk: self.ivan_inspector.certificate_number}
        with self.assertRaisesMessage(VisitRefused, self.mali.name):
            do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=partial)
        wrong = {**certificates(visit), self.mali.pk: "37152023999999"}
        with self.assertRaises(VisitRefused):
            do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=wrong)
        visit.refresh_from_db()
        assert visit.team_signed_at is None and not visit.confirmations.exists()
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        assert {c.inspector for c in visit.confirmations.all()} == {self.ivan_inspector, self.mali}


class DocumentTest(VisitTestCase):
    def close_with(self, noncompliant: int) -> Visit:
        visit = self.on_site(self.register())
        OnSiteTest.fill(self, visit, noncompliant=noncompliant)  # type: ignore[arg-type]
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        with self.captureOnCommitCallbacks(execute=True):
            do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)
        visit.refresh_from_db()
        return visit

    def test_it_numbers_each_document_per_body_and_year_and_orders_rectification(self) -> None:
        first = self.close_with(noncompliant=1)
        year = timezone.localdate().year
        assert first.record_number == f"聊市监〔{year}〕检记1号"  # the 机关代字, not the code
        assert first.feedback_number == f"聊市监〔{year}〕检馈1号"
        assert first.order_number == f"聊市监〔{year}〕责改1号"
        self.market.doc_prefix = "聊城市监"  # as the data steward sets it
        self.market.save(update_fields=["doc_prefix"])
        from onevisit.inspections.actions import next_document_number

        assert next_document_number(self.market, year, "record") == f"聊城市监〔{year}〕检记2号"
        order = first.order_pdf.read()
        assert order.startswith(b"%PDF") and hashlib.sha256(order).hexdigest() == first.order_sha256
        response = self.client_for(self.erin).get(reverse("inspections:order_pdf", args=[first.pk]))
        assert response.status_code == 200
        assert (
            self.client_for(self.frank)
            .get(reverse("inspections:order_pdf", args=[first.pk]))
            .status_code
            == 404
        )
