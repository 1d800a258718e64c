"""The credit code checks, specified by the shared reference vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from onevisit.registry.identifiers import (
    InvalidIdentifier,
    make_uscc,
    org_code_check_char,
    split_industry_code,
    validate_uscc,
)

VECTORS = Path(__file__).resolve().parent / "data" / "uscc-vectors.txt"


def _vectors() -> tuple[list[str], list[str]]:
    if not VECTORS.exists():
        pytest.fail(f"reference data missing: {VECTORS}")
    valid: list[str] = []
    invalid: list[str] = []
    target = valid
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if line.startswith("####") and "INVALID" in line:
            target = invalid
        if not line.strip() or line.startswith("#"):
            continue
        target.append(line.split("#")[0].strip())
    return valid, invalid


def test_it_accepts_every_valid_reference_code() -> None:
    valid, _ = _vectors()
    assert len(valid) >= 380
    for code in valid:
        assert validate_uscc(code) == code


def test_it_rejects_every_invalid_reference_code() -> None:
    _, invalid = _vectors()
    assert "362322198709086409" in invalid
    for code in invalid:
        with pytest.raises(InvalidIdentifier):
            validate_uscc(code)


def test_it_rejects_a_resident_id_that_passes_the_mod31_check() -> None:
    from stdnum.cn import uscc as stdnum_uscc

    assert stdnum_uscc.is_valid("362322198709086409")
    with pytest.raises(InvalidIdentifier, match="GB 11714"):
        validate_uscc("362322198709086409")


def test_it_names_the_expected_check_character() -> None:
    with pytest.raises(InvalidIdentifier, match="expected L"):
        validate_uscc("91110000600037341N")


def test_it_normalises_spaces_and_case() -> None:
    assert validate_uscc(" 91110000600037341l ") == "91110000600037341L"


def test_it_builds_codes_that_pass_both_checks() -> None:
    for serial in range(200):
        code = make_uscc("91", "371581", f"MA{serial:06d}")
        assert validate_uscc(code) == code


def test_it_computes_the_gb11714_check_with_x_and_zero() -> None:
    assert org_code_check_char("D2143569") == "X"  # the GB 11714 example
    assert org_code_check_char("00000000") == "0"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C3451", ("C", "34", "3451")),
        ("3451", (None, "34", "3451")),
        ("34", (None, "34", "34")),
        ("c34", ("C", "34", "34")),
    ],
)
def test_it_splits_industry_codes(raw: str, expected: tuple[str | None, str, str]) -> None:
    assert split_industry_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "3", "345", "Z34", "34567", "C-34"])
def test_it_rejects_malformed_industry_codes(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        split_industry_code(raw)


def test_it_accepts_the_registration_authorities_that_are_letters() -> None:
    assert validate_uscc("N2371502MA1MRHG200") == "N2371502MA1MRHG200"  # 农业: 村级集体经济组织
    for prefix in ("A1", "Y1", "G1", "J1", "Q3", "54", "36"):
        code = make_uscc(prefix, "371502", "MA1MRHG2")
        assert validate_uscc(code) == code


@pytest.mark.parametrize("prefix", ["04", "0A", "B1", "97", "Y9", "A5", "N4", "16"])
def test_it_refuses_authority_and_category_pairs_that_gb32100_never_issued(prefix: str) -> None:
    code = make_uscc(prefix, "371502", "MA1MRHG2")
    with pytest.raises(InvalidIdentifier, match="GB 32100"):
        validate_uscc(code)


def test_it_checks_the_area_against_every_edition_of_gbt2260() -> None:
    with pytest.raises(InvalidIdentifier, match="000000"):
        validate_uscc("91000000MA1MRHG20C")
    abolished = make_uscc("91", "371523", "MA1MRHG2")  # 茌平县, a 区 since 2019
    assert validate_uscc(abolished) == abolished
    national = make_uscc("91", "100000", "MA1MRHG2")  # registered by a national authority
    assert validate_uscc(national) == national
    zone = make_uscc("91", "371571", "MA1MRHG2")
    with pytest.raises(InvalidIdentifier, match="371571"):
        validate_uscc(zone)
    assert validate_uscc(zone, local_areas={"371571"}) == zone


def test_it_makes_a_chinese_document_prefix_from_a_bodys_name() -> None:
    from onevisit.registry.models import default_doc_prefix

    assert default_doc_prefix("聊城市市场监督管理局", "聊城市") == "聊市监"
    assert default_doc_prefix("临清市生态环境局", "临清市") == "临市环"
    assert default_doc_prefix("阳谷县应急管理局", "阳谷县") == "阳县应急"
    assert default_doc_prefix("聊城市住房和城乡建设局", "聊城市") == "聊市建"
    assert default_doc_prefix("聊城市某某中心", "聊城市") == "聊市某某"
