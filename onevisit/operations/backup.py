"""Backups that restore: the database (consistent while the platform runs), uploaded files and
generated documents, the keys, the secret key and the audit checkpoints, in one folder with a
manifest of SHA-256 sums. Files are read and written through Django's storage API, so the same
backup and restore serve the local media folder and S3-compatible object storage
(ONEVISIT_S3_BUCKET); the keys come from ONEVISIT_KEYS_DIR.

A backup of the database alone is not enough: without the code-signing key every issued code
reads as forged, without the sealing key every reporter's identity is lost, and without the
audit key no audit entry verifies. So the manifest also carries one issued code, one sealed
identity and one sealed audit entry as probes, and a restore checks them against the backup's
keys before it writes anything. A backup signs an audit checkpoint first, so that the log it
holds is vouched for; a restore refuses a data folder or database that already holds data unless
told to replace it.

SQLite is copied with the online-backup API in one step (a read snapshot: writers go on, and
the copy does not restart as `.backup` does under load); PostgreSQL with pg_dump.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.utils import timezone

from onevisit.audit import keys as audit_keys
from onevisit.audit.checkpoints import (
    checkpoint_paths,
    checkpoints_path,
    signed_by,
    write_checkpoint,
)
from onevisit.audit.models import AuditEntry
from onevisit.inspections.keyring import FILE_NAMES, code_key_files, keyring_in
from onevisit.inspections.tokens import BadToken
from onevisit.lib.keyfiles import keys_dir
from onevisit.tips import sealing

MANIFEST = "manifest.json"
SQLITE_COPY = "onevisit.sqlite3"
PG_DUMP = "database.pgdump"
CODE_KEYS = [Path("keys") / name for name in FILE_NAMES.values()]
SEAL_KEYS = [Path("keys") / name for name in sealing.FILE_NAMES.values()]
AUDIT_KEYS = [Path("keys") / name for name in audit_keys.FILE_NAMES.values()]
KEYS = "keys"
# What a data folder holds besides the database, the uploads and the keys, each copied if present.
FILES = ("secret_key",)
CHECKPOINTS = "audit-checkpoints.jsonl"
MEDIA = "media"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    files: int
    bytes: int
    probes: dict[str, str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _copy_database(dest: Path) -> str:
    if _is_sqlite():
        connection.ensure_connection()
        source = connection.connection
        target = sqlite3.connect(dest / SQLITE_COPY)
        try:
            source.backup(target, pages=-1)  # all pages in one step, from one read snapshot
        finally:
            target.close()
        return SQLITE_COPY
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = ["pg_dump", "--format=custom", "--no-owner", "-f", str(dest / PG_DUMP)]
    command += _pg_target(db)
    subprocess.run(command, env=env, check=True)  # noqa: S603 - fixed arguments
    return PG_DUMP


def _pg_target(db: Any) -> list[str]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return [*args, "-d", str(db["NAME"])]


def _probes() -> dict[str, str]:
    """One issued code and one sealed identity, to test the keys against at restore."""
    from onevisit.inspections.models import InspectionCode
    from onevisit.tips.models import Tip

    probes = {}
    token = InspectionCode.objects.order_by("id").values_list("token", flat=True).first()
    if token:
        probes["code_token"] = token
    sealed = (
        Tip.objects.exclude(identity_sealed="")
        .order_by("id")
        .values_list("identity_sealed", flat=True)
        .first()
    )
    if sealed:
        probes["sealed_identity"] = sealed
    entry = AuditEntry.objects.exclude(seal="").order_by("-id").values("hash", "seal").first()
    if entry:
        probes["audit_hash"], probes["audit_seal"] = entry["hash"], entry["seal"]
    return probes


def backup(dest: Path) -> BackupReport:
    """Write a backup of this installation into `dest` (a new or empty folder, mode 0700)."""
    data = Path(settings.DATA_DIR)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: give a new folder for each backup")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_checkpoint()  # the log up to here is vouched for in the backup
    probes = _probes()
    database = _copy_database(dest)
    for name in FILES:
        source = data / name
        if source.is_file():
            shutil.copy2(source, dest / name)
    shutil.copy2(checkpoints_path(), dest / CHECKPOINTS)
    if keys_dir().is_dir():
        shutil.copytree(keys_dir(), dest / KEYS)
    _copy_out(default_storage, dest / MEDIA)
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    manifest = {
        "made": timezone.now().isoformat(),
        "engine": connection.vendor,
        "database": database,
        "probes": probes,
        "sha256": {str(p.relative_to(dest)): _sha256(p) for p in files},
        "from_environment": [
            name for name in ("SECRET_KEY", "ONEVISIT_AUDIT_KEY") if os.environ.get(name)
        ],
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return BackupReport(dest, len(files), sum(p.stat().st_size for p in files), probes)


def _restore_checkpoints(backed_up: Path) -> None:
    """The backup's checkpoints vouch for the restored log; checkpoints written since (of entries
    the restore undoes) are kept beside them, renamed, for the record."""
    for path in checkpoint_paths():
        if path.is_file():
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
            path.rename(path.with_name(f"{path.name}.before-restore-{stamp}"))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(backed_up, path)


def stored_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file name in `storage` (local folder or bucket), depth first."""
    folders, files = storage.listdir(folder)
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += stored_names(storage, f"{folder}{sub}/")
    return names


def _copy_out(storage: Storage, dest: Path) -> None:
    try:
        names = stored_names(storage)
    except FileNotFoundError:  # a local media folder nothing was uploaded to yet
        return
    for name in names:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)


def _copy_in(source: Path, storage: Storage) -> None:
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        if storage.exists(name):
            storage.delete(name)
        with path.open("rb") as handle:
            saved = storage.save(name, handle)
        if saved != name:  # pragma: no cover - the name was freed just above
            raise BackupError(f"{name} was stored as {saved}")


