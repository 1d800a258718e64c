"""Imports: every bad row reported, nothing written on rejection, one transaction otherwise."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from onevisit.audit.actions import Actor, verify_chain
from onevisit.audit.checkpoints import write_checkpoint
from onevisit.audit.models import AuditEntry
from onevisit.registry.imports import import_bodies, import_enterprises, import_inspectors
from onevisit.registry.models import Body, Enterprise, Inspector
from onevisit.testing import PersonaTestCase, uscc

ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English messages; the Chinese ones are checked at the end."""
    with translation.override("en"):
        yield


HEADER_ZH = ["统一社会信用代码", "企业名称", "行政区划代码", "国民经济行业代码", "注册地址"]
HEADER_EN = ["uscc", "name", "district", "industry", "address"]


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(r) for r in rows).encode(encoding)


class EnterpriseImportTest(PersonaTestCase):
    def test_it_imports_a_good_xlsx_in_chinese_and_reports_counts(self) -> None:
        data = xlsx(
            [
                [*HEADER_ZH, "规上企业"],
                [uscc(101), "临清市恒泰轴承有限公司", "371581", "C3451", "临清市先锋路1号", "是"],
                [uscc(102), "阳谷县鑫达电缆有限公司", "阳谷县", "3831", "", ""],
            ]
        )
        report = import_enterprises(data, "list.xlsx", actor=ACTOR)
        assert report.ok, report.errors
        assert (report.rows, report.created, report.updated) == (2, 2, 0)
        hengtai = Enterprise.objects.get(uscc=uscc(101))
        assert hengtai.industry_id == "34" and hengtai.industry_code == "3451"
        assert Enterprise.objects.get(uscc=uscc(102)).district_id == "371521"
        assert hengtai.above_scale and not Enterprise.objects.get(uscc=uscc(102)).above_scale
        write_checkpoint()
        assert verify_chain().reason == ""

    def test_it_updates_existing_enterprises_by_code(self) -> None:
        data = csv_bytes(
            [HEADER_EN, [self.bearing.uscc, "聊城鑫源精密轴承有限公司", "371581", "34", "新地址"]]
        )
        report = import_enterprises(data, "update.csv", actor=ACTOR)
        assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
        self.bearing.refresh_from_db()
        assert self.bearing.name == "聊城鑫源精密轴承有限公司"
        assert AuditEntry.objects.filter(object_id=str(self.bearing.pk), action="update").exists()
        again = import_enterprises(data, "update.csv", actor=ACTOR)
        assert again.unchanged == 1 and again.updated == 0

    def test_it_reads_gbk_csv_saved_by_chinese_excel(self) -> None:
        data = csv_bytes(
            [HEADER_ZH, [uscc(103), "冠县钢板有限公司", "371525", "31", ""]], "gb18030"
        )
        report = import_enterprises(data, "gbk.csv", actor=ACTOR)
        assert report.ok and report.created == 1

    def test_it_reports_every_bad_row_and_changes_nothing(self) -> None:
        bad = uscc(104)[:-1] + ("0" if uscc(104)[-1] != "0" else "1")
        data = xlsx(
            [
                HEADER_ZH,
                [uscc(105), "好企业有限公司", "371581", "34", ""],
                [bad, "校验码错误有限公司", "371581", "34", ""],
                [uscc(106), "未知区划有限公司", "110101", "34", ""],
                [uscc(105), "重复代码有限公司", "371581", "34", ""],
                [uscc(107), "未知行业有限公司", "371581", "99", ""],
                [uscc(108), "长" * 201, "371581", "34", ""],
                ["362322198709086409", "身份证号有限公司", "371581", "34", ""],
                [uscc(109), "无此小类有限公司", "371581", "3400", ""],
            ]
        )
        before_enterprises, before_audit = Enterprise.objects.count(), AuditEntry.objects.count()
        report = import_enterprises(data, "bad.xlsx", actor=ACTOR)
        assert not report.ok
        found = {(e.row, e.column): e.reason for e in report.errors}
        assert "check character" in found[(3, "统一社会信用代码")]
        assert "unknown district" in found[(4, "行政区划代码")]
        assert "duplicate in this file (first in row 2)" in found[(5, "统一社会信用代码")]
        assert "unknown industry" in found[(6, "国民经济行业代码")]
        assert "longer than 200" in found[(7, "企业名称")]
        assert "GB 11714" in found[(8, "统一社会信用代码")]
        assert "unknown industry code 3400" in found[(9, "国民经济行业代码")]
        assert len(report.errors) == 7
        assert Enterprise.objects.count() == before_enterprises
        assert AuditEntry.objects.count() == before_audit

    def test_it_changes_nothing_in_a_dry_run(self) -> None:
        data = csv_bytes([HEADER_EN, [uscc(109), "东阿阿胶药业有限公司", "371524", "27", ""]])
        report = import_enterprises(data, "x.csv", actor=ACTOR, dry_run=True)
        assert report.ok and report.created == 1 and "dry run" in report.summary()
        assert not Enterprise.objects.filter(uscc=uscc(109)).exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.xlsx", "empty"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "not a readable .xlsx"),
        (b"%PDF-1.7", "report.pdf", "unsupported file type .pdf"),
        (b"foo,bar\n1,2\n", "wrong.csv", "required columns missing"),
        (
            "统一社会信用代码,企业名称,行政区划代码,国民经济行业代码\n".encode(),
            "header.csv",
            "no data rows",
        ),
        (b"\x00\x01\x02" * 100, "binary.csv", "binary data"),
        (bytes(range(256)) * 41_000, "garbage.csv", "binary data"),
    ],
)
@pytest.mark.django_db
def test_it_rejects_malformed_files_with_a_clear_message(
    data: bytes, name: str, message: str
) -> None:
    report = import_enterprises(data, name, actor=ACTOR)
    assert not report.ok
    assert message in report.file_error
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_a_file_over_the_size_limit(settings: object) -> None:
    settings.ONEVISIT_IMPORT_MAX_BYTES = 1024  # type: ignore[attr-defined]
    report = import_enterprises(b"x" * 2048, "big.csv", actor=ACTOR)
    assert "larger than" in report.file_error


