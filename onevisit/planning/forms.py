from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.planning.models import FrequencyRule, Level, TierPolicy
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.models import Body, Enterprise


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)

    @staticmethod
    def default_year() -> int:
        today = timezone.localdate()
        return today.year + 1 if today.month >= 10 else today.year


class FrequencyRuleForm(forms.ModelForm[FrequencyRule]):
    class Meta:
        model = FrequencyRule
        fields = [
            "industry_prefix",
            "red_per_year",
            "yellow_per_year",
            "green_sample_share",
            "annual_cap",
        ]


class TierPolicyForm(forms.ModelForm[TierPolicy]):
    class Meta:
        model = TierPolicy
        exclude = ["body"]
        widgets = {"industry_points": forms.Textarea(attrs={"rows": 4})}


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=_("Tier"), choices=Level.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if until < timezone.localdate():
            raise forms.ValidationError(_("The override must end today or later."))
        return until


class SpecialEntryForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    items = forms.ModelMultipleChoiceField(label=_("Items"), queryset=Item.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = Item.objects.published().filter(body=body)  # type: ignore[attr-defined]
        self.enterprise: Enterprise | None = None

    def clean_uscc(self) -> str:
        try:
            code = validate_uscc(self.cleaned_data["uscc"])
        except InvalidIdentifier as error:
            raise forms.ValidationError(str(error)) from None
        self.enterprise = Enterprise.objects.filter(uscc=code).first()
        if self.enterprise is None:
            raise forms.ValidationError(_("No enterprise with this code is registered."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The window ends before it starts."))
        return data


class DecisionForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
