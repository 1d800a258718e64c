"""The audit key, kept apart from the database (`ONEVISIT_AUDIT_KEY`, by default in the keys
folder): it signs the checkpoints, and a key derived from it seals each entry and the head.

A seal is an HMAC over an entry's hash. Whoever can write to the database but does not hold the
key cannot append, edit or re-chain an entry that verifies: the seal gives them away."""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from onevisit.lib.keyfiles import keys_dir, read_or_create


def key_path() -> Path:
    return Path(settings.ONEVISIT_AUDIT_KEY or keys_dir() / "audit.ed25519.pem")


def make_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_in_use() -> str:
    """What was made with the audit key: a missing key for it is never silently made anew."""
    from onevisit.audit.checkpoints import checkpoints_path
    from onevisit.audit.models import AuditEntry

    if checkpoints_path().exists():
        return "signed audit checkpoints"
    sealed = AuditEntry.objects.exclude(seal="").count()
    return f"{sealed} sealed audit entries" if sealed else ""


def private_key() -> Ed25519PrivateKey:
    return _load(str(key_path()), _mtime(key_path()))


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


@cache
def _load(path: str, mtime: int) -> Ed25519PrivateKey:
    return load_pem(read_or_create(Path(path), make_key, key_in_use))


def load_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 audit key")
    return key


def seal_key(key: Ed25519PrivateKey | None = None) -> bytes:
    raw = (key or private_key()).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return _derive(raw)


@cache
def _derive(raw: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"onevisit audit seal"
    ).derive(raw)


def seal(text: str) -> str:
    """The seal of an entry's hash, or of the head's state."""
    return hmac.new(seal_key(), text.encode("ascii"), hashlib.sha256).hexdigest()


def sealed(text: str, value: str) -> bool:
    return hmac.compare_digest(seal(text), value)


def sealed_with(key: Ed25519PrivateKey, text: str, value: str) -> bool:
    """Whether `key` (not necessarily this installation's) made the seal."""
    mine = hmac.new(seal_key(key), text.encode("ascii"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(mine, value)
