"""A deployment switches suites and rotates its code key without breaking a code it printed:
each code records its suite, verifies at the door under its own key, and offline with the keys
the city publishes."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from onevisit.inspections import keyring
from onevisit.inspections.models import InspectionCode, Visit
from onevisit.inspections.tests.base import VisitTestCase
from onevisit.testing import fresh_keys, make_enterprise


class SuiteTest(VisitTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.keys = fresh_keys(self, "inspection-codes")
        keyring.forget()
        self.addCleanup(keyring.forget)

    def under(self, suite: str) -> Any:
        keyring.forget()
        return override_settings(ONEVISIT_CRYPTO_SUITE=suite)

    def code_of(self, visit: Visit) -> InspectionCode:
        code = visit.current_code()
        assert code is not None
        return code

    def another_visit(self) -> InspectionCode:
        """A second visit of the day, to another enterprise of the same county."""
        cable = make_enterprise(
            "临清市华通电缆有限公司", serial=41, district="371581", industry="38"
        )
        task = self.task(self.market, self.market_item, cable)
        return self.code_of(self.register(enterprise=cable, tasks=[task]))

    def door(self, code: InspectionCode) -> str:
        answer = Client().get(f"/v/{code.token}")
        assert answer.status_code == 200
        return str(answer.context["status"].state)

    def test_it_signs_new_codes_with_sm2_by_default_and_says_so(self) -> None:
        visit = self.register()
        code = self.code_of(visit)
        assert code.suite == "gm" and (self.keys / "inspection-codes.sm2.pem").is_file()
        assert self.door(code) == "valid"
        pem = Client().get("/v/key.pem").content
        assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
        assert keyring.signer().public_pem() == pem

    def test_a_switch_from_intl_to_gm_keeps_every_old_code_valid(self) -> None:
        with self.under("intl"):
            old = self.code_of(self.register())
            assert old.suite == "intl" and self.door(old) == "valid"
        with self.under("gm"):
            new = self.another_visit()
            assert new.suite == "gm"
            assert self.door(old) == "valid" and self.door(new) == "valid"
            published = Client().get("/v/keys.pem").content.decode()
            assert published.count("BEGIN PUBLIC KEY") == 2
            assert published.index("# gm key id") < published.index("# intl key id")

    def test_a_rotated_key_still_verifies_its_codes_and_the_offline_verifier_agrees(self) -> None:
        before = self.code_of(self.register())
        out = io.StringIO()
        call_command("keys", "--rotate-code-key", stdout=out)
        assert "retired" in out.getvalue()
        assert len(list((self.keys / "retired").glob("inspection-codes.gm.*.pem"))) == 1
        after = self.another_visit()
        assert before.token[:8] != after.token[:8]  # another key id
        assert self.door(before) == "valid" and self.door(after) == "valid"
        published = self.keys / "published.pem"
        published.write_bytes(Client().get("/v/keys.pem").content)
        for code in (before, after):
            said = io.StringIO()
            call_command("verify-code", code.token, "--keys", str(published), stdout=said)
            assert said.getvalue().startswith("genuine (gm, key ")
            assert f"visit {code.visit_id}" in said.getvalue()
        forged = before.token[:-3] + ("AAA" if not before.token.endswith("AAA") else "BBB")
        with self.assertRaisesMessage(CommandError, "not a genuine code"):
            call_command("verify-code", forged, "--keys", str(published), stdout=io.StringIO())
