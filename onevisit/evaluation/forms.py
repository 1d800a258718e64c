from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onevisit.evaluation import scoring
from onevisit.evaluation.models import FIGURES, Recommendation, Year
from onevisit.lib.formfields import NumberedChoice, NumberedChoices
from onevisit.registry.identifiers import InvalidIdentifier
from onevisit.registry.industries import industry_targets
from onevisit.registry.models import Body


def _targets(text: str) -> str:
    try:
        return industry_targets(text)
    except InvalidIdentifier as error:
        raise forms.ValidationError(error.localized(gettext)) from None


class OpenYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year evaluated"), min_value=2019, max_value=2100)
    industries = forms.CharField(label=_("Industries in scope (GB/T 4754)"), initial="B,C")
    excluded = forms.CharField(label=_("Excluded industries"), initial="D", required=False)
    above_scale_only = forms.BooleanField(
        label=_("Only enterprises above designated size (规上)"),
        initial=True,
        required=False,
        help_text=_(
            "as the register marks them; the lead may add others by importing their figures"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = Body.objects.order_by("code")
        for code, label in FIGURES:
            self.fields[f"source_{code}"] = NumberedChoice(
                label=_("Reported by: %(figure)s") % {"figure": label}, queryset=bodies
            )

    def clean_industries(self) -> str:
        return _targets(self.cleaned_data["industries"])

    def clean_excluded(self) -> str:
        return _targets(self.cleaned_data["excluded"] or "")

    def sources(self) -> dict[str, Body]:
        return {code: self.cleaned_data[f"source_{code}"] for code, _label in FIGURES}


class FiguresImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only, change nothing"), required=False)


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("upheld: figures corrected")), ("0", _("rejected"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RecommendationForm(forms.ModelForm[Recommendation]):
    class Meta:
        model = Recommendation
        fields = ["indicator", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class DiagnosisForm(forms.Form):
    recommendations = NumberedChoices(
        label=_("Recommendations to issue"),
        queryset=Recommendation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    summary = forms.CharField(
        label=_("The department's summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recommendations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Recommendation.objects.filter(body=body, active=True)


class RulesForm(forms.Form):
    """The year's weights, benchmarks, cap, class floors and electricity check, as settings
    (Shandong's own are not published); the result keeps the rules that produced it."""

    cap = forms.DecimalField(
        label=_("Cap (× benchmark)"), min_value=1, max_value=10, decimal_places=2
    )
    electricity_gap = forms.DecimalField(
        label=_("Electricity check: tolerated share"), min_value=0, max_value=5, decimal_places=2
    )

    def __init__(self, *args: Any, year: Year, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = year.rules()
        for code, name, unit in scoring.INDICATORS:
            self.fields[f"weight_{code}"] = forms.DecimalField(
                label=_("Weight: %(name)s") % {"name": name},
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=rules.weights.get(code),
            )
            self.fields[f"benchmark_{code}"] = forms.DecimalField(
                label=_("Benchmark: %(name)s (%(unit)s)") % {"name": name, "unit": unit},
                min_value=0,
                decimal_places=4,
                required=False,
                initial=rules.benchmarks.get(code),
                help_text=_("empty: the mean of the enterprises in scope"),
            )
        for klass in ("A", "B", "C"):
            self.fields[f"floor_{klass}"] = forms.DecimalField(
                label=_("Lowest score of class %(klass)s") % {"klass": klass},
                min_value=0,
                decimal_places=2,
                initial=rules.thresholds.get(klass),
            )
        self.fields["cap"].initial = rules.cap
        self.fields["electricity_gap"].initial = year.electricity_gap

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        floors = [data.get(f"floor_{k}") for k in ("A", "B", "C")]
        if all(f is not None for f in floors) and not floors[0] > floors[1] > floors[2]:  # type: ignore[operator]
            raise forms.ValidationError(_("Class floors must fall from A to C."))
        return data

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        codes = [code for code, _name, _unit in scoring.INDICATORS]
        return {
            "weights": {c: str(data[f"weight_{c}"]) for c in codes},
            "benchmarks": {
                c: str(data[f"benchmark_{c}"]) for c in codes if data[f"benchmark_{c}"] is not None
            },
            "thresholds": {k: str(data[f"floor_{k}"]) for k in ("A", "B", "C")},
            "cap": data["cap"],
            "electricity_gap": data["electricity_gap"],
        }
