from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
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
    """The lead's decision of one objection: upheld with the corrected figures, or rejected;
    with its reason either way."""

    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("upheld: figures corrected")), ("0", _("rejected"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in FIGURES:
            self.fields[f"fix_{code}"] = forms.DecimalField(
                label=_("corrected %(figure)s") % {"figure": label},
                required=False,
                min_value=0,
                max_value=10**11,
                decimal_places=4,
            )

    def corrections(self) -> dict[str, Any]:
        return {
            code: self.cleaned_data[f"fix_{code}"]
            for code, _label in FIGURES
            if self.cleaned_data.get(f"fix_{code}") is not None
        }

    def figure_fields(self) -> list[forms.BoundField]:
        return [self[f"fix_{code}"] for code, _label in FIGURES]


class PublishForm(forms.Form):
    """Publishing again after a withdrawal: why, and what the public is told changed."""

    reason = forms.CharField(
        label=_("Why it is published again"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    notice = forms.CharField(
        label=_("Public notice of what changed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the 公示 is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class EntrySearchForm(forms.Form):
    """Find any enterprise of a year: by name or credit code, class, district or industry."""

    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=50)
    klass = forms.ChoiceField(label=_("Class"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)

    def __init__(self, *args: Any, year: Year, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        self.fields["klass"].choices = every + [(k, k) for k in scoring.CLASSES]  # type: ignore[attr-defined]
        entries = year.entries.order_by()
        districts = entries.values_list(
            "enterprise__district_id", "enterprise__district__name"
        ).distinct()
        industries = entries.values_list(
            "enterprise__industry_id", "enterprise__industry__name"
        ).distinct()
        self.fields["district"].choices = every + sorted(set(districts))  # type: ignore[attr-defined]
        self.fields["industry"].choices = every + sorted(set(industries))  # type: ignore[attr-defined]

    def filter(self, entries: Any) -> Any:
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["q"].strip():
            q = data["q"].strip()
            entries = entries.filter(
                Q(enterprise__name__icontains=q) | Q(enterprise__uscc__startswith=q.upper())
            )
        for field, lookup in (
            ("klass", "klass"),
            ("district", "enterprise__district_id"),
            ("industry", "enterprise__industry_id"),
        ):
            if data[field]:
                entries = entries.filter(**{lookup: data[field]})
        return entries


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
    """The year's weights (totalling 100), benchmarks, bonus cap, class floors, electricity
    check and the share of missing figures publishing tolerates, as settings (Shandong's own
    are not published); the result keeps the rules that produced it."""

    cap = forms.DecimalField(
        label=_("Bonus cap (× benchmark)"),
        min_value=1,
        max_value=3,
        decimal_places=2,
        help_text=_(
            "1: no bonus, each indicator at most its weight (100 points in all); above 1: "
            "performance beyond the benchmark adds bonus points (加分), shown apart"
        ),
    )
    electricity_gap = forms.DecimalField(
        label=_("Electricity check: tolerated share"), min_value=0, max_value=5, decimal_places=2
    )
    max_missing_share = forms.DecimalField(
        label=_("Largest share of enterprises that may miss an indicator when published"),
        min_value=0,
        max_value=1,
        decimal_places=2,
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
        self.fields["max_missing_share"].initial = year.max_missing_share

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        floors = [data.get(f"floor_{k}") for k in ("A", "B", "C")]
        if all(f is not None for f in floors) and not floors[0] > floors[1] > floors[2]:  # type: ignore[operator]
            raise forms.ValidationError(_("Class floors must fall from A to C."))
        weights = [data.get(f"weight_{code}") for code, _n, _u in scoring.INDICATORS]
        if all(w is not None for w in weights) and sum(weights) != 100:  # type: ignore[arg-type]
            raise forms.ValidationError(
                _("The weights must total exactly 100 (a 100-point scale); they total %(n)s.")
                % {"n": sum(weights)}  # type: ignore[arg-type]
            )
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
            "max_missing_share": data["max_missing_share"],
        }
