"""The audit key, kept apart from the database (`ONEVISIT_AUDIT_KEY`, by default in the keys
folder): it signs the checkpoints, and a key derived from it seals each entry and the head.

The deployment's suite names the key: `audit.sm2.pem` under gm (SM2 signatures; seals are
HMAC-SM3 under a key derived with HKDF-SM3), `audit.ed25519.pem` under intl (Ed25519;
HMAC-SHA256 under HKDF-SHA256). The other suite's key, when the folder holds one, still checks
what it sealed and signed, so that a switch of suites leaves the old log verifiable.

A seal is an HMAC over an entry's hash. Whoever can write to the database but does not hold the
key cannot append, edit or re-chain an entry that verifies: the seal gives them away."""

from __future__ import annotations

import hmac
from functools import cache
from pathlib import Path

from django.conf import settings

from onevisit.lib.gm import GM, INTL, derive_key, mac
from onevisit.lib.keyfiles import keys_dir, read_or_create
from onevisit.lib.signing import Signer

FILE_NAMES = {GM: "audit.sm2.pem", INTL: "audit.ed25519.pem"}
SEAL_INFO = b"onevisit audit seal"


def suite() -> str:
    return str(settings.ONEVISIT_CRYPTO_SUITE)


def key_path(of: str | None = None) -> Path:
    """Where the audit key of a suite (the deployment's, by default) is kept; a deployment that
    keeps its key elsewhere names it with ONEVISIT_AUDIT_KEY."""
    if (of is None or of == suite()) and settings.ONEVISIT_AUDIT_KEY:
        return Path(settings.ONEVISIT_AUDIT_KEY)
    return keys_dir() / FILE_NAMES[of or suite()]


def make_key() -> bytes:
    return Signer.generate(suite()).private_pem()


def key_in_use() -> str:
    """What was made with the deployment's audit key: a missing key for it is never silently
    made anew."""
    from onevisit.audit.checkpoints import checkpoints_path, suite_of_line
    from onevisit.audit.models import AuditEntry

    path = checkpoints_path()
    if path.exists() and any(
        suite_of_line(line) == suite() for line in path.read_text(encoding="utf-8").splitlines()
    ):
        return "signed audit checkpoints"
    sealed = AuditEntry.objects.filter(suite=suite()).exclude(seal="").count()
    return f"{sealed} sealed audit entries" if sealed else ""


def private_key() -> Signer:
    """The deployment's audit key, made on first use."""
    return _load(str(key_path()), _mtime(key_path()))


def audit_keys() -> list[Signer]:
    """The deployment's audit key first, then the other suite's if this installation has one."""
    current = private_key()
    others = [
        _load(str(path), _mtime(path))
        for of in FILE_NAMES
        if (path := key_path(of)).is_file() and path != key_path()
    ]
    return [current, *(key for key in others if key.key_id != current.key_id)]


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


@cache
def _load(path: str, mtime: int) -> Signer:
    return load_pem(read_or_create(Path(path), make_key, key_in_use))


def load_pem(pem: bytes) -> Signer:
    try:
        return Signer.from_private_pem(pem)
    except ValueError:
        raise ValueError("not an SM2 or Ed25519 audit key") from None


@cache
def seal_key(key: Signer) -> bytes:
    return derive_key(key.suite, key.secret(), SEAL_INFO)


def seal(text: str) -> str:
    """The seal of an entry's hash, or of the head's state, with the deployment's key."""
    return seal_with(private_key(), text)


def seal_with(key: Signer, text: str) -> str:
    return mac(key.suite, seal_key(key), text.encode("ascii"))


def sealed(text: str, value: str, keys: list[Signer] | None = None) -> bool:
    """Whether one of this installation's audit keys (or of `keys`) made the seal."""
    return any(sealed_with(key, text, value) for key in keys or audit_keys())


def sealed_with(key: Signer, text: str, value: str) -> bool:
    """Whether `key` (not necessarily this installation's) made the seal."""
    return hmac.compare_digest(seal_with(key, text), value)
