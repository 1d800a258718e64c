"""Draws under each crypto suite: under gm the draw is made with SM3 (sm3-v1), its pool and team
commitment hashed with SM3 and its record signed with SM2, each checked by an independent
implementation (gmssl); under intl with SHA-256 and Ed25519. A record verifies through the page,
through `verify-draw` against this installation's keys and offline against `/v/keys.pem`, after
the deployment changes suite too."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from gmssl import func, sm2
from gmssl import sm3 as gmssl_sm3

from onevisit.draws.actions import do_run_draw
from onevisit.draws.models import Draw
from onevisit.draws.tests.test_draws import ACTOR, LATER, SOURCES, DrawCase
from onevisit.inspections import keyring
from onevisit.inspections.tokens import CodeSigner
from onevisit.sortition import signed_part
from onevisit.sortition.records import canonical
from onevisit.testing import fresh_keys


def gmssl_sm3_hex(data: bytes) -> str:
    return str(gmssl_sm3.sm3_hash(func.bytes_to_list(data)))


class DrawSuiteTest(DrawCase):
    def setUp(self) -> None:
        super().setUp()
        self.keys = fresh_keys(self, "inspection-codes")
        keyring.forget()
        self.addCleanup(keyring.forget)

    def under(self, suite: str) -> Any:
        keyring.forget()
        return override_settings(ONEVISIT_CRYPTO_SUITE=suite)

    def run_draw(self) -> Draw:
        draw = self.make_draw()
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        draw.refresh_from_db()
        return draw

    def verify_draw(self, record: dict[str, Any], *keys: str) -> str:
        folder = Path(tempfile.mkdtemp())
        path = folder / "record.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        out = io.StringIO()
        with contextlib.suppress(SystemExit):  # a mismatch exits 1 after saying so
            call_command("verify-draw", str(path), *keys, stdout=out)
        return out.getvalue().strip()

    def published_keys(self) -> str:
        path = Path(tempfile.mkdtemp()) / "keys.pem"
        path.write_bytes(Client().get(reverse("inspections:public_keys")).content)
        return str(path)

    def test_it_draws_hashes_and_signs_with_sm3_and_sm2_under_gm(self) -> None:
        draw = self.run_draw()
        record = draw.record or {}
        assert draw.suite == "gm" and draw.algorithm == "sm3-v1" and record["suite"] == "gm"
        pool = "".join(f"{c}\n" for c in draw.pool).encode()
        assert record["pool_sm3"] == draw.pool_sm3 == gmssl_sm3_hex(pool)
        assert record["teams_commitment"] == gmssl_sm3_hex(canonical(record["teams"]))
        signature = record["signature"]
        assert signature["suite"] == "gm"
        assert signature["key_id"] == keyring.signer().key_id.hex()
        # the independent implementation checks the SM2 signature with the published key
        private: Any = keyring.signer().private
        point = private.private_numbers().public_numbers
        theirs = sm2.CryptSM2(private_key="", public_key=f"{point.x:064x}{point.y:064x}")
        value = base64.b64decode(signature["value"])
        assert theirs.verify_with_sm3(value.hex(), signed_part(record))
        page = Client().get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
        assert draw.pool_sm3 in page and "国密" in page

    def test_its_sm3_draw_is_the_one_an_independent_sm3_recomputes(self) -> None:
        draw = self.run_draw()
        record = draw.record or {}
        for stratum in record["strata"]:
            remaining = list(stratum["pool"])
            key = f"{record['key']}{stratum['name']}/".encode()
            mine = []
            for i in range(stratum["count"]):
                prefix = i.to_bytes(4, "big")
                digest = int(gmssl_sm3_hex(prefix + key + prefix), 16)
                mine.append(remaining.pop(digest % len(remaining)))
            assert mine == stratum["selected"]

    def test_it_verifies_the_signed_record_on_the_page_and_offline(self) -> None:
        draw = self.run_draw()
        answer = Client().post(reverse("draws:draw_verify", args=[draw.pk]), follow=True)
        page = answer.content.decode()
        assert "验证通过" in page and keyring.signer().key_id.hex() in page
        downloaded = Client().get(reverse("draws:draw_record", args=[draw.pk])).json()
        keys = self.published_keys()
        assert self.verify_draw(downloaded, "--keys", keys).startswith("OK, signed (gm, key ")
        assert self.verify_draw(downloaded).startswith("OK, signed (gm")

    def test_it_names_a_signature_that_does_not_hold(self) -> None:
        draw = self.run_draw()
        record = dict(draw.record or {})
        keys = self.published_keys()
        retitled = {**record, "title": "另一次抽查"}  # the draw still recomputes; the title lies
        assert self.verify_draw(retitled, "--keys", keys) == (
            "MISMATCH signature: does not match the record"
        )
        stranger = CodeSigner.generate("gm")
        forged = {
            **record,
            "signature": {
                **record["signature"],
                "key_id": stranger.key_id.hex(),
                "value": base64.b64encode(stranger.sign(signed_part(record))).decode(),
            },
        }
        assert "not among the city's published keys" in self.verify_draw(forged, "--keys", keys)
        broken = {**record, "signature": {"suite": "gm", "key_id": "zz", "value": "!"}}
        assert self.verify_draw(broken, "--keys", keys) == "MISMATCH signature: malformed"
        upload = io.BytesIO(json.dumps(retitled).encode())
        upload.name = "draw.json"
        answer = Client().post(
            reverse("draws:draw_verify", args=[draw.pk]), {"record": upload}, follow=True
        )
        assert "签名" in answer.content.decode() and "验证不通过" in answer.content.decode()

    def test_a_draw_made_under_intl_verifies_after_the_switch_to_gm(self) -> None:
        with self.under("intl"):
            old = self.run_draw()
        record = old.record or {}
        assert old.suite == "intl" and old.algorithm == "sha256-v1" and not old.pool_sm3
        assert "pool_sm3" not in record and record["signature"]["suite"] == "intl"
        with self.under("gm"):
            new = self.run_draw()
            assert new.suite == "gm"
            keys = self.published_keys()  # both suites' keys, the gm one first
            for draw in (old, new):
                downloaded = Client().get(reverse("draws:draw_record", args=[draw.pk])).json()
                verdict = self.verify_draw(downloaded, "--keys", keys)
                assert verdict.startswith(f"OK, signed ({draw.suite}, key ")

    def test_a_record_signed_before_the_code_key_is_rotated_verifies_after_it(self) -> None:
        old = self.run_draw()
        call_command("keys", "--rotate-code-key", stdout=io.StringIO())
        keyring.forget()
        new = self.run_draw()
        old_key, new_key = (d.record["signature"]["key_id"] for d in (old, new))  # type: ignore[index]
        assert old_key != new_key
        keys = self.published_keys()
        downloaded = Client().get(reverse("draws:draw_record", args=[old.pk])).json()
        assert self.verify_draw(downloaded, "--keys", keys) == f"OK, signed (gm, key {old_key})"
        assert self.verify_draw(downloaded) == f"OK, signed (gm, key {old_key})"

    def test_it_still_verifies_a_record_made_before_records_were_signed(self) -> None:
        record = dict(self.run_draw().record or {})
        del record["signature"]
        assert self.verify_draw(record) == "OK (the record carries no signature)"


@pytest.mark.parametrize("suite", ["gm", "intl"])
def test_it_commits_to_the_teams_with_the_suites_hash(suite: str) -> None:
    from onevisit.lib.gm import chain_hash
    from onevisit.sortition import teams_commitment

    teams = {"team_size": 2, "assignments": [{"candidate": "甲", "team": ["1", "2"]}]}
    assert teams_commitment(teams, suite) == chain_hash(suite, canonical(teams))
