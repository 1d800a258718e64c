"""Backups restore: a backup taken while entries are being written, restored into a fresh folder,
still opens every code, identity, photo and audit entry; a backup whose keys do not match its
data, and a fresh start without the keys of existing data, are refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onevisit.inspections.tokens import CodeSigner

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="builds SQLite data folders of its own; the PostgreSQL path (pg_dump/pg_restore) is "
    "tools/backup-roundtrip, a step of .ci/run",
)

WRITER = """
import django, time
django.setup()
from django.db import transaction
from onevisit.audit.actions import Actor, record
end = time.time() + {seconds}
n = 0
while time.time() < end:
    with transaction.atomic():
        record(actor=Actor.system("load"), action="action", verb="load", object_id=str(n))
    n += 1
print(n)
"""

CHECK = """
import django, hashlib, json
django.setup()
from django.core.files.storage import default_storage
from onevisit.audit.actions import verify_chain
from onevisit.audit.models import AuditEntry
from onevisit.inspections.keyring import signer
from onevisit.inspections.models import InspectionCode
from onevisit.tips.sealing import unseal
from onevisit.tips.models import Attachment, Tip
codes = [signer().verify(c.token).visit_id for c in InspectionCode.objects.all()]
names = [unseal(t.identity_sealed) for t in Tip.objects.exclude(identity_sealed="")]
photos = [
    hashlib.sha256(default_storage.open(a.file.name).read()).hexdigest() == a.sha256
    for a in Attachment.objects.all()
]
report = verify_chain()
print(json.dumps({"codes": len(codes), "names": [n.get("name") for n in names],
    "photos": photos, "audit": AuditEntry.objects.count(), "reason": report.reason}))
"""


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(ONEVISIT_DATA_DIR=str(folder), DJANGO_SETTINGS_MODULE="onevisit.settings")
    return env


def _run(folder: Path, *args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    env = _env(folder)
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "onevisit", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


SETUP = """
import django
django.setup()
from onevisit.inspections.tests.base import photo_upload
from onevisit.tips.actions import Report, do_submit_tip
from onevisit.tips.tests.test_tips import TipTestCase
TipTestCase.setUpTestData()
case = TipTestCase.__new__(TipTestCase)
case.register()
report = Report(
    TipTestCase.category, "夜里偷排废水，气味很重，持续一周", name="王小明", phone="13800001111"
)
do_submit_tip(report=report, files=[photo_upload()])
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a committed database: a visit with its code, a named tip with a photo,
    and the audit entries of both (made in processes of their own, as the platform would)."""
    folder = tmp_path_factory.mktemp("city")
    for step in (_run(folder, "migrate", "-v0"), _run(folder, code=SETUP)):
        assert step.returncode == 0, step.stderr[-3000:]
    return folder


def _copy(city: Path, to: Path) -> Path:
    shutil.copytree(city, to)
    return to


def test_it_restores_a_backup_taken_under_write_load_with_everything_intact(
    city: Path, tmp_path: Path
) -> None:
    live = _copy(city, tmp_path / "live")
    # Write audit entries in one process while another takes the backup.
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER.format(seconds=6)],
        env={**_env(live)},
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    backup_folder = tmp_path / "backup"
    taken = _run(live, "backup", str(backup_folder))
    written = int(writer.communicate(timeout=60)[0])
    assert taken.returncode == 0, taken.stderr
    assert written > 10
    fresh = tmp_path / "fresh"
    restored = _run(fresh, "restore", str(backup_folder))
    assert restored.returncode == 0, restored.stderr
    assert "chain and seals intact" in restored.stdout
    found = json.loads(_run(fresh, code=CHECK).stdout)
    assert found["codes"] == 1 and found["names"] == ["王小明"]
    assert found["photos"] == [True] and found["reason"] == ""
    assert found["audit"] > 2  # the setup's entries and those written before the backup


def test_it_refuses_a_backup_whose_keys_do_not_open_its_data(city: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    assert _run(city, "backup", str(folder)).returncode == 0
    key = folder / "keys" / "inspection-codes.sm2.pem"  # the gm suite's, the default
    key.write_bytes(CodeSigner.generate("gm").private_pem())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sha256"].pop("keys/inspection-codes.sm2.pem")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done = _run(tmp_path / "fresh", "restore", str(folder))
    assert done.returncode != 0 and "does not match the codes" in done.stderr
    (folder / "secret_key").write_text("changed")
    damaged = _run(tmp_path / "fresh2", "restore", str(folder))
    assert damaged.returncode != 0 and "SHA-256" in damaged.stderr


def test_it_refuses_to_start_without_the_keys_of_existing_data(city: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(city / "onevisit.sqlite3", bare / "onevisit.sqlite3")
    done = _run(bare, "serve", "--port", "0", "--no-worker")
    assert done.returncode != 0 and "is missing, but the database holds" in done.stderr
    assert not (bare / "keys" / "inspection-codes.sm2.pem").exists()


def test_it_refuses_to_write_into_a_folder_that_is_not_empty(city: Path, tmp_path: Path) -> None:
    (tmp_path / "old").write_text("x")
    done = _run(city, "backup", str(tmp_path))
    assert done.returncode != 0 and "not empty" in done.stderr


def test_it_refuses_a_wrong_audit_key_before_writing_anything(city: Path, tmp_path: Path) -> None:
    from onevisit.audit.keys import make_key

    folder = tmp_path / "backup"
    assert _run(city, "backup", str(folder)).returncode == 0
    (folder / "keys" / "audit.sm2.pem").write_bytes(make_key())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sha256"].pop("keys/audit.sm2.pem")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    fresh = tmp_path / "fresh"
    done = _run(fresh, "restore", str(folder))
    assert done.returncode != 0 and "did not seal the audit log" in done.stderr
    assert not (fresh / "keys").exists() and not (fresh / "media").exists()


def test_it_refuses_to_restore_over_data_unless_told_to_replace_it(
    city: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backup"
    assert _run(city, "backup", str(folder)).returncode == 0
    live = _copy(city, tmp_path / "live")
    refused = _run(live, "restore", str(folder))
    assert refused.returncode != 0 and "already holds" in refused.stderr
    assert "--replace" in refused.stderr
    replaced = _run(live, "restore", "--replace", str(folder))
    assert replaced.returncode == 0, replaced.stderr
    assert "chain and seals intact" in replaced.stdout