class BodyAndInspectorImportTest(PersonaTestCase):
    def test_it_imports_bodies_with_an_entrusting_body_in_the_same_file(self) -> None:
        data = xlsx(
            [
                [
                    "主体编码",
                    "主体名称",
                    "主体类型",
                    "层级",
                    "行政区划代码",
                    "委托机关编码",
                    "是否公开",
                ],
                ["LQ-ZF", "临清市综合行政执法大队", "受委托组织", "县", "371581", "LQ-CG", "是"],
                ["LQ-CG", "临清市城市管理局", "行政机关", "县", "371581", "", "是"],
            ]
        )
        report = import_bodies(data, "bodies.xlsx", actor=ACTOR)
        assert report.ok, report.errors
        assert Body.objects.get(code="LQ-ZF").entrusted_by == Body.objects.get(code="LQ-CG")

    def test_it_rejects_an_entrusted_body_without_its_entrusting_body(self) -> None:
        data = csv_bytes(
            [
                ["code", "name", "kind", "level", "district", "entrusted_by"],
                ["X1", "某执法队", "受委托组织", "县", "371581", ""],
                ["X2", "某局", "行政机关", "市级", "371500", "LC-SCJG"],
            ]
        )
        report = import_bodies(data, "b.csv", actor=ACTOR)
        reasons = [e.reason for e in report.errors]
        assert reasons == [
            "an entrusted organisation names its entrusting body",
            "only an entrusted organisation has one",
        ]
        assert not Body.objects.filter(code__in=["X1", "X2"]).exists()

    def test_it_imports_inspectors_and_limits_a_body_admin_to_their_body(self) -> None:
        header = ["执法证号", "姓名", "所属主体编码", "证件有效期起", "证件有效期止", "服务区划"]
        mine = [
            "37152024000100",
            "张三",
            "LC-SCJG",
            "2024-01-01",
            "2029年12月31日",
            "371581、371521",
        ]
        theirs = ["37152024000101", "李四", "LC-STHJ", "2024/1/1", "2029/12/31", "371521"]
        report = import_inspectors(
            xlsx([header, mine, theirs]), "i.xlsx", actor=ACTOR, only_body=self.market
        )
        assert [(e.row, e.reason) for e in report.errors] == [
            (3, "you may import only your own body's inspectors")
        ]
        assert not Inspector.objects.filter(certificate_number__in=[mine[0], theirs[0]]).exists()
        report = import_inspectors(
            xlsx([header, mine]), "i.xlsx", actor=ACTOR, only_body=self.market
        )
        assert report.ok and report.created == 1
        zhang = Inspector.objects.get(certificate_number=mine[0])
        assert zhang.district_codes == ["371521", "371581"]

    def test_it_rejects_validity_that_ends_before_it_starts(self) -> None:
        header = ["执法证号", "姓名", "所属主体编码", "证件有效期起", "证件有效期止", "服务区划"]
        row = ["37152024000102", "王五", "LC-SCJG", "2025-01-01", "2024-01-01", "371581"]
        report = import_inspectors(xlsx([header, row]), "i.xlsx", actor=ACTOR)
        assert report.errors[0].reason == "is before the start of validity"


