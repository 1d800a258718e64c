"""The reporter's identity, sealed at rest with a key kept in the data folder (Fernet from the
`cryptography` package: AES-128-CBC with HMAC-SHA256). The database alone reveals nothing."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "tips-identity.fernet"


@cache
def _fernet() -> Fernet:
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        try:
            os.link(draft, path)  # atomic: a second process racing us keeps the first key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return Fernet(path.read_bytes().strip())


def seal(identity: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(identity, ensure_ascii=False).encode()).decode("ascii")


def unseal(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode("ascii"))))
    except (InvalidToken, ValueError):
        return {"error": "the identity cannot be read with this installation's key"}
