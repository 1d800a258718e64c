"""Receipts for what the public follows without an account (tips, complaints, requests): a
receipt number, and a secret shown once of which only the SHA-256 digest is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets


def receipt_number(prefix: str, day: dt.date) -> str:
    """The prefix, the day and six random digits (a clash is retried by the caller)."""
    return f"{prefix}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def new_secret() -> tuple[str, str]:
    """A secret to show once, and the digest to keep."""
    secret = secrets.token_urlsafe(9)
    return secret, hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(digest: str, secret: str) -> bool:
    """Whether `secret` is the one behind `digest`; an empty digest matches nothing."""
    given = hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()
    return bool(digest) and hmac.compare_digest(given, digest)
