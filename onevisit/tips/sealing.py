"""The reporter's identity, sealed at rest with a key kept in the data folder. The database
alone reveals nothing.

Under the deployment's suite (`ONEVISIT_CRYPTO_SUITE`): `gm` seals with SM4 (GB/T 32907) in GCM
mode from the Tongsuo C library, as `sm4gcm1:` + base64url(nonce ‖ ciphertext ‖ tag), with the key
`keys/tips-identity.sm4` (16 random bytes, hex); `intl` seals with Fernet (AES-128-CBC with
HMAC-SHA256), key `keys/tips-identity.fernet`. A sealed identity names its suite by its form, so
identities sealed before a switch keep opening with their own key."""

from __future__ import annotations

import base64
import binascii
import json
import os
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from tongsuopy.crypto.ciphers.aead import SM4GCM
from tongsuopy.crypto.exceptions import InvalidTag

from onevisit.lib.gm import GM, INTL
from onevisit.lib.keyfiles import keys_dir, read_or_create

SM4_PREFIX = "sm4gcm1:"
SM4_CONTEXT = b"onevisit reporter identity"  # authenticated with every SM4 seal
FILE_NAMES = {GM: "tips-identity.sm4", INTL: "tips-identity.fernet"}
# The records whose `identity_sealed` these keys seal: a reporter's tip, a requester's concern.
SEALED_IN = ("tips.Tip", "liaison.Concern")


def sealed_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in SEALED_IN]


def suite_of(token: str) -> str:
    return GM if token.startswith(SM4_PREFIX) else INTL


def key_path(of: str | None = None) -> Path:
    return keys_dir() / FILE_NAMES[of or settings.ONEVISIT_CRYPTO_SUITE]


def identities_sealed(of: str | None = None) -> str:
    """How many identities the suite's key sealed ("" for none): its key is never made anew
    while they exist."""
    sm4 = Q(identity_sealed__startswith=SM4_PREFIX)
    mine = sm4 if (of or settings.ONEVISIT_CRYPTO_SUITE) == GM else ~sm4
    count = sum(
        model._default_manager.exclude(identity_sealed="").filter(mine).count()
        for model in sealed_models()
    )
    return f"{count} sealed reporter identities" if count else ""


def make_key(of: str | None = None) -> bytes:
    if (of or settings.ONEVISIT_CRYPTO_SUITE) == GM:
        return os.urandom(16).hex().encode("ascii")
    return Fernet.generate_key()


# tongsuopy ships no type hints: its SM4GCM is Any to the type checker
Cipher: TypeAlias = Fernet | Any


def cipher_for(of: str, key: bytes) -> Cipher:
    """The cipher of a suite from its key file's content."""
    if of == GM:
        return SM4GCM(bytes.fromhex(key.decode("ascii").strip()))
    return Fernet(key.strip())


@cache
def _cipher(of: str) -> Cipher:
    key = read_or_create(key_path(of), lambda: make_key(of), lambda: identities_sealed(of))
    return cipher_for(of, key)


def ensure_key() -> None:
    """Load the deployment's key now (at startup): KeyMissing if sealed identities exist
    without it."""
    _cipher(settings.ONEVISIT_CRYPTO_SUITE)


def forget() -> None:
    _cipher.cache_clear()


def seal(identity: dict[str, str]) -> str:
    plain = json.dumps(identity, ensure_ascii=False).encode()
    cipher = _cipher(settings.ONEVISIT_CRYPTO_SUITE)
    if isinstance(cipher, SM4GCM):
        nonce = os.urandom(12)
        sealed = nonce + bytes(cipher.encrypt(nonce, plain, SM4_CONTEXT))
        return SM4_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")
    return str(cipher.encrypt(plain).decode("ascii"))


def open_sealed(cipher: Cipher, token: str) -> bytes:
    """The plain bytes of a seal; InvalidToken, InvalidTag or ValueError when the key is not
    the one that sealed it."""
    if isinstance(cipher, SM4GCM):
        raw = base64.urlsafe_b64decode(token[len(SM4_PREFIX) :].encode("ascii"))
        return bytes(cipher.decrypt(raw[:12], raw[12:], SM4_CONTEXT))
    return bytes(cipher.decrypt(token.encode("ascii")))


UNREADABLE = (InvalidToken, InvalidTag, ValueError, binascii.Error)


def unseal(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(open_sealed(_cipher(suite_of(token)), token)))
    except UNREADABLE:
        return {"error": "the identity cannot be read with this installation's key"}
