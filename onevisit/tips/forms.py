from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onevisit.lib.formfields import NumberedChoice
from onevisit.lib.ratelimit import use_once
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.models import District
from onevisit.tips.models import Category

MIN_SECONDS = 3  # a person takes longer than this to write a tip; a script does not
MAX_AGE = 2 * 3600


class TipForm(forms.Form):
    category = NumberedChoice(
        label=_("What is it about"), queryset=Category.objects.filter(active=True)
    )
    description = forms.CharField(
        label=_("What happened, where and when"),
        min_length=10,
        max_length=4000,
        error_messages={
            "min_length": _("Write at least 10 characters: what, where and when."),
            "max_length": _("Write at most 4,000 characters."),
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    enterprise_name = forms.CharField(label=_("Enterprise (name)"), max_length=200, required=False)
    uscc = forms.CharField(label=_("Its credit code, if known"), max_length=18, required=False)
    address = forms.CharField(label=_("Address or place"), max_length=300, required=False)
    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        required=False,
        help_text=_("leave your name and phone empty to stay anonymous"),
    )
    phone = forms.CharField(label=_("Your phone"), max_length=20, required=False)
    # Spam resistance: a field people do not see, and the time the form was shown.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = form_token(time.time())

    def clean_uscc(self) -> str:
        """A credit code given is a valid one: a mistyped code is refused, never dropped."""
        text = "".join(self.cleaned_data["uscc"].split()).upper()
        if not text:
            return ""
        try:
            return validate_uscc(text, District.objects.local_codes())
        except InvalidIdentifier as error:
            raise forms.ValidationError(error.localized(gettext)) from None

    def _started(self) -> tuple[float, str] | None:
        try:
            shown, nonce = signing.loads(
                self.data.get("started", ""), salt="tips.form", max_age=MAX_AGE
            )
            return float(shown), str(nonce)
        except (signing.BadSignature, TypeError, ValueError):
            return None

    def is_spam(self) -> bool:
        if self.data.get("website"):
            return True
        started = self._started()
        return started is None or time.time() - started[0] < MIN_SECONDS

    def use_token(self) -> bool:
        """Spend the form's token: one form shown, one tip sent (False if it was spent)."""
        started = self._started()
        return started is not None and use_once("tip-form", started[1], MAX_AGE)

    def renew_token(self) -> None:
        """A fresh token for the form shown again after a refusal, keeping the time it was
        first shown."""
        started = self._started()
        self.data = {**self.data, "started": form_token(started[0] if started else time.time())}


def form_token(shown: float) -> str:
    return signing.dumps([shown, secrets.token_urlsafe(12)], salt="tips.form")


class StatusForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt number"), max_length=20)
    secret = forms.CharField(label=_("Secret"), max_length=40, widget=forms.PasswordInput)
