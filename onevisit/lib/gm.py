"""The 国密 primitives the suites share, from the Tongsuo C library (tongsuopy): SM3
(GB/T 32905). The suite names: `gm` (SM2, SM3, SM4) and `intl` (Ed25519, SHA-256)."""

from __future__ import annotations

import hashlib

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
