"""Signing keys of both suites, with no Django: SM2 (GB/T 32918, with SM3 and the default user ID
`1234567812345678` of GB/T 35276; Tongsuo) under `gm`, Ed25519 under `intl`.

A signature is 64 bytes either way: r ‖ s (32 bytes each, big-endian) for SM2, the Ed25519
signature as it is. A key's id is the first 4 bytes of SM3 of the uncompressed public point
(04 ‖ x ‖ y) for SM2, of SHA-256 of the raw public key for Ed25519. Inspection codes, draw
records and audit checkpoints are signed with these keys."""

from __future__ import annotations

import hashlib
from typing import Any, TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from tongsuopy.crypto import exceptions as gm_exceptions
from tongsuopy.crypto import hashes as gm_hashes
from tongsuopy.crypto import serialization as gm_serialization
from tongsuopy.crypto.asymciphers import ec as gm_ec
from tongsuopy.crypto.asymciphers.utils import encode_dss_signature

from onevisit.lib.gm import GM, INTL, SUITES, sm3

PublicKey: TypeAlias = Ed25519PublicKey | Any  # or an SM2 key (tongsuopy is untyped)
PrivateKey: TypeAlias = Ed25519PrivateKey | Any

SM2_WITH_SM3 = gm_ec.ECDSA(gm_hashes.SM3())  # with an SM2 key: SM2 signing, SM3, default ID


def suite_of(key: PublicKey | PrivateKey) -> str:
    return INTL if isinstance(key, Ed25519PublicKey | Ed25519PrivateKey) else GM


def key_id(public: PublicKey) -> bytes:
    if isinstance(public, Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return hashlib.sha256(raw).digest()[:4]
    point = public.public_bytes(
        gm_serialization.Encoding.X962, gm_serialization.PublicFormat.UncompressedPoint
    )
    return sm3(point)[:4]


def load_public(pem: bytes) -> PublicKey:
    try:
        key = gm_serialization.load_pem_public_key(pem)
    except (gm_exceptions.UnsupportedAlgorithm, ValueError):
        key = None
    if isinstance(key, gm_ec.EllipticCurvePublicKey) and key.curve.name == "SM2":
        return key
    loaded = serialization.load_pem_public_key(pem)
    if not isinstance(loaded, Ed25519PublicKey):
        raise ValueError("neither an SM2 nor an Ed25519 public key")
    return loaded


def load_private(pem: bytes) -> PrivateKey:
    try:
        key = gm_serialization.load_pem_private_key(pem, password=None)
    except (gm_exceptions.UnsupportedAlgorithm, ValueError):
        key = None
    if isinstance(key, gm_ec.EllipticCurvePrivateKey) and key.curve.name == "SM2":
        return key
    loaded = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError("neither an SM2 nor an Ed25519 private key")
    return loaded


def generate_private(suite: str) -> PrivateKey:
    if suite == GM:
        return gm_ec.generate_private_key(gm_ec.SM2())
    if suite == INTL:
        return Ed25519PrivateKey.generate()
    raise ValueError(f"unknown suite {suite!r}: {' or '.join(SUITES)}")


class Verifier:
    """One public key and the signatures it checks."""

    def __init__(self, public: PublicKey) -> None:
        super().__init__()
        self.public = public
        self.suite = suite_of(public)
        self.key_id = key_id(public)

    @classmethod
    def from_public_pem(cls, pem: bytes) -> Verifier:
        return cls(load_public(pem))

    def public_pem(self) -> bytes:
        if isinstance(self.public, Ed25519PublicKey):
            return self.public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        return bytes(
            self.public.public_bytes(
                gm_serialization.Encoding.PEM, gm_serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def signed(self, data: bytes, signature: bytes) -> bool:
        try:
            if isinstance(self.public, Ed25519PublicKey):
                self.public.verify(signature, data)
            else:
                r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                self.public.verify(encode_dss_signature(r, s), data, SM2_WITH_SM3)
        except (InvalidSignature, gm_exceptions.InvalidSignature):
            return False
        return True


class Signer(Verifier):
    """A private key: it signs, and its public half checks."""

    def __init__(self, private: PrivateKey) -> None:
        super().__init__(private.public_key())
        self.private = private

    @classmethod
    def generate(cls, suite: str = INTL) -> Signer:
        return cls(generate_private(suite))

    @classmethod
    def from_private_pem(cls, pem: bytes) -> Signer:
        return cls(load_private(pem))

    def private_pem(self) -> bytes:
        if isinstance(self.private, Ed25519PrivateKey):
            return self.private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        return bytes(
            self.private.private_bytes(
                gm_serialization.Encoding.PEM,
                gm_serialization.PrivateFormat.PKCS8,
                gm_serialization.NoEncryption(),
            )
        )

    def secret(self) -> bytes:
        """The private key's own 32 bytes (Ed25519's seed, SM2's scalar d), to derive from."""
        if isinstance(self.private, Ed25519PrivateKey):
            return self.private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        return int(self.private.private_numbers().private_value).to_bytes(32, "big")

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private, Ed25519PrivateKey):
            return self.private.sign(data)
        r, s = decode_dss_signature(self.private.sign(data, SM2_WITH_SM3))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
