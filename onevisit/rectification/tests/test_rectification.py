"""整改 to the last close-out: opened by findings, evidence, verification, 销号 or reopening, the
escalation ladder on a frozen clock, and the ledger in and out of Excel."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.models import AuditEntry
from onevisit.inspections.actions import PointEntry, do_close_visit, do_record_result, do_sign_off
from onevisit.inspections.checklist import merge
from onevisit.inspections.models import visit_points
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase, certificates, photo_upload
from onevisit.lib.tabular import write_xlsx
from onevisit.operations.importers import run_import
from onevisit.oversight.models import Kind as WarningKind
from onevisit.oversight.models import Warning
from onevisit.planning.models import Kind
from onevisit.rectification.actions import (
    Check,
    RectificationRefused,
    do_close_out,
    do_escalate_rectifications,
    do_reopen_rectification,
    do_submit_evidence,
    do_verify_rectification,
)
from onevisit.rectification.exports import LEDGER_HEADERS
from onevisit.rectification.models import DeadlinePolicy, Rectification
from onevisit.workdays.calendar import add_working_days


class RectificationTestCase(VisitTestCase):
    def closed_visit_with_finding(self, severity: str = "general") -> Rectification:
        visit = self.on_site(self.register())
        for n, row in enumerate(merge(visit_points(visit), [], [])):
            entry = (
                PointEntry(
                    row.points, "noncompliant", severity=severity, description="电梯未办理使用登记"
                )
                if n == 0
                else PointEntry(row.points, "compliant")
            )
            do_record_result(actor=SYSTEM, visit=visit, by=self.ivan, entry=entry)
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="设备科 李强")
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        with self.captureOnCommitCallbacks(execute=True):
            do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)
        return Rectification.objects.get(finding__visit=visit)


class LifeTest(RectificationTestCase):
    def test_it_opens_one_per_finding_with_guidance_owner_and_deadline(self) -> None:
        rect = self.closed_visit_with_finding()
        assert rect.enterprise == self.bearing and rect.body == self.market
        assert rect.measure == "按指引整改" and rect.responsible == "设备科 李强"
        assert rect.deadline == add_working_days(timezone.localdate(), 15)
        assert rect.status == Rectification.Status.OPEN

    def test_it_takes_the_bodys_own_deadlines(self) -> None:
        DeadlinePolicy.objects.create(body=self.market, serious_days=2)
        rect = self.closed_visit_with_finding(severity="serious")
        assert rect.deadline == add_working_days(timezone.localdate(), 2)

    def test_it_closes_out_only_with_evidence_and_verification(self) -> None:
        rect = self.closed_visit_with_finding()
        with self.assertRaises(RectificationRefused):
            do_close_out(actor=SYSTEM, rect=rect, by=self.alice)
        do_submit_evidence(
            actor=SYSTEM, rect=rect, by=self.erin, text="已办理使用登记", files=[photo_upload()]
        )
        with self.assertRaises(RectificationRefused):
            do_close_out(actor=SYSTEM, rect=rect, by=self.alice)
        do_verify_rectification(
            actor=SYSTEM,
            rect=rect,
            by=self.alice,
            check=Check("documents", True, "登记证书核对无误"),
        )
        do_close_out(actor=SYSTEM, rect=rect, by=self.alice)
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.CLOSED and rect.closed_on == timezone.localdate()
        assert rect.evidence.get().sha256
        assert AuditEntry.objects.filter(action="close_out", object_id=str(rect.pk)).exists()

    def test_it_reopens_as_not_fixed_with_a_reason_and_a_new_deadline(self) -> None:
        rect = self.closed_visit_with_finding()
        do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text="已整改")
        do_verify_rectification(
            actor=SYSTEM,
            rect=rect,
            by=self.alice,
            check=Check("documents", False, "照片显示仍未登记", 5),
        )
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.REOPENED
        assert rect.deadline == add_working_days(timezone.localdate(), 5)
        do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text="补充登记证")
        do_verify_rectification(
            actor=SYSTEM, rect=rect, by=self.alice, check=Check("documents", True, "可以")
        )
        do_close_out(actor=SYSTEM, rect=rect, by=self.alice)
        with self.assertRaises(RectificationRefused):
            do_reopen_rectification(actor=SYSTEM, rect=rect, by=self.alice, reason="")
        do_reopen_rectification(actor=SYSTEM, rect=rect, by=self.alice, reason="回访发现又停用登记")
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.REOPENED and rect.closed_on is None

    def test_it_plans_an_onsite_recheck_exempt_from_the_cap(self) -> None:
        rect = self.closed_visit_with_finding()
        do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text="已整改")
        do_verify_rectification(
            actor=SYSTEM, rect=rect, by=self.alice, check=Check("onsite", True, "安排复查")
        )
        rect.refresh_from_db()
        assert rect.recheck_task is not None and rect.recheck_task.kind == Kind.RECHECK
        assert rect.status == Rectification.Status.SUBMITTED
        do_verify_rectification(
            actor=SYSTEM, rect=rect, by=self.alice, check=Check("onsite", True, "复查合格")
        )
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.VERIFIED and rect.verification == "onsite"

    def test_it_refuses_evidence_files_of_the_wrong_type_and_saves_nothing(self) -> None:
        rect = self.closed_visit_with_finding()
        bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/octet-stream")
        with self.assertRaisesMessage(RectificationRefused, "virus.exe"):
            do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text="见附件", files=[bad])
        with self.assertRaises(RectificationRefused):
            do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text=" ")
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.OPEN and not rect.evidence.exists()
        response = self.client_for(self.erin).post(
            reverse("rectification:act", args=[rect.pk, "evidence"]),
            {"note": "已更换全部灭火器，见照片", "files": [bad]},
        )
        # the refusal looks like one, and what the enterprise wrote is still in the form
        self.assertContains(response, '<li class="error" role="alert">', status_code=422)
        self.assertContains(response, "已更换全部灭火器，见照片</textarea>", status_code=422)

    def test_it_refuses_evidence_that_is_not_what_it_claims_to_be(self) -> None:
        """A PDF cut short, a zip named .docx, and a small .xlsx that unpacks to 150 MB."""
        import io
        import zipfile

        from fpdf import FPDF

        rect = self.closed_visit_with_finding()
        pdf = FPDF()
        pdf.add_page()
        whole = bytes(pdf.output())
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
                for _ in range(150):
                    member.write(b" " * (1024 * 1024))
        assert len(bomb.getvalue()) < 1024 * 1024
        plain_zip = io.BytesIO()
        with zipfile.ZipFile(plain_zip, "w") as archive:
            archive.writestr("readme.txt", "不是文档")
        for name, data in [
            ("整改报告.pdf", whole[: len(whole) // 2]),
            ("整改方案.docx", plain_zip.getvalue()),
            ("台账.xlsx", bomb.getvalue()),
        ]:
            upload = SimpleUploadedFile(name, data, "application/octet-stream")
            with self.assertRaisesMessage(RectificationRefused, name):
                do_submit_evidence(
                    actor=SYSTEM, rect=rect, by=self.erin, text="见附件", files=[upload]
                )
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.OPEN and not rect.evidence.exists()
        good = SimpleUploadedFile("整改报告.pdf", whole, "application/pdf")
        do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text="见附件", files=[good])
        assert rect.evidence.count() == 1


class LadderTest(RectificationTestCase):
    def escalate(self, day: dt.date) -> tuple[int, int, int]:
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            ladder = do_escalate_rectifications(today=day)
        return ladder.reminded, ladder.to_body, ladder.to_supervisor

    def test_it_climbs_the_ladder_once_per_step_on_a_frozen_clock(self) -> None:
        rect = self.closed_visit_with_finding()
        deadline = rect.deadline
        assert self.escalate(timezone.localdate()) == (0, 0, 0)
        assert self.escalate(add_working_days(deadline, -0) - dt.timedelta(days=1)) == (1, 0, 0)
        assert self.escalate(deadline + dt.timedelta(days=1)) == (0, 1, 0)
        assert self.escalate(deadline + dt.timedelta(days=2)) == (0, 0, 0)
        late = add_working_days(deadline, 11)
        assert self.escalate(late) == (0, 0, 1)
        assert self.escalate(late + dt.timedelta(days=1)) == (0, 0, 0)
        warning = Warning.objects.get(kind=WarningKind.OVERDUE_RECTIFICATION)
        assert warning.enterprise == self.bearing and warning.visits.count() == 1
        assert rect.events.count() >= 4


class LedgerTest(RectificationTestCase):
    def test_it_exports_the_ledger_with_the_officials_columns(self) -> None:
        rect = self.closed_visit_with_finding()
        response = self.client_for(self.alice).get(
            reverse("rectification:ledger"), {"show": "all", "export": "xlsx"}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == LEDGER_HEADERS
        assert rows[1][:4] == (1, self.bearing.name, self.bearing.uscc, rect.problem)
        assert rows[1][7] == "整改中"

    def ledger_file(self, rows: list[list[object]]) -> bytes:
        buffer = io.BytesIO()
        headers = [
            "企业名称",
            "统一社会信用代码",
            "问题描述",
            "整改措施",
            "责任人",
            "整改时限",
            "整改状态",
            "销号日期",
            "检查主体",
            "发现日期",
        ]
        write_xlsx(buffer, "台账", headers, rows)
        return buffer.getvalue()

    def test_it_imports_a_ledger_or_reports_every_bad_row_and_writes_nothing(self) -> None:
        good: list[list[object]] = [
            [
                self.bearing.name,
                self.bearing.uscc,
                "消防通道堵塞",
                "清理通道",
                "王强",
                dt.date(2026, 6, 30),
                "已销号",
                dt.date(2026, 6, 20),
                "LC-SCJG",
                dt.date(2026, 6, 1),
            ],
            [
                "城东建筑工地",
                "",
                "基坑未设防护栏",
                "设置围挡",
                "项目经理 张三",
                "2026-07-15",
                "整改中",
                "",
                "聊城市市场监督管理局",
                "2026-07-01",
            ],
        ]
        bad: list[list[object]] = [
            *good,
            [
                "某公司",
                "91371500MA0000000X",
                "问题",
                "",
                "",
                dt.date(2026, 6, 30),
                "整改中",
                "",
                "LC-SCJG",
                dt.date(2026, 6, 1),
            ],
            [
                "某公司",
                "",
                "问题",
                "",
                "",
                dt.date(2026, 5, 1),
                "整改中",
                "",
                "LC-SCJG",
                dt.date(2026, 6, 1),
            ],
            [
                "某公司",
                "",
                "问题",
                "",
                "",
                dt.date(2026, 7, 1),
                "已销号",
                "",
                "NOPE",
                dt.date(2026, 6, 1),
            ],
        ]
        report = run_import(
            "ledger",
            self.ledger_file(bad),
            "台账.xlsx",
            actor=SYSTEM,
            dry_run=False,
            user=self.alice,
        )
        assert [e.row for e in report.errors] == [4, 5, 6]
        assert not Rectification.objects.exists()
        report = run_import(
            "ledger",
            self.ledger_file(good),
            "台账.xlsx",
            actor=SYSTEM,
            dry_run=False,
            user=self.alice,
        )
        assert report.created == 2 and not report.errors
        closed = Rectification.objects.get(status="closed")
        assert closed.enterprise == self.bearing and closed.closed_on == dt.date(2026, 6, 20)
        other_body = run_import(
            "ledger",
            self.ledger_file(good),
            "台账.xlsx",
            actor=SYSTEM,
            dry_run=False,
            user=self.bob,
        )
        assert other_body.errors and Rectification.objects.count() == 2

    def test_it_lets_each_role_see_its_own_ledger(self) -> None:
        rect = self.closed_visit_with_finding()
        for user, sees in (
            (self.supervisor, True),
            (self.alice, True),
            (self.ivan, True),
            (self.erin, True),
            (self.bob, False),
            (self.frank, False),
        ):
            page = (
                self.client_for(user)
                .get(reverse("rectification:ledger"), {"show": "all"})
                .content.decode()
            )
            assert (rect.problem in page) == sees, user
            status = (
                self.client_for(user)
                .get(reverse("rectification:detail", args=[rect.pk]))
                .status_code
            )
            assert (status == 200) == sees, (user, status)
        assert (
            self.client_for(self.stranger).get(reverse("rectification:ledger")).status_code == 403
        )
        evidence = reverse("rectification:act", args=[rect.pk, "evidence"])
        # another body never touches it (the own body records paper evidence: BodySideTest)
        assert self.client_for(self.bob).post(evidence, {"note": "x"}).status_code == 404
        assert self.client_for(self.supervisor).post(evidence, {"note": "x"}).status_code == 403
        close = reverse("rectification:act", args=[rect.pk, "close"])
        assert self.client_for(self.erin).post(close).status_code == 403
        assert self.client_for(self.supervisor).post(close).status_code == 403

    def test_it_keeps_the_ledger_page_queries_constant(self) -> None:
        self.closed_visit_with_finding()
        client = self.client_for(self.supervisor)
        client.get(reverse("rectification:ledger"))
        with self.assertNumQueries(9):  # one of them: the years with a holiday notice
            client.get(reverse("rectification:ledger"), {"show": "all"})


class BodySideTest(RectificationTestCase):
    """While the enterprise works on it, the body is not stuck: it records what was handed in on
    paper and plans the on-site re-check."""

    def test_it_records_evidence_handed_in_on_paper_by_the_body(self) -> None:
        rect = self.closed_visit_with_finding()
        url = reverse("rectification:act", args=[rect.pk, "evidence"])
        assert self.client_for(self.bob).post(url, {"note": "x"}).status_code in {403, 404}
        self.client_for(self.alice).post(url, {"note": "企业递交纸质整改报告及发票复印件"})
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.SUBMITTED
        evidence = rect.evidence.get()
        assert evidence.text.startswith("纸质材料") and evidence.submitted_by == self.alice

    def test_it_plans_a_recheck_while_the_rectification_is_open(self) -> None:
        rect = self.closed_visit_with_finding()
        url = reverse("rectification:act", args=[rect.pk, "recheck"])
        assert self.client_for(self.erin).post(url).status_code == 403
        self.client_for(self.alice).post(url)
        rect.refresh_from_db()
        assert rect.status == Rectification.Status.OPEN
        assert rect.recheck_task is not None and rect.recheck_task.kind == "recheck"
        again = self.client_for(self.alice).post(url)
        self.assertContains(again, "已安排", status_code=422)


class HostileFormTest(RectificationTestCase):
    def test_it_bounds_the_new_deadline_of_a_reopened_rectification(self) -> None:
        rect = self.closed_visit_with_finding()
        do_submit_evidence(actor=SYSTEM, rect=rect, by=self.erin, text="已整改")
        url = reverse("rectification:act", args=[rect.pk, "reopen"])
        response = self.client_for(self.alice).post(url, {"note": "未整改", "days": "3000000"})
        assert response.status_code == 302  # refused nothing, kept the default of 10 days
        rect.refresh_from_db()
        assert rect.deadline == add_working_days(timezone.localdate(), 10)

    def test_it_warns_when_a_rectification_is_found_not_fixed(self) -> None:
        rect = self.closed_visit_with_finding()
        self.client_for(self.alice).post(
            reverse("rectification:act", args=[rect.pk, "evidence"]), {"note": "纸质整改报告"}
        )
        response = self.client_for(self.alice).post(
            reverse("rectification:act", args=[rect.pk, "verify"]),
            {"method": "documents", "passed": "no", "note": "灭火器仍未更换"},
            follow=True,
        )
        page = response.content.decode()
        assert 'class="warning"' in page and "未整改到位" in page and "已保存" not in page
