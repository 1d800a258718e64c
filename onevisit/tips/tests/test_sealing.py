"""Reporters' identities sealed under the gm suite with SM4-GCM: the GB/T 32907 example holds,
an independent SM4 (gmssl, a test dependency) opens what onevisit sealed, and identities sealed
under intl (Fernet) keep opening after the switch."""

from __future__ import annotations

import base64

import pytest
from django.test import TestCase, override_settings
from gmssl.sm4 import SM4_ENCRYPT, CryptSM4
from tongsuopy.crypto.ciphers import Cipher, algorithms, modes

from onevisit.testing import fresh_keys
from onevisit.tips import sealing

EXAMPLE = bytes.fromhex("0123456789abcdeffedcba9876543210")  # GB/T 32907 appendix A: key = text
EXAMPLE_OUT = "681edf34d206965e86b3e94f536e4246"


def gmssl_block(key: bytes) -> CryptSM4:
    cipher = CryptSM4()
    cipher.set_key(key, SM4_ENCRYPT)
    return cipher


def encrypt_block(cipher: CryptSM4, block: bytes) -> bytes:
    return bytes(cipher.one_round(cipher.sk, list(block)))


def gf_multiply(x: int, y: int) -> int:
    """Multiplication in GCM's GF(2^128) (NIST SP 800-38D, algorithm 1)."""
    r, z, v = 0xE1 << 120, 0, y
    for bit in range(127, -1, -1):
        if (x >> bit) & 1:
            z ^= v
        v = (v >> 1) ^ r if v & 1 else v >> 1
    return z


def gcm_open_independently(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """SM4-GCM decryption and tag check from gmssl's block cipher alone."""
    cipher = gmssl_block(key)
    text, tag = sealed[:-16], sealed[-16:]
    h = int.from_bytes(encrypt_block(cipher, bytes(16)), "big")
    j0 = nonce + b"\x00\x00\x00\x01"
    plain = b""
    for n in range(0, len(text), 16):
        counter = nonce + (2 + n // 16).to_bytes(4, "big")
        stream = encrypt_block(cipher, counter)
        plain += bytes(a ^ b for a, b in zip(text[n : n + 16], stream, strict=False))

    def blocks(data: bytes) -> list[int]:
        padded = data + bytes(-len(data) % 16)
        return [int.from_bytes(padded[i : i + 16], "big") for i in range(0, len(padded), 16)]

    lengths = (len(aad) * 8).to_bytes(8, "big") + (len(text) * 8).to_bytes(8, "big")
    ghash = 0
    for block in [*blocks(aad), *blocks(text), int.from_bytes(lengths, "big")]:
        ghash = gf_multiply(ghash ^ block, h)
    expected = int.from_bytes(encrypt_block(cipher, j0), "big") ^ ghash
    assert expected.to_bytes(16, "big") == tag, "the tag does not hold"
    return plain


class SealingTest(TestCase):
    def setUp(self) -> None:
        self.keys = fresh_keys(self, "tips-identity")
        sealing.forget()
        self.addCleanup(sealing.forget)

    def test_it_computes_the_sm4_example_of_gb_t_32907_as_gmssl_does(self) -> None:
        ours = Cipher(algorithms.SM4(EXAMPLE), modes.ECB()).encryptor()
        assert (ours.update(EXAMPLE) + ours.finalize()).hex() == EXAMPLE_OUT
        assert encrypt_block(gmssl_block(EXAMPLE), EXAMPLE).hex() == EXAMPLE_OUT

    def test_it_seals_with_sm4_gcm_that_an_independent_sm4_opens(self) -> None:
        identity = {"name": "王小明", "phone": "13800000000"}
        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            sealed = sealing.seal(identity)
            assert sealed.startswith("sm4gcm1:") and "王小明" not in sealed
            assert sealing.unseal(sealed) == identity
        key = bytes.fromhex((self.keys / "tips-identity.sm4").read_text().strip())
        raw = base64.urlsafe_b64decode(sealed.removeprefix("sm4gcm1:"))
        plain = gcm_open_independently(key, raw[:12], raw[12:], sealing.SM4_CONTEXT)
        assert plain.decode() == '{"name": "王小明", "phone": "13800000000"}'

    def test_identities_sealed_under_intl_open_after_the_switch_to_gm(self) -> None:
        with override_settings(ONEVISIT_CRYPTO_SUITE="intl"):
            old = sealing.seal({"name": "李四"})
        sealing.forget()
        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            new = sealing.seal({"name": "张三"})
            assert sealing.unseal(old) == {"name": "李四"}
            assert sealing.unseal(new) == {"name": "张三"}
            tampered = new[:-4] + ("AAAA" if not new.endswith("AAAA") else "BBBB")
            assert "error" in sealing.unseal(tampered)
        assert sorted(p.name for p in self.keys.glob("tips-identity.*")) == [
            "tips-identity.fernet",
            "tips-identity.sm4",
        ]

    def test_it_never_makes_a_new_key_while_a_requesters_identity_is_sealed(self) -> None:
        """政企沟通 requesters' names are sealed with the same key: with one sealed and the key
        gone, no new key is made (it would leave them unreadable)."""
        from onevisit.liaison.actions import Raised, do_raise_concern
        from onevisit.lib.keyfiles import KeyMissing

        with override_settings(ONEVISIT_CRYPTO_SUITE="gm"):
            concern, _secret = do_raise_concern(
                by=None,
                raised=Raised(
                    kind="question",
                    subject="检查结果何时公布",
                    text="上周的联合检查结果何时可以查询？",
                    enterprise_name="聊城华通电缆有限公司",
                    name="赵六",
                    phone="13900000000",
                ),
            )
            assert concern.identity_sealed.startswith(sealing.SM4_PREFIX)
            (self.keys / "tips-identity.sm4").unlink()
            sealing.forget()
            with pytest.raises(KeyMissing):
                sealing.seal({"name": "张三"})
