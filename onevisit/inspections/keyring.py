"""The city's code-signing key, kept in the data folder and created on first use."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.conf import settings

from onevisit.inspections.tokens import CodeSigner


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "inspection-codes.ed25519.pem"


@cache
def signer() -> CodeSigner:
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = CodeSigner.generate()
        draft = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(fresh.private_pem())
        try:
            os.link(draft, path)  # atomic: a second process racing us keeps the first key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return CodeSigner.from_private_pem(path.read_bytes())