class ImportCommandAndPageTest(PersonaTestCase):
    def test_it_imports_from_the_command_line(self) -> None:
        path = Path(self._tmp()) / "good.csv"
        path.write_bytes(
            csv_bytes([HEADER_EN, [uscc(110), "高唐纸业有限公司", "371526", "22", ""]])
        )
        out = io.StringIO()
        call_command("import", "enterprises", str(path), "--dry-run", stdout=out)
        assert "would create 1" in out.getvalue()
        call_command("import", "enterprises", str(path), stdout=out)
        assert Enterprise.objects.filter(uscc=uscc(110)).exists()

    def test_it_fails_the_command_and_lists_bad_rows(self) -> None:
        path = Path(self._tmp()) / "bad.csv"
        path.write_bytes(csv_bytes([HEADER_EN, ["123", "x", "371526", "22", ""]]))
        err = io.StringIO()
        with pytest.raises(CommandError, match="1 bad rows"):
            call_command("import", "enterprises", str(path), stderr=err)
        assert "row 2, uscc '123': invalid code: must have 18 characters" in err.getvalue()

    def test_it_shows_the_error_report_on_the_web_page(self) -> None:
        client = self.client_for(self.alice)
        upload = SimpleUploadedFile(
            "bad.csv", csv_bytes([HEADER_EN, [uscc(111), "x", "999999", "22", ""]])
        )
        client.cookies["django_language"] = "en"
        response = client.post(
            reverse("operations:import"), {"kind": "enterprises", "file": upload}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "unknown district code" in html and "999999" in html

    def test_it_reports_the_bad_rows_in_chinese_by_default(self) -> None:
        client = self.client_for(self.alice)
        rows = [
            HEADER_EN,
            ["362322198709086409", "x", "371526", "22", ""],
            [uscc(112), "y", "999999", "22", ""],
        ]
        upload = SimpleUploadedFile("bad.csv", csv_bytes(rows))
        with translation.override("zh-hans"):
            response = client.post(
                reverse("operations:import"), {"kind": "enterprises", "file": upload}
            )
        html = response.content.decode()
        assert "未知的行政区划代码" in html
        assert "组织机构代码校验位" in html and "999999" in html

    def test_it_does_not_offer_body_import_to_a_body_admin(self) -> None:
        client = self.client_for(self.alice)
        upload = SimpleUploadedFile("b.csv", b"code,name\n1,2\n")
        response = client.post(reverse("operations:import"), {"kind": "bodies", "file": upload})
        assert response.status_code == 200
        assert response.context["form"].errors["kind"]
        assert response.context["report"] is None

    def test_it_exports_the_search_result_to_xlsx(self) -> None:
        client = self.client_for(self.alice)
        response = client.get(reverse("registry:enterprise_export"), {"q": "轴承"})
        workbook = load_workbook(io.BytesIO(response.content))
        rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert rows[0][:2] == ("统一社会信用代码", "企业名称")
        assert rows[1][:2] == (self.bearing.uscc, "聊城鑫源轴承有限公司")
        assert len(rows) == 2

    def _tmp(self) -> str:
        import tempfile

        directory = tempfile.mkdtemp()
        self.addCleanup(lambda: __import__("shutil").rmtree(directory, ignore_errors=True))
        return directory


@pytest.mark.django_db
def test_it_names_no_exception_and_no_internal_key_to_an_official() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        broken = import_enterprises(b"PK\x03\x04 not really a zip", "fake.xlsx", actor=ACTOR)
        headers = import_enterprises(b"foo,bar\n1,2\n", "wrong.csv", actor=ACTOR)
    assert "BadZipFile" not in broken.file_error and "Excel" in broken.file_error
    assert "统一社会信用代码" in headers.file_error and "/uscc" not in headers.file_error
    assert "/district" not in headers.file_error
