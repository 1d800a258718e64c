"""The reporter's identity, sealed at rest with a key kept in the data folder (Fernet from the
`cryptography` package: AES-128-CBC with HMAC-SHA256). The database alone reveals nothing."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from onevisit.lib.keyfiles import keys_dir, read_or_create


def key_path() -> Path:
    return keys_dir() / "tips-identity.fernet"


def identities_sealed() -> str:
    from onevisit.tips.models import Tip

    count = Tip.objects.exclude(identity_sealed="").count()
    return f"{count} sealed reporter identities" if count else ""


def make_key() -> bytes:
    return Fernet.generate_key()


@cache
def _fernet() -> Fernet:
    return Fernet(read_or_create(key_path(), make_key, identities_sealed).strip())


def ensure_key() -> None:
    """Load the key now (at startup): KeyMissing if sealed identities exist without it."""
    _fernet()


def seal(identity: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(identity, ensure_ascii=False).encode()).decode("ascii")


def unseal(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode("ascii"))))
    except (InvalidToken, ValueError):
        return {"error": "the identity cannot be read with this installation's key"}
