"""Inspection codes (检查码) as signed tokens, with no Django: anyone holding the published public
key can check a code offline.

A token is base64url (no padding) of 87 bytes:

    version (1) | key id (4) | visit id (8, big-endian) | day (2: days since 2020-01-01)
    | short code (8 ASCII) | Ed25519 signature over the first 23 bytes (64)

The short code is what a person types: 8 characters of Crockford's base-32 alphabet, shown as
two groups of four (``K7Q2-M9XD``). The key id is the first 4 bytes of SHA-256 of the raw public
key, so that a rotated key is told apart from a forgery.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
EPOCH = dt.date(2020, 1, 1)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_LENGTH = 8
_HEAD = struct.Struct(">B4sQH8s")
_SIGNATURE = 64
TOKEN_BYTES = _HEAD.size + _SIGNATURE
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class BadToken(Exception):
    """Why a presented code cannot be trusted: `reason` is one of malformed, unknown_key, forged."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True)
class Claim:
    visit_id: int
    valid_on: dt.date
    short_code: str


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SHORT_LENGTH))


def normalise_short_code(text: str) -> str | None:
    """The canonical short code a person meant, or None if it cannot be one (lower case, spaces,
    dashes and the look-alikes O/I/L are forgiven)."""
    cleaned = "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(cleaned) != SHORT_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def display_short_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def key_id(public: Ed25519PublicKey) -> bytes:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:4]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadToken("malformed", "not base64url") from None


class CodeVerifier:
    def __init__(self, public: Ed25519PublicKey) -> None:
        self.public = public
        self.key_id = key_id(public)

    @classmethod
    def from_public_pem(cls, pem: bytes) -> CodeVerifier:
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return cls(key)

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verify(self, token: str) -> Claim:
        data = _unb64(token.strip())
        if len(data) != TOKEN_BYTES:
            raise BadToken("malformed", f"{len(data)} bytes, expected {TOKEN_BYTES}")
        head, signature = data[: _HEAD.size], data[_HEAD.size :]
        version, kid, visit_id, day, short = _HEAD.unpack(head)
        if version != VERSION:
            raise BadToken("malformed", f"unknown version {version}")
        if kid != self.key_id:
            raise BadToken("unknown_key", "signed by another key")
        try:
            self.public.verify(signature, head)
        except InvalidSignature:
            raise BadToken("forged", "signature does not match") from None
        code = normalise_short_code(short.decode("ascii", "replace"))
        if code is None:
            raise BadToken("malformed", "bad short code")
        return Claim(visit_id, EPOCH + dt.timedelta(days=day), code)


class CodeSigner(CodeVerifier):
    def __init__(self, private: Ed25519PrivateKey) -> None:
        super().__init__(private.public_key())
        self.private = private

    @classmethod
    def generate(cls) -> CodeSigner:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_pem(cls, pem: bytes) -> CodeSigner:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        return cls(key)

    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def issue(self, claim: Claim) -> str:
        day = (claim.valid_on - EPOCH).days
        if not 0 <= day < 2**16:
            raise ValueError(f"{claim.valid_on} lies outside the codes' calendar")
        if normalise_short_code(claim.short_code) != claim.short_code:
            raise ValueError(f"{claim.short_code!r} is not a canonical short code")
        head = _HEAD.pack(
            VERSION, self.key_id, claim.visit_id, day, claim.short_code.encode("ascii")
        )
        return _b64(head + self.private.sign(head))
