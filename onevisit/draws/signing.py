"""Draw records signed with the city's code-signing key (SM2 under gm, Ed25519 under intl).

A signed record carries {"signature": {"suite", "key_id", "value"}}: `value` is the base64 of
the signature (SM2 r ‖ s, or Ed25519) over `sortition.signed_part(record)`, `key_id` the hex of
the key's id as `/v/keys.pem` names it. Anyone holding the published public keys can check it
offline (`onevisit verify-draw RECORD.json --keys keys.pem`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from onevisit.inspections import keyring
from onevisit.inspections.tokens import CodeVerifier, Keyring
from onevisit.sortition import signed_part
from onevisit.sortition.records import Mismatch


def signature_for(record: Mapping[str, Any]) -> dict[str, str]:
    signer = keyring.signer()
    value = signer.sign(signed_part(record))
    return {
        "suite": signer.suite,
        "key_id": signer.key_id.hex(),
        "value": base64.b64encode(value).decode("ascii"),
    }


def check_signature(record: object, keys: Keyring) -> CodeVerifier | None:
    """The key that signed the record, None for a record made before records were signed, or
    `Mismatch("signature", …)` for a signature that is malformed, by an unknown key or false."""
    if not isinstance(record, dict) or "signature" not in record:
        return None
    signature = record["signature"]
    if not isinstance(signature, dict) or not all(
        isinstance(signature.get(field), str) for field in ("suite", "key_id", "value")
    ):
        raise Mismatch("signature", "malformed")
    try:
        kid = bytes.fromhex(signature["key_id"])
        value = base64.b64decode(signature["value"], validate=True)
    except (ValueError, binascii.Error):
        raise Mismatch("signature", "malformed") from None
    verifier = keys.by_key(signature["suite"], kid)
    if verifier is None:
        raise Mismatch("signature", "signed by a key not among the city's published keys")
    if verifier.suite != signature["suite"] or not verifier.signed(signed_part(record), value):
        raise Mismatch("signature", "does not match the record")
    return verifier
