"""The signed code format, without Django: what anyone holding the public key can check."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from onevisit.inspections.tokens import (
    BadToken,
    Claim,
    CodeSigner,
    CodeVerifier,
    display_short_code,
    new_short_code,
    normalise_short_code,
)

DAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module", params=["intl", "gm"])
def signer(request: pytest.FixtureRequest) -> CodeSigner:
    """A key of each suite: every rule of the format holds for both."""
    return CodeSigner.generate(request.param)


def test_it_round_trips_a_claim(signer: CodeSigner) -> None:
    claim = Claim(visit_id=123456, valid_on=DAY, short_code="K7Q2M9XD")
    token = signer.issue(claim)
    assert signer.verify(token) == claim
    assert len(token) == 116


def test_it_verifies_with_the_published_public_key_alone(signer: CodeSigner) -> None:
    token = signer.issue(Claim(1, DAY, "ABCD1234"))
    verifier = CodeVerifier.from_public_pem(signer.public_pem())
    assert verifier.verify(token).short_code == "ABCD1234"


@pytest.mark.parametrize("position", [0, 1, 5, 13, 20, 22, 23, 40, 60, 86])
def test_it_calls_any_altered_byte_forged_or_malformed(signer: CodeSigner, position: int) -> None:
    raw = bytearray(base64.urlsafe_b64decode(signer.issue(Claim(7, DAY, "ABCD1234")) + "=="))
    raw[position] ^= 0x01
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(BadToken) as caught:
        signer.verify(altered)
    assert caught.value.reason in {"forged", "malformed", "unknown_key"}


def test_it_tells_another_key_from_a_forgery(signer: CodeSigner) -> None:
    other = CodeSigner.generate().issue(Claim(7, DAY, "ABCD1234"))
    with pytest.raises(BadToken) as caught:
        signer.verify(other)
    assert caught.value.reason == "unknown_key"


@pytest.mark.parametrize("text", ["", "!!!", "abc", "A" * 116, "K7Q2-M9XD"])
def test_it_rejects_what_is_not_a_token(signer: CodeSigner, text: str) -> None:
    with pytest.raises(BadToken) as caught:
        signer.verify(text)
    assert caught.value.reason == "malformed"


def test_it_forgives_case_dashes_and_lookalikes_in_short_codes() -> None:
    assert normalise_short_code(" k7q2-m9xd ") == "K7Q2M9XD"
    assert normalise_short_code("OIL0-0000") == "0110" + "0000"
    assert normalise_short_code("K7Q2-M9X") is None
    assert normalise_short_code("K7Q2-M9XU") is None  # U is not in Crockford's alphabet
    assert display_short_code("K7Q2M9XD") == "K7Q2-M9XD"


def test_it_draws_canonical_short_codes() -> None:
    for _ in range(200):
        code = new_short_code()
        assert normalise_short_code(code) == code


def test_it_refuses_to_sign_a_day_outside_its_calendar(signer: CodeSigner) -> None:
    with pytest.raises(ValueError):
        signer.issue(Claim(1, dt.date(2019, 12, 31), "ABCD1234"))
