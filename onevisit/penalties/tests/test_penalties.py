"""裁量基准: the catalogue in from Excel, decisions held to it (不罚/轻罚, 先责令改正, written
justification outside the range), and the consistency report that flags constructed outliers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse

from onevisit.audit.actions import Actor
from onevisit.lib.tabular import write_xlsx
from onevisit.operations.importers import run_import
from onevisit.penalties.actions import Case, DecisionRefused, consistency_report, do_decide_penalty
from onevisit.penalties.models import Decision, Level, Violation
from onevisit.testing import PersonaTestCase

SYSTEM = Actor.system("test")
HEADERS = [
    "主体编码",
    "违法行为编码",
    "违法行为",
    "违法依据",
    "处罚依据",
    "裁量阶次",
    "适用情形",
    "罚款下限",
    "罚款上限",
    "处罚种类",
    "先责令改正",
]
DAY = dt.date(2026, 11, 2)


def catalogue_file(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, "裁量基准", HEADERS, rows)
    return buffer.getvalue()


def rows(body: str = "LC-SCJG") -> list[list[object]]:
    base = [
        body,
        "SCJG-TZSB-01",
        "使用未经检验的特种设备",
        "《特种设备安全法》第四十条",
        "《特种设备安全法》第八十四条",
    ]
    return [
        [*base, "不予处罚", "首次违法、危害后果轻微并及时改正", 0, 0, "", "是"],
        [*base, "从轻", "主动消除危害后果", 30000, 100000, "罚款", "是"],
        [*base, "一般", "一般情形", 100000, 200000, "罚款", "是"],
        [*base, "从重", "造成事故或拒不改正", 200000, 300000, "罚款、责令停止使用", "是"],
    ]


class PenaltyTestCase(PersonaTestCase):
    def setUp(self) -> None:
        report = run_import(
            "penalties",
            catalogue_file(rows()),
            "基准.xlsx",
            actor=SYSTEM,
            dry_run=False,
            user=self.alice,
        )
        assert not report.errors, report.errors
        self.violation = Violation.objects.get(code="SCJG-TZSB-01")

    def level(self, grade: str) -> Level:
        return self.violation.levels.get(grade=grade)

    def decide(self, number: str, grade: str, fine: int, **extra: object) -> Decision:
        fields: dict[str, object] = {
            "case_number": number,
            "body": self.market,
            "violation": self.violation,
            "level": self.level(grade),
            "fine": Decimal(fine),
            "reasons": "现场检查发现叉车未经定期检验投入使用",
            "decided_on": DAY,
            "order_to_correct_on": DAY - dt.timedelta(days=10),
        }
        fields.update(extra)
        return do_decide_penalty(actor=SYSTEM, case=Case(**fields), by=self.alice)  # type: ignore[arg-type]


class CatalogueTest(PenaltyTestCase):
    def test_it_imports_the_catalogue_and_reports_bad_rows_without_writing(self) -> None:
        assert self.violation.levels.count() == 4 and self.violation.order_first
        bad = [
            ["LC-SCJG", "X-1", "违法", "依据", "依据", "很重", "情形", 0, 10, "", ""],
            ["LC-SCJG", "X-2", "违法", "依据", "依据", "一般", "情形", 500, 100, "", ""],
            ["LC-STHJ", "X-3", "违法", "依据", "依据", "一般", "情形", 0, 10, "", ""],
        ]
        report = run_import(
            "penalties",
            catalogue_file(bad),
            "基准.xlsx",
            actor=SYSTEM,
            dry_run=False,
            user=self.alice,
        )
        assert [e.row for e in report.errors] == [2, 3, 4]
        assert not Violation.objects.filter(code__startswith="X-").exists()

    def test_it_publishes_the_catalogue_without_login(self) -> None:
        page = self.client_for(None).get(reverse("penalties:catalogue"))
        self.assertContains(page, "使用未经检验的特种设备")
        self.assertContains(page, "100,000")  # fines with thousands separators


class DecisionTest(PenaltyTestCase):
    def test_it_records_a_decision_within_the_range(self) -> None:
        decision = self.decide("聊市监处罚〔2026〕1号", "general", 150000)
        assert not decision.outside_range

    def test_it_refuses_a_fine_outside_the_range_without_a_written_justification(self) -> None:
        with self.assertRaises(DecisionRefused):
            self.decide("〔2026〕2号", "general", 50000)
        decision = self.decide(
            "〔2026〕2号", "general", 50000, justification="经集体讨论，企业已全额赔偿并主动报告"
        )
        assert decision.outside_range

    def test_it_requires_the_order_to_correct_first(self) -> None:
        with self.assertRaisesMessage(DecisionRefused, "责令改正"):
            self.decide("〔2026〕3号", "general", 150000, order_to_correct_on=None)

    def test_it_applies_no_penalty_only_to_a_first_violation_corrected_in_time(self) -> None:
        with self.assertRaises(DecisionRefused):
            self.decide("〔2026〕4号", "none", 0)
        decision = self.decide(
            "〔2026〕4号", "none", 0, first_violation=True, corrected_in_time=True
        )
        assert decision.fine == 0
        with self.assertRaises(DecisionRefused):
            self.decide("〔2026〕5号", "none", 1000, first_violation=True, corrected_in_time=True)

    def test_it_refuses_a_violation_outside_the_bodys_catalogue(self) -> None:
        with self.assertRaisesMessage(DecisionRefused, "裁量基准"):
            self.decide("〔2026〕6号", "general", 150000, body=self.ecology)
        assert not Decision.objects.exists()


class ConsistencyTest(PenaltyTestCase):
    def test_it_flags_constructed_outliers_for_the_supervisor(self) -> None:
        for n, fine in enumerate([120000, 130000, 140000, 150000, 135000]):
            self.decide(f"〔2026〕1{n}号", "general", fine)
        self.decide("〔2026〕90号", "general", 199000)  # in range but far from the others
        self.decide(
            "〔2026〕91号", "general", 20000, justification="领导批示从宽"
        )  # below the range
        spread = consistency_report()[0]
        assert spread.count == 7 and spread.low == 20000 and spread.high == 199000
        assert {d.case_number for d in spread.outliers} == {"〔2026〕90号", "〔2026〕91号"}
        page = self.client_for(self.supervisor).get(reverse("penalties:consistency"))
        self.assertContains(page, "〔2026〕91号")
        assert self.client_for(self.alice).get(reverse("penalties:consistency")).status_code == 403

    def test_it_compares_the_same_case_across_bodies(self) -> None:
        run_import(
            "penalties",
            catalogue_file(rows("LC-STHJ")),
            "基准.xlsx",
            actor=SYSTEM,
            dry_run=False,
            user=self.supervisor,
        )
        other = Violation.objects.get(body=self.ecology, code="SCJG-TZSB-01")
        for n in range(2):
            self.decide(f"〔2026〕3{n}号", "general", 150000)
            self.decide(
                f"〔2026〕4{n}号",
                "general",
                110000,
                body=self.ecology,
                violation=other,
                level=other.levels.get(grade="general"),
            )
        report = consistency_report()
        assert report, list(
            Decision.objects.values_list("violation__code", "level__grade", "body_id")
        )
        spread = report[0]
        assert spread.count == 4 and [b[0] for b in spread.by_body] == sorted(
            [self.market.name, self.ecology.name]
        )

    def test_it_shows_decisions_to_their_body_and_the_supervisor_only(self) -> None:
        self.decide("〔2026〕7号", "general", 150000)
        for user, sees in (
            (self.supervisor, True),
            (self.alice, True),
            (self.ivan, True),
            (self.bob, False),
        ):
            page = self.client_for(user).get(reverse("penalties:decision_list")).content.decode()
            assert ("〔2026〕7号" in page) == sees, user
            assert ("150,000" in page) == sees, user
        assert self.client_for(self.erin).get(reverse("penalties:decision_list")).status_code == 403

    def test_it_records_a_decision_on_the_web(self) -> None:
        response = self.client_for(self.alice).post(
            reverse("penalties:decision_new"),
            {
                "case_number": "〔2026〕8号",
                "level": self.level("light").pk,
                "fine": "50000",
                "reasons": "主动消除危害后果",
                "order_to_correct_on": "2026-10-20",
                "decided_on": "2026-11-02",
            },
        )
        assert response.status_code == 302
        assert Decision.objects.get().fine == 50000
        assert (
            self.client_for(self.erin).post(reverse("penalties:decision_new"), {}).status_code
            == 403
        )
