"""The 国密 primitives the suites share, from the Tongsuo C library (tongsuopy): SM3
(GB/T 32905), and HMAC (RFC 2104, GB/T 15852.2) and HKDF (RFC 5869) over it. The suite names:
`gm` (SM2, SM3, SM4) and `intl` (Ed25519, SHA-256)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import hashes as intl_hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from tongsuopy.crypto import hashes

INTL, GM = "intl", "gm"
SUITES = (GM, INTL)


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return bytes(digest.finalize())


def chain_hash(suite: str, data: bytes) -> str:
    """The hex digest a hash chain uses under a suite: SM3 for gm, SHA-256 for intl."""
    if suite == GM:
        return sm3(data).hex()
    if suite == INTL:
        return hashlib.sha256(data).hexdigest()
    raise ValueError(f"unknown suite {suite!r}")


class _SM3:
    """SM3 shaped like a hashlib object, so that the standard `hmac` module can run over it."""

    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data: bytes = b"") -> None:
        self._hash: Any = hashes.Hash(hashes.SM3())
        if data:
            self._hash.update(data)

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def copy(self) -> _SM3:
        twin = _SM3.__new__(_SM3)
        twin._hash = self._hash.copy()
        return twin

    def digest(self) -> bytes:
        return bytes(self._hash.copy().finalize())

    def hexdigest(self) -> str:
        return self.digest().hex()


_SM3_DIGESTMOD: Any = _SM3  # typeshed's hash-object protocol is stricter than hmac needs


def mac(suite: str, key: bytes, data: bytes) -> str:
    """The hex HMAC of `data`: HMAC-SM3 under gm, HMAC-SHA256 under intl."""
    if suite == GM:
        return hmac.new(key, data, _SM3_DIGESTMOD).hexdigest()
    if suite == INTL:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown suite {suite!r}")


def derive_key(suite: str, secret: bytes, info: bytes) -> bytes:
    """32 bytes derived from a secret for one purpose (`info`): HKDF (RFC 5869, no salt) with
    HMAC-SM3 under gm, with HMAC-SHA256 under intl."""
    if suite == INTL:
        return HKDF(algorithm=intl_hashes.SHA256(), length=32, salt=None, info=info).derive(secret)
    if suite == GM:
        prk = hmac.new(b"\0" * 32, secret, _SM3_DIGESTMOD).digest()
        return hmac.new(prk, info + b"\x01", _SM3_DIGESTMOD).digest()
    raise ValueError(f"unknown suite {suite!r}")
