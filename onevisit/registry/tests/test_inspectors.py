"""No certificate, no inspection."""

from __future__ import annotations

import datetime as dt

import pytest

from onevisit.registry.models import Inspector, NotCertified
from onevisit.testing import TODAY, PersonaTestCase


class CertificateTest(PersonaTestCase):
    def test_it_lets_a_certified_inspector_inspect_within_validity_only(self) -> None:
        ivan = self.ivan_inspector
        ivan.assert_can_inspect(TODAY)
        with pytest.raises(NotCertified, match="not on"):
            ivan.assert_can_inspect(ivan.certificate_valid_until + dt.timedelta(days=1))

    def test_it_never_lets_an_inactive_inspector_inspect(self) -> None:
        self.ivan_inspector.active = False
        with pytest.raises(NotCertified, match="not an active"):
            self.ivan_inspector.assert_can_inspect(TODAY)

    def test_it_lists_only_certified_inspectors(self) -> None:
        later = self.ivan_inspector.certificate_valid_until + dt.timedelta(days=1)
        assert Inspector.objects.certified(TODAY).count() == 2
        assert Inspector.objects.certified(later).count() == 0

    def test_it_refuses_an_inspector_without_a_certificate_number(self) -> None:
        from django.core.exceptions import ValidationError

        person = Inspector(
            name="辅助人员",
            body=self.market,
            certificate_number="",
            certificate_valid_from=TODAY,
            certificate_valid_until=TODAY,
        )
        with pytest.raises(ValidationError):
            person.full_clean()
