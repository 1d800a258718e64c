"""Inspection codes (检查码) as signed tokens, with no Django: anyone holding the published public
key can check a code offline.

A token is base64url (no padding) of 87 bytes:

    version (1) | key id (4) | visit id (8, big-endian) | day (2: days since 2020-01-01)
    | short code (8 ASCII) | signature over the first 23 bytes (64)

Two suites sign them, and the version byte says which:

- version 1, `intl`: Ed25519; the key id is the first 4 bytes of SHA-256 of the raw public key.
- version 2, `gm`: SM2 (GB/T 32918) with SM3 and the default user ID `1234567812345678` of
  GB/T 35276, the signature as r ‖ s (32 bytes each, big-endian); the key id is the first 4
  bytes of SM3 of the uncompressed public point (04 ‖ x ‖ y).

A `Keyring` holds every key a deployment has signed with, so that a code verifies under its own
suite and key for ever, whatever signs today. The short code is what a person types: 8
characters of Crockford's base-32 alphabet, shown as two groups of four (``K7Q2-M9XD``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from onevisit.lib.gm import GM, INTL
from onevisit.lib.signing import (
    PublicKey,
    Signer,
    Verifier,
    generate_private,
    load_private,
    load_public,
)

VERSIONS = {INTL: 1, GM: 2}
EPOCH = dt.date(2020, 1, 1)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_LENGTH = 8
_HEAD = struct.Struct(">B4sQH8s")
_SIGNATURE = 64
TOKEN_BYTES = _HEAD.size + _SIGNATURE
_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----\s*", re.DOTALL)
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


# tongsuopy ships no type hints: its SM2 keys are Any to the type checker
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadToken("malformed", "not base64url") from None


def _unpack(token: str) -> tuple[bytes, bytes, int, bytes]:
    """(signed head, signature, version, key id) of a token, or BadToken("malformed")."""
    data = _unb64(token.strip())
    if len(data) != TOKEN_BYTES:
        raise BadToken("malformed", f"{len(data)} bytes, expected {TOKEN_BYTES}")
    head, signature = data[: _HEAD.size], data[_HEAD.size :]
    version, kid, _visit, _day, _short = _HEAD.unpack(head)
    if version not in VERSIONS.values():
        raise BadToken("malformed", f"unknown version {version}")
    return head, signature, version, kid


def _claim(head: bytes) -> Claim:
    _version, _kid, visit_id, day, short = _HEAD.unpack(head)
    code = normalise_short_code(short.decode("ascii", "replace"))
    if code is None:
        raise BadToken("malformed", "bad short code")
    return Claim(visit_id, EPOCH + dt.timedelta(days=day), code)


class CodeVerifier(Verifier):
    """One public key: it checks the codes its private key signed."""

    def __init__(self, public: PublicKey) -> None:
        super().__init__(public)
        self.version = VERSIONS[self.suite]

    @classmethod
    def from_public_pem(cls, pem: bytes) -> CodeVerifier:
        return cls(load_public(pem))

    def verify(self, token: str) -> Claim:
        return Keyring([self]).verify(token)


def public_keys_in(pem: bytes) -> list[CodeVerifier]:
    """Every public key of a PEM text such as `/v/keys.pem`; ValueError if it holds none or
    one that is neither SM2 nor Ed25519."""
    blocks = _PEM_BLOCK.findall(pem)
    if not blocks:
        raise ValueError("holds no public key")
    return [CodeVerifier.from_public_pem(block) for block in blocks]


def read_public_keys(path: Path) -> Keyring:
    """The public keys of a PEM file, as a keyring; ValueError saying why if it cannot be read
    or holds none."""
    try:
        return Keyring(public_keys_in(path.read_bytes()))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


class Keyring:
    """Every key a deployment has signed codes with: a code is checked by the key its version
    and key id name, so old codes keep verifying after a key is rotated or the suite changed."""

    def __init__(self, verifiers: Iterable[CodeVerifier]) -> None:
        self.verifiers = {(v.version, v.key_id): v for v in verifiers}

    def verify(self, token: str) -> Claim:
        return self.check(token)[0]

    def by_key(self, suite: str, kid: bytes) -> CodeVerifier | None:
        """The key of a suite with this id (what a signed draw record names), if held."""
        version = VERSIONS.get(suite)
        return None if version is None else self.verifiers.get((version, kid))

    def check(self, token: str) -> tuple[Claim, CodeVerifier]:
        """The claim a token makes and the key that vouches for it, or BadToken."""
        head, signature, version, kid = _unpack(token)
        verifier = self.verifiers.get((version, kid))
        if verifier is None:
            raise BadToken("unknown_key", "signed by another key")
        if not verifier.signed(head, signature):
            raise BadToken("forged", "signature does not match")
        return _claim(head), verifier


class CodeSigner(Signer, CodeVerifier):
    """A private key that issues codes (and, for a city, signs its draw records)."""

    @classmethod
    def generate(cls, suite: str = INTL) -> CodeSigner:
        return cls(generate_private(suite))

    @classmethod
    def from_private_pem(cls, pem: bytes) -> CodeSigner:
        return cls(load_private(pem))

    def issue(self, claim: Claim) -> str:
        day = (claim.valid_on - EPOCH).days
        if not 0 <= day < 2**16:
            raise ValueError(f"{claim.valid_on} lies outside the codes' calendar")
        if normalise_short_code(claim.short_code) != claim.short_code:
            raise ValueError(f"{claim.short_code!r} is not a canonical short code")
        head = _HEAD.pack(
            self.version, self.key_id, claim.visit_id, day, claim.short_code.encode("ascii")
        )
        return _b64(head + self.sign(head))
