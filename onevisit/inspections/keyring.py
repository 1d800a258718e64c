"""The city's code-signing key, kept in the data folder and created on first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from onevisit.inspections.tokens import CodeSigner
from onevisit.lib.keyfiles import keys_dir, read_or_create


def key_path() -> Path:
    return keys_dir() / "inspection-codes.ed25519.pem"


def codes_issued() -> str:
    from onevisit.inspections.models import InspectionCode

    count = InspectionCode.objects.count()
    return f"{count} inspection codes" if count else ""


def make_key() -> bytes:
    return CodeSigner.generate().private_pem()


@cache
def signer() -> CodeSigner:
    pem = read_or_create(key_path(), make_key, codes_issued)
    return CodeSigner.from_private_pem(pem)
