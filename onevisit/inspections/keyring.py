"""The city's code-signing keys, kept in the data folder's keys folder.

The deployment's suite (`ONEVISIT_CRYPTO_SUITE`: `gm`, the default, or `intl`) names the key
that signs new codes, created on first use: `inspection-codes.sm2.pem` or
`inspection-codes.ed25519.pem`. Every other code key in the folder — the other suite's, and the
keys rotated out into `retired/` — still verifies the codes it signed, so that switching suites
or rotating a key breaks no code already printed."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.conf import settings

from onevisit.inspections.tokens import CodeSigner, CodeVerifier, Keyring
from onevisit.lib.gm import GM, INTL
from onevisit.lib.keyfiles import keys_dir, read_or_create

FILE_NAMES = {GM: "inspection-codes.sm2.pem", INTL: "inspection-codes.ed25519.pem"}
RETIRED = "retired"


def suite() -> str:
    return str(settings.ONEVISIT_CRYPTO_SUITE)


def key_path(of: str | None = None) -> Path:
    """Where the signing key of a suite (the deployment's, by default) is kept."""
    return keys_dir() / FILE_NAMES[of or suite()]


def codes_issued(of: str | None = None) -> str:
    from onevisit.inspections.models import InspectionCode

    count = InspectionCode.objects.filter(suite=of or suite()).count()
    return f"{count} inspection codes signed with the {of or suite()} suite" if count else ""


def make_key() -> bytes:
    return CodeSigner.generate(suite()).private_pem()


@cache
def signer() -> CodeSigner:
    pem = read_or_create(key_path(), make_key, codes_issued)
    return CodeSigner.from_private_pem(pem)


def code_key_files(folder: Path) -> list[Path]:
    """Every code key in a keys folder: each suite's current one and the retired ones."""
    found = [folder / name for name in FILE_NAMES.values()]
    found += sorted((folder / RETIRED).glob("inspection-codes.*.pem"))
    return [path for path in found if path.is_file()]


def keyring_in(folder: Path) -> Keyring:
    return Keyring(
        CodeSigner.from_private_pem(path.read_bytes()) for path in code_key_files(folder)
    )


@cache
def keyring() -> Keyring:
    """The signing key and every key that signed codes before it."""
    signer()  # the deployment's own key first, created if it is new
    return keyring_in(keys_dir())


def public_keys() -> list[CodeVerifier]:
    """The public halves, the signing key first: what `/v/keys.pem` publishes."""
    current = signer()
    others = [v for v in keyring().verifiers.values() if v.key_id != current.key_id]
    return [current, *others]


def retire_signing_key() -> Path:
    """Move the deployment's signing key into `retired/` (named by its key id), so that the
    next code is signed by a new key while the codes it signed still verify."""
    current = key_path()
    if not current.is_file():
        raise FileNotFoundError(current)
    kid = CodeSigner.from_private_pem(current.read_bytes()).key_id.hex()
    target = keys_dir() / RETIRED / f"inspection-codes.{suite()}.{kid}.pem"
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.replace(current, target)
    forget()
    return target


def forget() -> None:
    """Read the keys again on next use (after a rotation, or a change of suite in tests)."""
    signer.cache_clear()
    keyring.cache_clear()
