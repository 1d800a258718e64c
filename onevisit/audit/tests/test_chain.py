"""The audit log is append-only and tamper-evident."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor, record, verify_chain
from onevisit.audit.keys import seal
from onevisit.audit.models import AuditEntry, AuditHead, QuarantinedEntry
from onevisit.testing import PersonaTestCase


class ChainCase(PersonaTestCase):
    def append(self, n: int) -> list[AuditEntry]:
        with transaction.atomic():
            return [
                record(
                    actor=Actor.of(self.alice),
                    action="action",
                    verb="test",
                    object_type="test.thing",
                    object_id=str(i),
                    changes={"i": i},
                )
                for i in range(n)
            ]


class ChainTest(ChainCase):
    def test_it_links_each_entry_to_the_one_before(self) -> None:
        entries = self.append(3)
        assert entries[1].prev_hash == entries[0].hash
        assert entries[2].prev_hash == entries[1].hash
        call_command("audit", "checkpoint", stdout=io.StringIO())
        report = verify_chain()
        assert report.reason == "" and report.checked == AuditEntry.objects.count()

    def test_it_names_the_first_entry_whose_content_was_edited(self) -> None:
        entries = self.append(3)
        AuditEntry.objects.filter(pk=entries[1].pk).update(changes={"i": 99})
        report = verify_chain()
        assert report.first_broken_id == entries[1].pk
        assert "content" in report.reason
        with pytest.raises(CommandError, match=f"entry #{entries[1].pk}"):
            call_command("audit", "verify")

    def test_it_detects_a_deleted_entry(self) -> None:
        entries = self.append(3)
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
        assert verify_chain().first_broken_id == entries[2].pk

    def test_it_detects_entries_cut_from_the_end(self) -> None:
        entries = self.append(2)
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
        assert "missing at the end" in verify_chain().reason

    def test_it_reports_ok_from_the_command(self) -> None:
        self.append(2)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        out = io.StringIO()
        call_command("audit", "verify", stdout=out)
        assert out.getvalue().startswith("OK:")

    def test_it_vouches_for_nothing_without_a_checkpoint(self) -> None:
        self.append(2)
        assert "no signed checkpoint" in verify_chain().reason
        with pytest.raises(CommandError, match="no signed checkpoint"):
            call_command("audit", "verify", stdout=io.StringIO())

    def test_it_refuses_to_write_outside_a_transaction(self) -> None:
        from django.test.utils import CaptureQueriesContext  # noqa: F401

        connection = transaction.get_connection()
        in_block = connection.in_atomic_block
        connection.in_atomic_block = False
        try:
            with pytest.raises(RuntimeError, match="inside the transaction"):
                record(actor=Actor.system("x"), action="action", object_type="t", object_id="1")
        finally:
            connection.in_atomic_block = in_block

    def test_it_offers_no_way_to_edit_the_log_in_the_admin(self) -> None:
        from onevisit.testing import make_user

        root = make_user("root", is_staff=True, is_superuser=True)
        client = self.client_for(root)
        entry = self.append(1)[0]
        assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
        assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
        response = client.post(
            reverse("admin:audit_auditentry_change", args=[entry.pk]), {"verb": "forged"}
        )
        assert response.status_code in (403, 200)
        entry.refresh_from_db()
        assert entry.verb == "test"
        assert (
            client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
        )


class CheckpointTest(ChainCase):
    """Signed checkpoints anchor the chain outside the database."""

    def setUp(self) -> None:
        from pathlib import Path

        from onevisit.audit.checkpoints import checkpoints_path

        self.folder: Path = checkpoints_path().parent

    def test_it_reads_a_consistent_end_while_entries_are_being_appended(self) -> None:
        self.append(3)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        head = AuditHead.objects.get(pk=1)
        # An append committed after `verify` read the head: onevisit's, sealed.
        in_flight = AuditEntry(at=timezone.now(), actor_name="x", action="action", verb="test")
        in_flight.prev_hash = head.last_hash
        in_flight.hash = in_flight.compute_hash()
        in_flight.seal = seal(in_flight.hash)
        in_flight.save()
        assert verify_chain().reason == ""

    # The checkpoints hold on their own: the forgers of these two tests even hold the sealing
    # key (an insider on the application server), and still the signed checkpoint finds them.

    def test_it_detects_the_newest_entries_deleted_with_the_head(self) -> None:
        self.append(5)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        newest = AuditEntry.objects.order_by("-id")[:2]
        survivors = AuditEntry.objects.order_by("id")
        last_kept = list(survivors)[-3]
        AuditEntry.objects.filter(pk__in=[e.pk for e in newest]).delete()
        head = AuditHead(pk=1, last_hash=last_kept.hash, count=AuditEntry.objects.count())
        AuditHead.objects.filter(pk=1).update(
            last_hash=head.last_hash, count=head.count, seal=seal(head.state())
        )
        report = verify_chain()
        assert "checkpoint" in report.reason and "deleted" in report.reason

    def test_it_detects_a_chain_rewritten_after_an_edit(self) -> None:
        entries = self.append(4)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        # Rewrite: edit the second entry and recompute every hash after it, head included.
        AuditEntry.objects.filter(pk=entries[1].pk).update(changes={"i": 99})
        prev = entries[0].hash
        for entry in AuditEntry.objects.filter(pk__gte=entries[1].pk).order_by("id"):
            entry.prev_hash = prev
            entry.hash = entry.compute_hash()
            entry.seal = seal(entry.hash)
            entry.save(update_fields=["prev_hash", "hash", "seal"])
            prev = entry.hash
        head = AuditHead.objects.get(pk=1)
        head.last_hash = prev
        AuditHead.objects.filter(pk=1).update(last_hash=prev, seal=seal(head.state()))
        report = verify_chain()
        assert "rewritten" in report.reason

    def test_it_says_how_far_back_it_vouches(self) -> None:
        self.append(2)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        self.append(1)
        out = io.StringIO()
        call_command("audit", "verify", stdout=out)
        count = AuditEntry.objects.count()
        assert f"entries 1 to {count - 1}" in out.getvalue()

    def test_it_refuses_a_forged_checkpoint_line(self) -> None:
        self.append(2)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        path = self.folder / "audit-checkpoints.jsonl"
        path.write_text(path.read_text().replace('"count": ', '"count": 1'))
        assert "no signed checkpoint" in verify_chain().reason
        assert "not a validly signed checkpoint" in verify_chain().reason


class TamperTest(ChainCase):
    """A database writer without the audit key, trying each way to make the log say otherwise;
    each is found by `audit verify`, and none stops onevisit from writing."""

    def setUp(self) -> None:
        self.entries = self.append(5)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        self.entries += self.append(2)  # after the checkpoint: vouched for by their seals

    def reason(self) -> str:
        return verify_chain().reason

    def test_it_finds_the_last_rows_deleted_and_the_head_rewritten(self) -> None:
        kept = self.entries[-3]
        AuditEntry.objects.filter(pk__in=[e.pk for e in self.entries[-2:]]).delete()
        head = AuditHead.objects.get(pk=1)
        AuditHead.objects.filter(pk=1).update(last_hash=kept.hash, count=head.count - 2)
        assert "head's seal" in self.reason()
        AuditHead.objects.filter(pk=1).update(seal="")
        assert "head is unsealed" in self.reason()

    def test_it_finds_a_row_edited_and_the_chain_recomputed_after_it(self) -> None:
        edited = self.entries[-1]
        AuditEntry.objects.filter(pk=edited.pk).update(changes={"i": 99})
        entry = AuditEntry.objects.get(pk=edited.pk)
        entry.hash = entry.compute_hash()
        entry.save(update_fields=["hash"])
        AuditHead.objects.filter(pk=1).update(last_hash=entry.hash)
        report = verify_chain()
        assert report.first_broken_id == edited.pk and "seal" in report.reason

    def test_it_finds_everything_truncated(self) -> None:
        AuditEntry.objects.all().delete()
        AuditHead.objects.all().delete()
        assert "does not match the checkpoint" in self.reason()

    def test_it_finds_the_checkpoint_file_deleted(self) -> None:
        from onevisit.audit.checkpoints import checkpoints_path

        checkpoints_path().unlink()
        assert "no signed checkpoint" in self.reason()

    def test_it_finds_a_forged_row_appended_beyond_the_head_and_writes_on(self) -> None:
        head = AuditHead.objects.get(pk=1)
        forged = AuditEntry(at=timezone.now(), actor_name="alice", action="action", verb="x")
        forged.prev_hash = head.last_hash
        forged.hash = forged.compute_hash()
        forged.seal = "0" * 64
        forged.save()
        assert "seal" in self.reason()
        # the next audited write goes through, and sets the forged row aside
        self.append(1)
        assert not AuditEntry.objects.filter(pk=forged.pk).exists()
        assert QuarantinedEntry.objects.get().row["hash"] == forged.hash
        assert "set aside" in self.reason()
        with pytest.raises(CommandError, match="set aside"):
            call_command("audit", "verify", stdout=io.StringIO())

    def test_it_finds_an_unsealed_row_appended_with_its_head(self) -> None:
        head = AuditHead.objects.get(pk=1)
        forged = AuditEntry(at=timezone.now(), actor_name="alice", action="action", verb="x")
        forged.prev_hash = head.last_hash
        forged.hash = forged.compute_hash()
        forged.save()
        AuditHead.objects.filter(pk=1).update(last_hash=forged.hash, count=head.count + 1)
        report = verify_chain()
        assert report.first_broken_id == forged.pk and "unsealed" in report.reason


class CheckpointCopiesTest(ChainCase):
    """Copies of the checkpoints elsewhere: one deleted or cut short is reported, while another
    still vouches for the log."""

    def setUp(self) -> None:
        import tempfile
        from pathlib import Path

        from django.test import override_settings

        self.copy = Path(tempfile.mkdtemp()) / "copy.jsonl"
        overrides = override_settings(ONEVISIT_AUDIT_CHECKPOINT_COPIES=str(self.copy))
        overrides.enable()
        self.addCleanup(overrides.disable)

    def test_it_writes_every_checkpoint_to_every_copy(self) -> None:
        from onevisit.audit.checkpoints import checkpoints_path

        self.append(2)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        assert self.copy.read_text() == checkpoints_path().read_text()

    def test_it_reports_a_deleted_file_while_a_copy_vouches(self) -> None:
        from onevisit.audit.checkpoints import checkpoints_path

        self.append(2)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        checkpoints_path().unlink()
        report = verify_chain()
        assert report.reason == "" and report.vouched_count == AuditEntry.objects.count()
        assert any("is missing" in w for w in report.warnings)
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit:
            call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
        assert exit.value.code == 2 and "is missing" in err.getvalue()

    def test_it_reports_a_copy_cut_short(self) -> None:
        self.append(1)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        self.append(1)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        lines = self.copy.read_text().splitlines()
        self.copy.write_text(lines[0] + "\n")
        assert any("cut short" in w for w in verify_chain().warnings)


class ScheduleTest(ChainCase):
    def test_it_keeps_one_checkpoint_waiting_in_the_queue(self) -> None:
        from django.test import override_settings
        from django_tasks_db.models import DBTaskResult

        from onevisit.audit.tasks import schedule_checkpoints, write_audit_checkpoint

        database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        with override_settings(TASKS=database):
            assert schedule_checkpoints() is True
            assert schedule_checkpoints() is False  # a second node finds it queued
            waiting = DBTaskResult.objects.get(task_path=write_audit_checkpoint.module_path)
            assert waiting.status == "READY"
            with override_settings(ONEVISIT_AUDIT_CHECKPOINT_MINUTES=0):
                DBTaskResult.objects.all().delete()
                assert schedule_checkpoints() is False


class SuiteTest(ChainCase):
    """The gm suite hashes the chain with SM3, intl with SHA-256; a chain begun under intl goes
    on under gm and verifies whole, each entry under its own suite."""

    def test_it_hashes_gm_entries_with_sm3_as_an_independent_implementation_does(self) -> None:
        from gmssl import func
        from gmssl import sm3 as gmssl_sm3

        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            entry = self.append(1)[0]
        canonical = json.dumps(
            entry.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        data = (entry.prev_hash + canonical).encode("utf-8")
        assert entry.suite == "gm"
        assert entry.hash == gmssl_sm3.sm3_hash(func.bytes_to_list(data))

    def test_a_chain_begun_under_intl_verifies_whole_after_the_switch_to_gm(self) -> None:
        with override_settings(ONEVISIT_CRYPTO_SUITE="intl"):
            old = self.append(2)
        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            new = self.append(2)
        assert [e.suite for e in (*old, *new)] == ["intl", "intl", "gm", "gm"]
        assert new[0].prev_hash == old[1].hash
        call_command("audit", "checkpoint", stdout=io.StringIO())
        assert verify_chain().reason == ""
        # an entry that claims the other suite no longer matches its hash
        AuditEntry.objects.filter(pk=new[0].pk).update(suite="intl")
        assert verify_chain().first_broken_id == new[0].pk


def gmssl_hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC (RFC 2104) over gmssl's SM3: an implementation independent of onevisit's."""
    from gmssl import func
    from gmssl import sm3 as gmssl_sm3

    def digest(message: bytes) -> bytes:
        return bytes.fromhex(gmssl_sm3.sm3_hash(func.bytes_to_list(message)))

    key = key.ljust(64, b"\0")
    inner = digest(bytes(k ^ 0x36 for k in key) + data)
    return digest(bytes(k ^ 0x5C for k in key) + inner)


