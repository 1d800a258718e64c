"""Signed checkpoints anchor the audit chain outside the database.

The chain proves that no entry was changed in place, but someone who can write to the database
can also delete the newest entries together with the head row, or rewrite the whole chain after
an edit. A checkpoint records the chain's length and the hash of its newest entry, signed with an
Ed25519 key kept apart from the database (`ONEVISIT_AUDIT_KEY`, by default in the data folder),
and is appended to a file (`ONEVISIT_AUDIT_CHECKPOINTS`), which can live on write-once storage or
be copied elsewhere. `verify` then checks the chain against the newest checkpoint: entries up to
it are vouched for by the signature; entries after it only by the chain.

One checkpoint is one JSON line: {"count", "hash", "at", "signature"} (signature over the
canonical JSON of the other three, base64).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onevisit.audit.models import AuditEntry, AuditHead
from onevisit.lib.keyfiles import keys_dir, read_or_create


def key_path() -> Path:
    return Path(settings.ONEVISIT_AUDIT_KEY or keys_dir() / "audit.ed25519.pem")


def checkpoints_path() -> Path:
    return Path(
        settings.ONEVISIT_AUDIT_CHECKPOINTS or Path(settings.DATA_DIR) / "audit-checkpoints.jsonl"
    )


def make_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _private_key() -> Ed25519PrivateKey:
    pem = read_or_create(key_path(), make_key, checkpoints_written)
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def checkpoints_written() -> str:
    return "signed audit checkpoints" if checkpoints_path().exists() else ""


def _signed_part(point: dict[str, Any]) -> bytes:
    body = {k: point[k] for k in ("count", "hash", "at")}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Checkpoint:
    count: int
    hash: str
    at: str


def write_checkpoint() -> Checkpoint:
    """Sign the chain's current length and newest hash, and append it to the checkpoint file."""
    with transaction.atomic():
        head = AuditHead.objects.filter(pk=1).first()
        count, last = (head.count, head.last_hash) if head else (0, "0" * 64)
    point: dict[str, Any] = {"count": count, "hash": last, "at": timezone.now().isoformat()}
    signature = _private_key().sign(_signed_part(point))
    point["signature"] = base64.b64encode(signature).decode("ascii")
    path = checkpoints_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(point, sort_keys=True) + "\n")
    return Checkpoint(count, last, point["at"])


class CheckpointBroken(ValueError):
    pass


def newest_checkpoint() -> Checkpoint | None:
    """The last checkpoint in the file, its signature checked; None if there is no file."""
    path = checkpoints_path()
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    try:
        point = json.loads(lines[-1])
        signature = base64.b64decode(point["signature"])
        _private_key().public_key().verify(signature, _signed_part(point))
    except (ValueError, KeyError, TypeError, InvalidSignature) as error:
        raise CheckpointBroken(f"the newest checkpoint in {path} is not validly signed") from error
    return Checkpoint(int(point["count"]), str(point["hash"]), str(point["at"]))


def hash_at(position: int) -> str | None:
    """The hash of the entry at this 1-based position of the chain."""
    if position <= 0:
        return "0" * 64
    entry = AuditEntry.objects.order_by("id").values_list("hash", flat=True)[
        position - 1 : position
    ]
    return next(iter(entry), None)
