"""The crypto suites as a model field's choices, named in the interface language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.lib.gm import GM, INTL

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class Suite(models.TextChoices):
    GM = GM, _("GM (SM2, SM3, SM4)")
    INTL = INTL, _("international (Ed25519, SHA-256, Fernet)")


def suite_field(help_text: str | _StrPromise = "") -> models.CharField[str, str]:
    """Which suite made a record: records before the suites were named are `intl`."""
    return models.CharField(
        _("crypto suite"), max_length=8, choices=Suite.choices, default=INTL, help_text=help_text
    )
