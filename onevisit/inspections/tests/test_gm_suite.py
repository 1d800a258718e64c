"""The gm suite of inspection codes: SM2 signatures with SM3 and the default user ID, checked by
the standards' own examples and by an independent implementation (gmssl, pure Python, a test
dependency only), both ways; a keyring that verifies every suite and key a deployment used."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from gmssl import func, sm2
from gmssl import sm3 as gmssl_sm3
from tongsuopy.crypto.asymciphers import ec as gm_ec
from tongsuopy.crypto.asymciphers.utils import encode_dss_signature

from onevisit.inspections.tokens import BadToken, Claim, CodeSigner, CodeVerifier, Keyring
from onevisit.lib.gm import GM, INTL, sm3
from onevisit.lib.signing import SM2_WITH_SM3

DAY = dt.date(2026, 12, 7)
# GB/T 32918.5-2017 appendix A (GM/T 0003.5): the signature example on the recommended curve
EXAMPLE_D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
EXAMPLE_P = (
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
EXAMPLE_K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
EXAMPLE_R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
EXAMPLE_S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"


@pytest.fixture(scope="module")
def signer() -> CodeSigner:
    return CodeSigner.generate(GM)


def test_it_hashes_the_sm3_examples_of_gb_t_32905() -> None:
    assert sm3(b"abc").hex() == ("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    assert sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )
    assert sm3(b"abc").hex() == gmssl_sm3.sm3_hash(func.bytes_to_list(b"abc"))


def test_it_verifies_the_signature_example_of_gb_t_32918() -> None:
    public = gm_ec.EllipticCurvePublicNumbers(
        int(EXAMPLE_P[:64], 16), int(EXAMPLE_P[64:], 16), gm_ec.SM2()
    ).public_key()
    signature = encode_dss_signature(int(EXAMPLE_R, 16), int(EXAMPLE_S, 16))
    public.verify(signature, b"message digest", SM2_WITH_SM3)  # raises if it does not hold
    # the independent implementation makes the same signature from the same k
    theirs = sm2.CryptSM2(private_key=EXAMPLE_D.lower(), public_key=EXAMPLE_P.lower())
    assert theirs.sign_with_sm3(b"message digest", EXAMPLE_K.lower()).upper() == (
        EXAMPLE_R + EXAMPLE_S
    )


def test_it_round_trips_an_sm2_code_of_the_same_length(signer: CodeSigner) -> None:
    claim = Claim(visit_id=123456, valid_on=DAY, short_code="K7Q2M9XD")
    token = signer.issue(claim)
    assert signer.verify(token) == claim and len(token) == 116
    assert base64.urlsafe_b64decode(token + "==")[0] == 2  # version 2: the gm suite
    public = CodeVerifier.from_public_pem(signer.public_pem())
    assert public.suite == GM and public.verify(token) == claim


def _gmssl_for(signer: CodeSigner) -> sm2.CryptSM2:
    private: Any = signer.private  # an SM2 key (tongsuopy is untyped)
    numbers = private.private_numbers()
    point = numbers.public_numbers
    return sm2.CryptSM2(
        private_key=f"{numbers.private_value:064x}", public_key=f"{point.x:064x}{point.y:064x}"
    )


def test_an_independent_implementation_verifies_its_codes_and_it_verifies_theirs(
    signer: CodeSigner,
) -> None:
    theirs = _gmssl_for(signer)
    for visit in range(1, 21):
        raw = base64.urlsafe_b64decode(signer.issue(Claim(visit, DAY, "ABCD1234")) + "==")
        head, signature = raw[:23], raw[23:]
        assert theirs.verify_with_sm3(signature.hex(), head)
        made = theirs.sign_with_sm3(head, func.random_hex(64))
        assert signer.signed(head, bytes.fromhex(made))
        assert not signer.signed(head[:-1] + b"X", bytes.fromhex(made))


def test_a_keyring_verifies_every_suite_and_key_and_names_a_stranger(signer: CodeSigner) -> None:
    old = CodeSigner.generate(INTL)
    retired = CodeSigner.generate(GM)
    ring = Keyring([signer, old, retired])
    for key in (signer, old, retired):
        claim, found = ring.check(key.issue(Claim(9, DAY, "WXYZ5678")))
        assert claim.visit_id == 9 and found.key_id == key.key_id
    with pytest.raises(BadToken) as caught:
        ring.verify(CodeSigner.generate(GM).issue(Claim(9, DAY, "WXYZ5678")))
    assert caught.value.reason == "unknown_key"
