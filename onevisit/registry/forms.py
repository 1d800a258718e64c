from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.industries import check_enterprise_code
from onevisit.registry.models import District, Enterprise, Industry


def district_choices(area: list[str] | None = None) -> list[Any]:
    """Every district (of `area`, if given), a city standing for all of it; in a province,
    grouped by city (two cities may each have a 市中区)."""
    districts = list(
        District.objects.all() if area is None else District.objects.filter(pk__in=area)
    )
    cities = [d for d in districts if d.kind == District.Kind.CITY]
    everything = ("", _("All districts"))
    if len(cities) <= 1:
        return [everything, *((d.code, d.name) for d in districts)]
    groups = [
        (
            city.name,
            [
                (city.code, _("%(city)s, all of it") % {"city": city.name}),
                *((d.code, d.name) for d in districts if d.parent_id == city.code),
            ],
        )
        for city in cities
    ]
    return [everything, *groups]


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    district = forms.ChoiceField(label=_("District"), required=False)
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        queryset=Industry.objects.all(),
        required=False,
        empty_label=_("All industries"),
        to_field_name="code",
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Enterprise.Status.choices],
    )

    def __init__(self, *args: Any, area: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        assert isinstance(district, forms.ChoiceField)
        district.choices = district_choices(area)

    def cleaned_filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "district": "", "industry": "", "status": ""}
        data = self.cleaned_data
        return {
            "q": data["q"] or "",
            "district": data["district"] or "",
            "industry": data["industry"].code if data["industry"] else "",
            "status": data["status"] or "",
        }


class EnterpriseForm(forms.ModelForm[Enterprise]):
    industry_code = forms.CharField(
        label=_("Industry code (GB/T 4754-2017)"),
        max_length=5,
        help_text=_("e.g. C3451, 3451 or 34"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "former_names",
            "district",
            "address",
            "legal_representative",
            "land_area_mu",
            "employees",
            "above_scale",
            "status",
            "latitude",
            "longitude",
        ]
        widgets = {"former_names": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, area: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if area is not None:  # a city's supervisor places enterprises in the city only
            district = self.fields["district"]
            assert isinstance(district, forms.ModelChoiceField)
            district.queryset = District.objects.filter(pk__in=area)
            district.error_messages["invalid_choice"] = _("This district lies outside your area.")

    def clean_uscc(self) -> str:
        try:
            return validate_uscc(self.cleaned_data["uscc"], District.objects.local_codes())
        except InvalidIdentifier as error:
            raise forms.ValidationError(error.localized(gettext)) from None

    def clean_industry_code(self) -> str:
        code: str = self.cleaned_data["industry_code"]
        try:
            division, full = check_enterprise_code(code)
        except InvalidIdentifier as error:
            raise forms.ValidationError(error.localized(gettext)) from None
        self._industry = Industry.objects.get(code=division)
        return full

    def action_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["industry"] = self._industry
        fields["industry_code"] = self.cleaned_data["industry_code"]
        return fields