class SuiteKeysTest(ChainCase):
    """The audit key follows the suite: under gm the seals are HMAC-SM3 under a key derived with
    HKDF-SM3 and the checkpoints are SM2-signed; a log begun under intl (Ed25519, HMAC-SHA256)
    goes on under gm, and verifies whole while the intl key is kept."""

    def setUp(self) -> None:
        from onevisit.testing import fresh_keys

        self.keys = fresh_keys(self, "audit.ed25519")  # the gm key sealed the fixtures

    def test_it_seals_with_hmac_sm3_and_signs_checkpoints_with_sm2_under_gm(self) -> None:
        from gmssl import sm2

        from onevisit.audit.checkpoints import checkpoints_path, signed_part_of_line
        from onevisit.audit.keys import private_key

        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            entry = self.append(1)[0]
            call_command("audit", "checkpoint", stdout=io.StringIO())
            key = private_key()
        assert key.suite == "gm" and (self.keys / "audit.sm2.pem").is_file()
        prk = gmssl_hmac_sm3(b"\0" * 32, key.secret())
        seal_key = gmssl_hmac_sm3(prk, b"onevisit audit seal\x01")
        assert entry.seal == gmssl_hmac_sm3(seal_key, entry.hash.encode()).hex()
        line = checkpoints_path().read_text().splitlines()[-1]
        point = json.loads(line)
        assert point["suite"] == "gm" and point["count"] == AuditEntry.objects.count()
        private: Any = key.private  # an SM2 key (tongsuopy is untyped)
        numbers = private.private_numbers().public_numbers
        theirs = sm2.CryptSM2(private_key="", public_key=f"{numbers.x:064x}{numbers.y:064x}")
        signature = __import__("base64").b64decode(point["signature"])
        assert theirs.verify_with_sm3(signature.hex(), signed_part_of_line(line))

    def test_a_log_begun_under_intl_verifies_whole_under_gm_with_both_keys(self) -> None:
        from onevisit.audit.checkpoints import checkpoints_path

        with override_settings(ONEVISIT_CRYPTO_SUITE="intl"):
            self.append(2)
            call_command("audit", "checkpoint", stdout=io.StringIO())
        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            self.append(2)
            call_command("audit", "checkpoint", stdout=io.StringIO())
            report = verify_chain()
            assert report.reason == "" and not report.warnings
            assert report.vouched_count == AuditEntry.objects.count()
            suites = [json.loads(line).get("suite") for line in checkpoints_path().open()]
            assert suites[-2:] == ["intl", "gm"]
            # the intl key is what vouches for the old seals and checkpoints
            (self.keys / "audit.ed25519.pem").rename(self.keys / "elsewhere.pem")
            from onevisit.audit.keys import audit_keys

            assert [k.suite for k in audit_keys()] == ["gm"]
            broken = verify_chain()
            assert broken.reason != ""
