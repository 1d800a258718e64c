from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.actions import PointFields
from onevisit.catalog.models import Item
from onevisit.registry.identifiers import InvalidIdentifier
from onevisit.registry.industries import industry_targets


class ItemForm(forms.ModelForm[Item]):
    class Meta:
        model = Item
        fields = [
            "code",
            "name",
            "legal_basis",
            "responsible",
            "held_by_level",
            "industries",
            "recognition_days",
        ]
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3})}

    def clean_industries(self) -> str:
        text: str = self.cleaned_data["industries"]
        try:
            return industry_targets(text)
        except InvalidIdentifier as error:
            raise forms.ValidationError(error.localized(gettext)) from None


class PointForm(forms.Form):
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 2}))
    standard = forms.CharField(label=_("standard"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.CharField(label=_("method"), max_length=200)
    guidance = forms.CharField(
        label=_("rectification guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    topic = forms.SlugField(
        label=_("shared point code"),
        required=False,
        max_length=40,
        help_text=_("optional; the same code on another body's point makes them one check"),
    )


PointFormSet = forms.formset_factory(PointForm, extra=2, can_delete=True)


def points_from(formset: Any) -> list[PointFields]:
    return [
        PointFields(
            f["content"], f["standard"], f["method"], f.get("guidance", ""), f.get("topic", "")
        )
        for f in formset.cleaned_data
        if f and not f.get("DELETE")
    ]


class ItemSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    body = forms.IntegerField(required=False, widget=forms.HiddenInput)
