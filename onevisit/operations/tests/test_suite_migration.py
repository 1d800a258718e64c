"""A city made with the intl suite moves to gm with `onevisit suite --migrate`: every code,
draw record, audit entry and checkpoint made before still verifies under its own suite (at the
door, with `verify-draw`, offline with `/v/keys.pem`, with `audit verify`), every reporter's
identity is sealed again with SM4 and reads as before, and what is made after is gm's."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor, verify_chain
from onevisit.draws.actions import do_create_draw, do_run_draw
from onevisit.draws.models import Draw
from onevisit.inspections import keyring
from onevisit.inspections.models import InspectionCode
from onevisit.inspections.tests.base import VisitTestCase
from onevisit.testing import fresh_keys
from onevisit.tips import sealing
from onevisit.tips.actions import Report, do_submit_tip
from onevisit.tips.models import Category, Tip

ACTOR = Actor.system("test")
SEED_TIME = timezone.now() + dt.timedelta(days=2)
LATER = SEED_TIME + dt.timedelta(hours=1)


class SuiteMigrationTest(VisitTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.keys = fresh_keys(self, "nothing-made-afresh")
        for old in [*self.keys.glob("*.ed25519.pem"), *self.keys.glob("*.fernet")]:
            old.unlink()  # the intl keys are made by this city, under intl, below
        for forget in (keyring.forget, sealing.forget):
            forget()
            self.addCleanup(forget)
        self.category = Category.objects.create(code="safety", name="安全生产", body=self.market)

    def under(self, suite: str) -> Any:
        keyring.forget()
        sealing.forget()
        return override_settings(ONEVISIT_CRYPTO_SUITE=suite)

    def city_work(self, n: int) -> tuple[InspectionCode, Draw, Tip]:
        """A day's work: a visit with its code, a public draw, a tip with its reporter."""
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=n))
        code = visit.current_code()
        assert code is not None
        draw = do_create_draw(
            actor=ACTOR,
            by=self.alice,
            body=None,
            fields={
                "title": f"公开会议提问抽签 {n}",
                "subject": Draw.Subject.LIST,
                "ratio": "0.5",
                "seed_source": "中国福利彩票双色球第2027015期开奖号码",
                "seed_known_after": SEED_TIME,
            },
            questions=["提问一", "提问二", "提问三", "提问四"],
        )
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=[[3, 9, 14, 22, 27, 31, 8], 2027015])
        draw.refresh_from_db()
        tip, _secret = do_submit_tip(
            report=Report(
                self.category, "叉车无牌照上路作业，司机无证", name="王小明", phone="13800000000"
            )
        )
        return code, draw, tip

    def suite(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("suite", *args, stdout=out, stderr=err)
        except SystemExit as exit:
            return int(exit.code or 0), out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    def door(self, code: InspectionCode) -> str:
        answer = Client().get(f"/v/{code.token}")
        return str(answer.context["status"].state)

    def verify_draw(self, draw: Draw, keys: Path) -> str:
        path = Path(tempfile.mkdtemp()) / "record.json"
        record = Client().get(reverse("draws:draw_record", args=[draw.pk])).json()
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        out = io.StringIO()
        call_command("verify-draw", str(path), "--keys", str(keys), stdout=out)
        return out.getvalue().strip()

    def test_an_intl_city_migrated_to_gm_verifies_everything_it_made(self) -> None:
        with self.under("intl"):
            old_code, old_draw, old_tip = self.city_work(1)
            call_command("audit", "checkpoint", stdout=io.StringIO())
        assert old_code.suite == "intl" and old_draw.suite == "intl"
        assert not old_tip.identity_sealed.startswith(sealing.SM4_PREFIX)
        identity = sealing.unseal(old_tip.identity_sealed)
        with self.under("gm"):
            status, out, err = self.suite("--migrate")
            assert status == 0, err
            assert "every code, record, entry and seal verifies" in out
            assert "identities sealed again under gm: 1" in out
            old_tip.refresh_from_db()
            assert old_tip.identity_sealed.startswith(sealing.SM4_PREFIX)
            assert sealing.unseal(old_tip.identity_sealed) == identity
            new_code, new_draw, new_tip = self.city_work(2)
            assert (new_code.suite, new_draw.suite) == ("gm", "gm")
            assert new_tip.identity_sealed.startswith(sealing.SM4_PREFIX)
            # the old code at the door (genuine, for its own day), the old record offline, the log
            assert self.door(old_code) == self.door(new_code) == "not_yet"
            keys = Path(tempfile.mkdtemp()) / "keys.pem"
            keys.write_bytes(Client().get(reverse("inspections:public_keys")).content)
            assert self.verify_draw(old_draw, keys).startswith("OK, signed (intl, key ")
            assert self.verify_draw(new_draw, keys).startswith("OK, signed (gm, key ")
            report = verify_chain()
            assert report.reason == "" and report.vouched_count > 0
            status, out, _err = self.suite("--check")
            assert status == 0
            assert "inspection codes: gm 1, intl 1" in out
            assert "draw records: gm 1, intl 1" in out
            assert "sealed identities: gm 2" in out
            assert "audit checkpoints: gm 1, intl 1" in out

    def test_it_names_what_does_not_verify(self) -> None:
        with self.under("intl"):
            code, _draw, _tip = self.city_work(1)
        forged = code.token[:-2] + ("AA" if not code.token.endswith("AA") else "BB")
        InspectionCode.objects.filter(pk=code.pk).update(token=forged)
        with self.under("gm"):
            status, _out, err = self.suite("--migrate")
        assert status == 1 and f"NOT VERIFIED inspection code {code.pk}: forged" in err

    def test_it_names_a_code_recorded_under_another_suite_than_its_signature(self) -> None:
        with self.under("intl"):
            code, _draw, _tip = self.city_work(1)
        InspectionCode.objects.filter(pk=code.pk).update(suite="gm")
        status, _out, err = self.suite("--check")
        assert status == 1
        assert f"inspection code {code.pk}: recorded as gm, signed under intl" in err