def _read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: not a onevisit backup")
    manifest: dict[str, Any] = json.loads(path.read_text())
    for name, digest in manifest["sha256"].items():
        file = source / name
        if not file.is_file():
            raise BackupError(f"{name} is listed in the manifest but missing from the backup")
        if _sha256(file) != digest:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: damaged")
    return manifest


def check_keys(source: Path, manifest: dict[str, Any]) -> None:
    """The backup's keys must open the backup's data: its code, its sealed identity, its sealed
    audit entry and its audit checkpoints."""
    probes = manifest.get("probes", {})
    _check_audit_key(source, probes)
    if "code_token" in probes:
        if not code_key_files(source / KEYS):
            raise BackupError("the backup holds issued codes but not the code-signing key")
        try:
            keyring_in(source / KEYS).verify(probes["code_token"])
        except BadToken as error:
            raise BackupError(
                f"the code-signing key does not match the codes in the backup ({error.reason})"
            ) from None
    if "sealed_identity" in probes:
        sealed = probes["sealed_identity"]
        key = source / KEYS / sealing.FILE_NAMES[sealing.suite_of(sealed)]
        if not key.is_file():
            raise BackupError("the backup holds sealed identities but not the sealing key")
        if not _opens(key.read_bytes(), sealed):
            raise BackupError(
                "the sealing key does not match the identities in the backup"
            ) from None


def _opens(key: bytes, sealed: str) -> bool:
    """Whether a sealing key (SM4 or Fernet, by the seal's form) opens a sealed identity."""
    try:
        sealing.open_sealed(sealing.cipher_for(sealing.suite_of(sealed), key), sealed)
    except sealing.UNREADABLE:
        return False
    return True


def _check_audit_key(source: Path, probes: dict[str, str]) -> None:
    """The backup's audit keys (or, when the deployment keeps its key outside the keys folder,
    the one configured here) must be those that sealed its entries and signed its checkpoints."""
    if "audit_seal" not in probes and not (source / CHECKPOINTS).is_file():
        return
    paths = [source / key for key in AUDIT_KEYS if (source / key).is_file()]
    if not paths and audit_keys.key_path().is_file():
        paths = [audit_keys.key_path()]
    if not paths:
        raise BackupError("the backup holds a sealed audit log but not the audit key")
    keys = [audit_keys.load_pem(path.read_bytes()) for path in paths]
    named = ", ".join(str(path) for path in paths)
    if "audit_seal" in probes and not any(
        audit_keys.sealed_with(key, probes["audit_hash"], probes["audit_seal"]) for key in keys
    ):
        raise BackupError(f"the audit key {named} did not seal the audit log in the backup")
    lines = (
        (source / CHECKPOINTS).read_text().splitlines() if (source / CHECKPOINTS).is_file() else []
    )
    if lines and not any(signed_by(key, lines[-1]) for key in keys):
        raise BackupError(f"the audit key {named} did not sign the checkpoints in the backup")


def _refuse_other_keys(source: Path) -> None:
    for key in (*CODE_KEYS, *SEAL_KEYS, *AUDIT_KEYS):
        here = keys_dir() / key.name
        theirs = source / key
        if here.is_file() and theirs.is_file() and here.read_bytes() != theirs.read_bytes():
            raise BackupError(
                f"{here} holds a different key than the backup: restore into a fresh data "
                "folder (ONEVISIT_DATA_DIR, ONEVISIT_KEYS_DIR), or move that key away first"
            )


def holds_data() -> str:
    """What this installation already holds ("" for nothing): a restore would overwrite it."""
    from django.db import DatabaseError

    from onevisit.accounts.models import User

    try:
        users, entries = User.objects.count(), AuditEntry.objects.count()
    except DatabaseError:  # no tables yet
        users = entries = 0
    held = []
    if users or entries:
        held.append(f"a database with {users} users and {entries} audit entries")
    try:
        files = len(stored_names(default_storage))
    except FileNotFoundError:
        files = 0
    if files:
        held.append(f"{files} uploaded or generated files")
    return " and ".join(held)


def restore(source: Path, *, replace: bool = False) -> dict[str, Any]:
    """Restore a backup into this installation's data folder (and database). Everything is
    checked before anything is written: the manifest's sums, the engine, the keys against the
    backup's data, and that this installation is empty (or `replace` says to overwrite it)."""
    manifest = _read_manifest(source)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database; this installation uses "
            f"{connection.vendor}"
        )
    check_keys(source, manifest)
    data = Path(settings.DATA_DIR)
    _refuse_other_keys(source)
    held = holds_data()
    if held and not replace:
        raise BackupError(
            f"this installation already holds {held}: restore into an empty data folder and "
            "database, or pass --replace to overwrite them"
        )
    if _is_sqlite():
        connection.close()
        target = Path(settings.DATABASES["default"]["NAME"])
        for leftover in (target.with_name(target.name + s) for s in ("-wal", "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy2(source / SQLITE_COPY, target)
        target.chmod(0o600)
    else:
        db = settings.DATABASES["default"]
        env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        command += [*_pg_target(db), str(source / PG_DUMP)]
        connection.close()
        subprocess.run(command, env=env, check=True)  # noqa: S603 - fixed arguments
    for name in FILES:
        item = source / name
        if item.is_file():
            shutil.copy2(item, data / name)
    if (source / CHECKPOINTS).is_file():
        _restore_checkpoints(source / CHECKPOINTS)
    if (source / KEYS).is_dir():
        shutil.copytree(source / KEYS, keys_dir(), dirs_exist_ok=True)
    if (source / MEDIA).is_dir():
        _copy_in(source / MEDIA, default_storage)
    return manifest
