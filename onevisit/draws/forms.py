from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.draws.models import Draw
from onevisit.lib.formfields import DateInput, NumberedChoices
from onevisit.registry.models import Body


class DrawForm(forms.ModelForm[Draw]):
    percent = forms.DecimalField(
        label=_("Share drawn (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=6,
        decimal_places=2,
        help_text=_("of each stratum, in per cent: 5 draws one in twenty"),
    )
    questions = forms.CharField(
        label=_("List to draw from (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("only when drawing from a list, e.g. the questions of a public session"),
    )

    class Meta:
        model = Draw
        fields = [
            "title",
            "subject",
            "strata_by",
            "cap",
            "team_size",
            "algorithm",
            "seed_source",
            "seed_known_after",
            "window_start",
            "window_end",
            "items",
        ]
        widgets = {
            "seed_known_after": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "window_start": DateInput(),
            "window_end": DateInput(),
            "seed_source": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"items": NumberedChoices}

    def __init__(self, *args: Any, body: Body | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = Item.objects.published()
        self.fields["items"].queryset = items.filter(body=body) if body else items.none()  # type: ignore[attr-defined]
        self.fields["items"].required = False
        # bounded here, before the database's integer is: 10^20 is a form error, not a crash
        self.fields["cap"].validators.append(MaxValueValidator(1_000_000))
        self.fields["team_size"].validators.append(MaxValueValidator(20))

    field_order = ["title", "subject", "strata_by", "percent"]

    def ratio(self) -> Decimal:
        """The share as the draw records it: a fraction of 1."""
        return Decimal(self.cleaned_data["percent"]) / 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("subject") == Draw.Subject.LIST and not (data.get("questions") or "").strip():
            raise forms.ValidationError(_("Give the list to draw from."))
        start, end = data.get("window_start"), data.get("window_end")
        if (start is None) != (end is None) or (start and end and end < start):
            raise forms.ValidationError(_("Give both ends of the window, in order."))
        return data


NUMBER = re.compile(r"\d+(\.\d+)?")  # a seed value that is a number, perhaps with a fraction


class SeedForm(forms.Form):
    values = forms.CharField(
        label=_("Seed values"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("one source per line; numbers separated by spaces or commas"),
    )

    def clean_values(self) -> str:
        text: str = self.cleaned_data["values"]
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not any(c.isascii() and c.isalnum() for c in line):
                raise forms.ValidationError(
                    _(
                        "Line %(n)s has no digit or Latin letter: RFC 3797 keeps only those, so it "
                        "would add nothing to the key."
                    )
                    % {"n": number}
                )
        return text

    def sources(self) -> list[Any]:
        out: list[Any] = []
        for line in self.cleaned_data["values"].splitlines():
            parts = [p for p in re.split(r"[\s,，]+", line.strip()) if p]
            if not parts:
                continue
            if all(NUMBER.fullmatch(p) for p in parts):
                numbers = [Decimal(p) if "." in p else int(p) for p in parts]
                out.append(numbers if len(numbers) > 1 else numbers[0])
            else:
                out.append(line.strip())
        return out


class VerifyForm(forms.Form):
    record = forms.FileField(label=_("Record (JSON)"))
