"""The city's code-signing key, kept in the data folder and created on first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from onevisit.inspections.tokens import CodeSigner
from onevisit.lib.keyfiles import read_or_create


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "inspection-codes.ed25519.pem"


def codes_issued() -> str:
    from onevisit.inspections.models import InspectionCode

    count = InspectionCode.objects.count()
    return f"{count} inspection codes" if count else ""


@cache
def signer() -> CodeSigner:
    pem = read_or_create(key_path(), lambda: CodeSigner.generate().private_pem(), codes_issued)
    return CodeSigner.from_private_pem(pem)
