"""Area is part of every write: a department changes only the enterprises where its body acts.

Two cities and two levels: 聊城's city market regulator (Alice, the whole city), 临清's county
market regulator (Lin, 临清 only) and 济南's city market regulator (Jiang, 济南 only), each against
an enterprise of 临清, one of 阳谷 and one of 济南. Every read of an enterprise's file and every
write that names an enterprise (pages, API, imports) is tried by each; a refused write leaves the
database as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onevisit.accounts.actions import do_create_api_token
from onevisit.accounts.models import Role, User
from onevisit.inspections.tests.base import VisitTestCase, publish_item
from onevisit.planning.models import Level, Tier
from onevisit.rectification.models import Rectification
from onevisit.registry.models import Body, Enterprise
from onevisit.testing import make_enterprise, make_user, other_city_district, uscc
from onevisit.testing.workbooks import workbook as make_workbook

ALICE, LIN, JIANG = "alice", "lin", "jiang"
# who acts where: the enterprises each may read and change
REACH = {
    ALICE: {"linqing", "yanggu"},
    LIN: {"linqing"},
    JIANG: {"jinan"},
}


def workbook(headers: list[str], *rows: list[Any]) -> SimpleUploadedFile:
    return SimpleUploadedFile("f.xlsx", make_workbook(headers, list(rows)))


class AreaMatrixTest(VisitTestCase):
    lin_body: Body
    jn_body: Body
    jinan_enterprise: Enterprise
    users: dict[str, User]
    enterprises: dict[str, Enterprise]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        other_city_district()
        cls.lin_body = Body.objects.create(
            name="临清市市场监督管理局",
            code="LQ-SCJG",
            kind="administrative",
            level="county",
            district_id="371581",
            published=True,
        )
        cls.jn_body = Body.objects.create(
            name="济南市市场监督管理局",
            code="JN-SCJG",
            kind="administrative",
            level="city",
            district_id="370100",
            published=True,
        )
        cls.jinan_enterprise = make_enterprise(
            "济南泉城精工机械有限公司", serial=90, district="370102", industry="34"
        )
        cls.users = {
            ALICE: cls.alice,
            LIN: make_user("lin", role=Role.BODY_ADMIN, body=cls.lin_body),
            JIANG: make_user("jiang", role=Role.BODY_ADMIN, body=cls.jn_body),
        }
        cls.enterprises = {
            "linqing": cls.bearing,
            "yanggu": cls.cable,
            "jinan": cls.jinan_enterprise,
        }
        for name, body in ((ALICE, cls.market), (LIN, cls.lin_body), (JIANG, cls.jn_body)):
            item = (
                cls.market_item
                if body == cls.market
                else publish_item(body, f"{body.code}-001", [("设备台账", "")])
            )
            for enterprise in cls.enterprises.values():
                Tier.objects.create(
                    enterprise=enterprise,
                    body=body,
                    computed_level=Level.YELLOW,
                    score=40,
                    computed_at=timezone.now(),
                )
            setattr(cls, f"{name}_item", item)

    def as_(self, name: str) -> Client:
        return self.client_for(self.users[name])

    def api(self, name: str) -> Client:
        _, raw = do_create_api_token(user=self.users[name], name="matrix")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    def each(self) -> list[tuple[str, str, Enterprise, bool]]:
        return [
            (person, where, enterprise, where in REACH[person])
            for person in REACH
            for where, enterprise in self.enterprises.items()
        ]

    def check_write(
        self,
        label: str,
        attempt: Callable[[str, Enterprise], Any],
        changed: Callable[[Enterprise], bool],
    ) -> None:
        """Each persona tries the write against each enterprise: done where the body acts, and
        refused, with nothing changed, everywhere else."""
        wrong = []
        for person, where, enterprise, allowed in self.each():
            attempt(person, enterprise)
            if changed(enterprise) != allowed:
                wrong.append(
                    f"{label}: {person} on {where} ({'allowed' if allowed else 'refused'})"
                )
        assert wrong == []

    def renamed(self, enterprise: Enterprise) -> bool:
        now = Enterprise.objects.get(pk=enterprise.pk).name
        if now != enterprise.name:
            Enterprise.objects.filter(pk=enterprise.pk).update(name=enterprise.name)
            return True
        return False

    # --- reads ---------------------------------------------------------------------------

    def test_it_shows_an_enterprise_file_and_its_panels_only_where_the_body_acts(self) -> None:
        wrong = []
        for person, where, enterprise, allowed in self.each():
            client = self.as_(person)
            for name in (
                "registry:enterprise_detail",
                "planning:enterprise_panel",
                "monitoring:enterprise_devices",
            ):
                status = client.get(reverse(name, args=[enterprise.pk])).status_code
                if (status == 200) != allowed or status >= 500:
                    wrong.append(f"{name} {person} {where}: {status}")
            status = self.api(person).get(f"/api/enterprises/{enterprise.pk}").status_code
            if (status == 200) != allowed:
                wrong.append(f"api {person} {where}: {status}")
        assert wrong == []

    def test_it_searches_the_register_only_where_the_body_acts(self) -> None:
        for person, where, enterprise, allowed in self.each():
            page = self.as_(person).get(reverse("registry:enterprise_list"))
            assert (enterprise.name in page.content.decode()) == allowed, (person, where)
            listed = self.api(person).get("/api/enterprises/").json()["results"]
            assert (enterprise.uscc in {e["uscc"] for e in listed}) == allowed, (person, where)

    # --- writes on the pages and the API ----------------------------------------------------

    def test_it_lets_the_edit_page_change_only_enterprises_where_the_body_acts(self) -> None:
        def attempt(person: str, enterprise: Enterprise) -> None:
            client = self.as_(person)
            url = reverse("registry:enterprise_edit", args=[enterprise.pk])
            client.post(
                url,
                {
                    "uscc": enterprise.uscc,
                    "name": enterprise.name + "（改）",
                    "district": enterprise.district_id,
                    "industry_code": enterprise.industry_code,
                    "status": enterprise.status,
                },
            )

        self.check_write("web edit", attempt, self.renamed)

    def test_it_lets_the_api_change_only_enterprises_where_the_body_acts(self) -> None:
        def attempt(person: str, enterprise: Enterprise) -> None:
            self.api(person).patch(
                f"/api/enterprises/{enterprise.pk}",
                {"name": enterprise.name + "（改）"},
                content_type="application/json",
            )

        self.check_write("api patch", attempt, self.renamed)

    def test_it_refuses_to_move_an_enterprise_out_of_the_bodys_area(self) -> None:
        client = self.api(LIN)
        response = client.patch(
            f"/api/enterprises/{self.bearing.pk}",
            {"district": "371521"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert Enterprise.objects.get(pk=self.bearing.pk).district_id == "371581"

    def test_it_lets_a_body_register_new_enterprises_only_where_it_acts(self) -> None:
        serial = 500
        wrong = []
        for person, where, enterprise, allowed in self.each():
            serial += 1
            district = enterprise.district_id
            code = uscc(serial, district)
            fields = {"uscc": code, "name": f"新设{serial}有限公司", "district": district}
            self.api(person).post(
                "/api/enterprises/", {**fields, "industry": "3411"}, content_type="application/json"
            )
            self.as_(person).post(
                reverse("registry:enterprise_create"),
                {
                    **fields,
                    "uscc": uscc(serial + 1000, district),
                    "industry_code": "3411",
                    "status": "active",
                },
            )
            made = Enterprise.objects.filter(uscc__in=[code, uscc(serial + 1000, district)])
            if made.count() != (2 if allowed else 0):
                wrong.append(f"{person} in {where}: {made.count()} made")
        assert wrong == []

    # --- imports ------------------------------------------------------------------------

    def test_it_imports_only_rows_of_enterprises_where_the_body_acts(self) -> None:
        def attempt(person: str, enterprise: Enterprise) -> None:
            upload = workbook(
                ["统一社会信用代码", "企业名称", "行政区划代码", "国民经济行业代码"],
                [enterprise.uscc, enterprise.name + "（改）", enterprise.district_id, "3411"],
            )
            self.as_(person).post(
                reverse("operations:import"), {"kind": "enterprises", "file": upload}
            )

        self.check_write("enterprise import", attempt, self.renamed)

    def test_it_refuses_an_import_that_moves_an_enterprise_into_the_bodys_area(self) -> None:
        upload = workbook(
            ["统一社会信用代码", "企业名称", "行政区划代码", "国民经济行业代码"],
            [self.jinan_enterprise.uscc, "济南泉城精工机械有限公司", "371581", "3411"],
        )
        page = self.as_(LIN).post(
            reverse("operations:import"), {"kind": "enterprises", "file": upload}
        )
        assert "济南" in page.content.decode() or "历下区" in page.content.decode()
        assert Enterprise.objects.get(pk=self.jinan_enterprise.pk).district_id == "370102"

    def test_it_imports_a_ledger_only_for_enterprises_where_the_body_acts(self) -> None:
        bodies = {ALICE: self.market, LIN: self.lin_body, JIANG: self.jn_body}

        def attempt(person: str, enterprise: Enterprise) -> None:
            upload = workbook(
                ["检查主体", "企业名称", "统一社会信用代码", "问题描述", "发现日期", "整改期限"],
                [
                    bodies[person].code,
                    enterprise.name,
                    enterprise.uscc,
                    "台账缺失",
                    "2026-11-01",
                    "2026-11-20",
                ],
            )
            self.as_(person).post(reverse("operations:import"), {"kind": "ledger", "file": upload})

        def changed(enterprise: Enterprise) -> bool:
            found = Rectification.objects.filter(enterprise=enterprise)
            count = found.count()
            found.delete()
            return count > 0

        self.check_write("ledger import", attempt, changed)

    # --- records naming an enterprise ---------------------------------------------------------

    def test_it_overrides_tiers_only_where_the_body_acts(self) -> None:
        bodies = {ALICE: self.market, LIN: self.lin_body, JIANG: self.jn_body}

        def attempt(person: str, enterprise: Enterprise) -> None:
            tier = Tier.objects.get(enterprise=enterprise, body=bodies[person])
            self.as_(person).post(
                reverse("planning:override_tier", args=[tier.pk]),
                {"level": Level.RED, "reason": "群众举报多次", "until": "2027-06-30"},
            )

        def changed(enterprise: Enterprise) -> bool:
            found = Tier.objects.filter(enterprise=enterprise).exclude(override_level="")
            hit = found.exists()
            found.update(
                override_level="", override_reason="", override_by=None, override_until=None
            )
            return hit

        self.check_write("tier override", attempt, changed)

    def test_it_files_assessments_only_for_enterprises_where_the_body_acts(self) -> None:
        from onevisit.assessments.models import Assessment

        def attempt(person: str, enterprise: Enterprise) -> None:
            item = getattr(self, f"{person}_item")
            self.as_(person).post(
                reverse("assessments:assessment_new"),
                {
                    "kind": "ad_hoc",
                    "title": "临时检查",
                    "cause": "媒体报道",
                    "legal_basis": "《特种设备安全法》",
                    "items": [item.pk],
                    "enterprises": enterprise.uscc,
                    "why_not_joint": "时间紧",
                    "why_not_replaced": "无可互认结果",
                    "burden": "半天",
                    "window_start": "2026-12-10",
                    "window_end": "2026-12-20",
                },
            )

        def changed(enterprise: Enterprise) -> bool:
            found = Assessment.objects.filter(targets__enterprise=enterprise)
            hit = found.exists()
            for assessment in found:
                assessment.targets.all().delete()
                assessment.delete()
            return hit

        self.check_write("assessment", attempt, changed)

    def test_it_records_penalty_decisions_only_for_enterprises_where_the_body_acts(self) -> None:
        from onevisit.penalties.models import Decision, Level, Violation

        levels = {}
        for person, body in ((ALICE, self.market), (LIN, self.lin_body), (JIANG, self.jn_body)):
            violation = Violation.objects.create(
                body=body,
                code=f"V-{body.code}",
                name="未登记",
                legal_basis="法",
                penalty_basis="罚",
            )
            levels[person] = Level.objects.create(
                violation=violation, grade="一般", circumstances="初次"
            )
        serial = iter(range(1, 100))

        def attempt(person: str, enterprise: Enterprise) -> None:
            self.as_(person).post(
                reverse("penalties:decision_new"),
                {
                    "case_number": f"〔2026〕{next(serial)}号",
                    "level": levels[person].pk,
                    "fine": "0",
                    "reasons": "初次违法",
                    "decided_on": "2026-11-02",
                    "uscc": enterprise.uscc,
                },
            )

        def changed(enterprise: Enterprise) -> bool:
            found = Decision.objects.filter(enterprise=enterprise)
            hit = found.exists()
            found.delete()
            return hit

        self.check_write("penalty decision", attempt, changed)

    def test_it_names_the_area_in_the_special_inspection_list(self) -> None:
        from onevisit.planning.forms import SpecialEntryForm

        form = SpecialEntryForm(
            {
                "usccs": f"{self.bearing.uscc}\n{self.cable.uscc}",
                "start": "2026-12-01",
                "end": "2026-12-31",
                "items": [self.lin_item.pk],  # type: ignore[attr-defined]
                "reason": "专项",
            },
            body=self.lin_body,
        )
        assert not form.is_valid()
        errors = " ".join(str(e) for e in form.errors["__all__"])
        # 阳谷 lies outside 临清's county; 临清's own enterprise is accepted
        assert self.cable.uscc in errors and self.bearing.uscc not in errors
