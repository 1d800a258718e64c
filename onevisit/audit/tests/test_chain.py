"""The audit log is append-only and tamper-evident."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor, record, verify_chain
from onevisit.audit.models import AuditEntry, AuditHead
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
        out = io.StringIO()
        call_command("audit", "verify", stdout=out)
        assert out.getvalue().startswith("OK:")

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
        import tempfile
        from pathlib import Path

        from django.test import override_settings

        folder = Path(tempfile.mkdtemp())
        overrides = override_settings(
            ONEVISIT_AUDIT_KEY=str(folder / "audit.pem"),
            ONEVISIT_AUDIT_CHECKPOINTS=str(folder / "checkpoints.jsonl"),
        )
        overrides.enable()
        self.addCleanup(overrides.disable)
        self.folder = folder

    def test_it_reads_a_consistent_end_while_entries_are_being_appended(self) -> None:
        self.append(3)
        head = AuditHead.objects.get(pk=1)
        # An append that has written its entry but not yet its head (another transaction's view).
        in_flight = AuditEntry(at=timezone.now(), actor_name="x", action="action", verb="test")
        in_flight.prev_hash = head.last_hash
        in_flight.hash = in_flight.compute_hash()
        in_flight.save()
        assert verify_chain().reason == ""

    def test_it_detects_the_newest_entries_deleted_with_the_head(self) -> None:
        self.append(5)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        newest = AuditEntry.objects.order_by("-id")[:2]
        survivors = AuditEntry.objects.order_by("id")
        last_kept = list(survivors)[-3]
        AuditEntry.objects.filter(pk__in=[e.pk for e in newest]).delete()
        AuditHead.objects.filter(pk=1).update(
            last_hash=last_kept.hash, count=AuditEntry.objects.count()
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
            entry.save(update_fields=["prev_hash", "hash"])
            prev = entry.hash
        AuditHead.objects.filter(pk=1).update(last_hash=prev)
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

    def test_it_refuses_a_forged_checkpoint(self) -> None:
        self.append(2)
        call_command("audit", "checkpoint", stdout=io.StringIO())
        path = self.folder / "checkpoints.jsonl"
        path.write_text(path.read_text().replace('"count": ', '"count": 1'))
        assert "not validly signed" in verify_chain().reason
