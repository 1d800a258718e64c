"""A year without a State Council notice is counted over the statutory holidays and marked as
estimated; the notice, once an official imports it, extends the open deadlines it affects and
never shortens one."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.urls import reverse
from django.utils import translation

from onevisit.audit.actions import Actor
from onevisit.audit.models import AuditEntry
from onevisit.operations.importers import run_import
from onevisit.registry.access import importable_kinds
from onevisit.testing import PersonaTestCase
from onevisit.tips.actions import Report, do_submit_tip
from onevisit.tips.models import Category, Tip
from onevisit.workdays.calendar import add_working_days, is_working_day, working_deadline
from onevisit.workdays.models import CalendarYear, EstimatedDeadline, SpecialDay

D = dt.date
TODAY = D(2026, 12, 1)
STATUTORY_2027 = [
    ("2027-01-01", "放假", "元旦"),
    ("2027-02-05", "放假", "春节"),
    ("2027-02-08", "放假", "春节"),
    ("2027-04-05", "放假", "清明节"),
    ("2027-06-09", "放假", "端午节"),
    ("2027-09-15", "放假", "中秋节"),
    ("2027-10-01", "放假", "国庆节"),
]


def notice(*rows: tuple[str, str, str]) -> bytes:
    lines = ["日期,类型,节日", *(",".join(row) for row in rows)]
    return "\n".join(lines).encode()


@mock.patch("django.utils.timezone.localdate", return_value=TODAY)
class NoticeTest(PersonaTestCase):
    category: Category

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        CalendarYear.objects.filter(year__gte=2027).delete()
        SpecialDay.objects.filter(date__year__gte=2027).delete()
        cls.category = Category.objects.create(
            code="equipment-safety",
            name="特种设备安全隐患",
            body=cls.market,
            ack_working_days=1,
            handle_working_days=30,
        )

    def tip(self) -> Tip:
        tip, _secret = do_submit_tip(report=Report(self.category, "叉车无牌照上路作业，司机无证"))
        return tip

    def enter(self, content: bytes, dry_run: bool = False):  # type: ignore[no-untyped-def]
        with translation.override("zh-hans"):
            return run_import(
                "holidays",
                content,
                "2027年节假日安排.csv",
                actor=Actor.of(self.supervisor),
                dry_run=dry_run,
                user=self.supervisor,
            )

    def test_it_counts_a_year_without_a_notice_over_the_statutory_holidays(self, _today) -> None:  # type: ignore[no-untyped-def]
        assert not is_working_day(D(2027, 2, 9))  # 补假 for 初一 on a Saturday
        assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 11)
        deadline = working_deadline(TODAY, 30)
        assert deadline.date == D(2027, 1, 13) and deadline.estimated_years == (2027,)

    def test_it_remembers_an_estimated_deadline_and_marks_it_on_the_page(self, _today) -> None:  # type: ignore[no-untyped-def]
        tip = self.tip()
        assert tip.handle_due == D(2027, 1, 13)
        assert EstimatedDeadline.objects.filter(object_id=str(tip.pk), field="handle_due").exists()
        assert not EstimatedDeadline.objects.filter(object_id=str(tip.pk), field="ack_due").exists()
        page = self.client_for(self.alice).get(reverse("tips:tip_detail", args=[tip.pk]))
        assert "2027-01-13 <span" in page.content.decode() and "（预计）" in page.content.decode()

    def test_it_extends_an_open_deadline_when_the_notice_gives_more_days_off(self, _today) -> None:  # type: ignore[no-untyped-def]
        tip = self.tip()
        report = self.enter(
            notice(
                *STATUTORY_2027,
                ("2027-01-02", "放假", "元旦"),
                ("2027-01-04", "放假", "元旦"),  # a weekday off the law alone does not give
                ("2027-02-20", "上班", "春节"),  # after the deadline: changes nothing here
            )
        )
        assert report.ok, report.errors
        assert report.created == 10 and "1" in report.notes[0]
        tip.refresh_from_db()
        assert tip.handle_due == D(2027, 1, 14)
        assert (
            CalendarYear.objects.get(year=2027).source == "国务院办公厅通知（2027年节假日安排.csv）"
        )
        assert not EstimatedDeadline.objects.filter(object_id=str(tip.pk)).exists()
        entry = AuditEntry.objects.filter(action="extend_deadline").get()
        assert entry.changes["handle_due"] == ["2027-01-13", "2027-01-14"]
        page = self.client_for(self.alice).get(reverse("tips:tip_detail", args=[tip.pk]))
        assert "（预计）" not in page.content.decode()

    def test_it_never_shortens_a_deadline(self, _today) -> None:  # type: ignore[no-untyped-def]
        tip = self.tip()
        report = self.enter(notice(*STATUTORY_2027, ("2027-01-09", "上班", "元旦")))
        assert report.ok, report.errors
        tip.refresh_from_db()
        assert tip.handle_due == D(2027, 1, 13)  # the notice alone would give 12 January
        assert add_working_days(TODAY, 30) == D(2027, 1, 12)

    def test_it_refuses_a_notice_that_breaks_the_law_and_changes_nothing(self, _today) -> None:  # type: ignore[no-untyped-def]
        tip = self.tip()
        rows = [row for row in STATUTORY_2027 if row[0] != "2027-06-09"]
        report = self.enter(
            notice(
                *rows,
                ("2027-01-01", "放假", "元旦"),
                ("2027-03-03", "上班", "春节"),
                ("2027-13-01", "放假", "元旦"),
                ("2027-05-06", "休假", "劳动节"),
            )
        )
        reasons = {(e.row, e.reason) for e in report.errors}
        assert not report.ok and report.file_error == ""
        assert any("重复" in reason for _row, reason in reasons)  # 10-01 listed twice
        assert any(row == 0 and "端午节" in reason for row, reason in reasons)
        assert any("工作日" in reason for _row, reason in reasons)  # a weekday listed as 上班
        assert any("放假" in reason for _row, reason in reasons)  # 休假 is no kind
        assert len(report.errors) == 5, report.errors
        assert not CalendarYear.objects.filter(year=2027).exists()
        tip.refresh_from_db()
        assert tip.handle_due == D(2027, 1, 13)

    def test_it_refuses_a_statutory_holiday_worked(self, _today) -> None:  # type: ignore[no-untyped-def]
        rows = [row for row in STATUTORY_2027 if row[0] != "2027-10-01"]
        report = self.enter(notice(*rows, ("2027-05-01", "上班", "劳动节")))
        assert [e.row for e in report.errors] == [0, 8]
        assert not SpecialDay.objects.filter(date__year=2027).exists()

    def test_it_refuses_a_day_before_the_law_it_checks_against(self, _today) -> None:  # type: ignore[no-untyped-def]
        report = self.enter(notice(("2001-10-01", "上班", "国庆节")))
        assert [e.row for e in report.errors] == [2] and "2008" in report.errors[0].reason

    def test_it_refuses_a_notice_of_two_years(self, _today) -> None:  # type: ignore[no-untyped-def]
        report = self.enter(notice(*STATUTORY_2027, ("2028-01-03", "放假", "元旦")))
        assert "2027, 2028" in report.file_error

    def test_it_checks_without_writing_on_a_dry_run(self, _today) -> None:  # type: ignore[no-untyped-def]
        tip = self.tip()
        report = self.enter(notice(*STATUTORY_2027, ("2027-01-04", "放假", "元旦")), dry_run=True)
        assert report.ok and report.created == 8
        tip.refresh_from_db()
        assert tip.handle_due == D(2027, 1, 13) and not CalendarYear.objects.filter(year=2027)

    def test_it_lets_only_the_supervisor_enter_a_notice(self, _today) -> None:  # type: ignore[no-untyped-def]
        assert "holidays" in importable_kinds(self.supervisor)
        for persona in (self.alice, self.ivan, self.erin, self.stranger):
            assert "holidays" not in importable_kinds(persona)
        page = self.client_for(self.alice).post(
            reverse("operations:import"),
            {"kind": "holidays", "file": _upload(notice(*STATUTORY_2027))},
        )
        assert page.status_code == 200 and not CalendarYear.objects.filter(year=2027).exists()


def _upload(content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notice.csv", content, content_type="text/csv")
