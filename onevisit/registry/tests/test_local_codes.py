"""The city's zone codes are its own (no GB/T 2260 edition lists them), and a credit code
registered under one is accepted."""

from __future__ import annotations

import pytest

from onevisit.registry.forms import EnterpriseForm
from onevisit.registry.identifiers import is_gbt2260_code, make_uscc
from onevisit.registry.models import District

pytestmark = pytest.mark.django_db


def test_it_marks_the_zone_codes_as_local_and_every_other_district_as_gbt2260() -> None:
    assert District.objects.local_codes() == {"371571", "371572", "371573"}
    for district in District.objects.all():
        assert is_gbt2260_code(district.code) == (
            district.code not in {"371571", "371572", "371573"}
        )


def test_it_accepts_a_credit_code_registered_under_a_local_zone_code() -> None:
    form = EnterpriseForm(data={"uscc": make_uscc("91", "371571", "MA1MRHG2")})
    form.is_valid()
    assert "uscc" not in form.errors
    form = EnterpriseForm(data={"uscc": make_uscc("91", "371579", "MA1MRHG2")})
    form.is_valid()
    assert "GB/T 2260" in str(form.errors["uscc"])
