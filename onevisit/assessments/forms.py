from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevisit.assessments.actions import MAX_ENTERPRISES
from onevisit.assessments.models import Kind
from onevisit.catalog.models import Item
from onevisit.lib.formfields import DateInput, NumberedChoices
from onevisit.registry.models import Body, Enterprise

TEXT = forms.Textarea(attrs={"rows": 2})


class AssessmentForm(forms.Form):
    """The application of a special or ad-hoc inspection; the enterprises come as a column of
    credit codes, pasted from a spreadsheet or typed one per line."""

    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[(Kind.SPECIAL, Kind.SPECIAL.label), (Kind.AD_HOC, Kind.AD_HOC.label)],
    )
    title = forms.CharField(label=_("title"), max_length=200)
    cause = forms.CharField(label=_("cause (检查事由)"), widget=TEXT)
    legal_basis = forms.CharField(label=_("legal basis of the items (法律依据)"), widget=TEXT)
    items = NumberedChoices(
        label=_("inspection items"),
        queryset=Item.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    enterprises = forms.CharField(
        label=_("enterprises"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "91371500MA3C000012"}),
        help_text=_("unified social credit codes, one per line (paste a column from Excel)"),
    )
    why_not_joint = forms.CharField(
        label=_("why it cannot be merged into a planned or joint visit"), widget=TEXT
    )
    why_not_replaced = forms.CharField(
        label=_("why recognised results, off-site data or a written check cannot replace it"),
        widget=TEXT,
    )
    burden = forms.CharField(
        label=_("expected burden on the enterprises"),
        widget=TEXT,
        help_text=_("e.g. two inspectors, half a day, no production stop"),
    )
    window_start = forms.DateField(label=_("checks from"), widget=DateInput())
    window_end = forms.DateField(label=_("checks until"), widget=DateInput())

    def __init__(self, *args: Any, items: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.body = body

    def clean_enterprises(self) -> list[Enterprise]:
        codes = list(
            dict.fromkeys(re.findall(r"[0-9A-Za-z]{18}", self.cleaned_data["enterprises"]))
        )
        if not codes:
            raise forms.ValidationError(_("Enter at least one 18-character credit code."))
        if len(codes) > MAX_ENTERPRISES:
            raise forms.ValidationError(
                _("At most %(n)s enterprises in one assessment.") % {"n": MAX_ENTERPRISES}
            )
        registered = Enterprise.objects.filter(uscc__in=[c.upper() for c in codes])
        found = registered.in_area(self.body.district_id).in_bulk(field_name="uscc")
        unknown = [c for c in codes if c.upper() not in found]
        outside = set(registered.values_list("uscc", flat=True)) - set(found)
        if outside:
            raise forms.ValidationError(
                _("Outside the area your body acts in: %(codes)s")
                % {"codes": "、".join(sorted(outside)[:20])}
            )
        if unknown:
            raise forms.ValidationError(
                _("Not in the register: %(codes)s") % {"codes": "、".join(unknown[:20])}
            )
        return list(found.values())


class EmergencyAssessmentForm(forms.Form):
    legal_basis = forms.CharField(label=_("legal basis of the items (法律依据)"), widget=TEXT)
    why_urgent = forms.CharField(
        label=_("why the visit could not wait for an approval"), widget=TEXT
    )
    burden = forms.CharField(label=_("burden on the enterprise"), widget=TEXT, required=False)
