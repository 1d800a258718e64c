from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onevisit.assessments.actions import MAX_ENTERPRISES
from onevisit.assessments.models import Kind
from onevisit.catalog.models import Item
from onevisit.lib.formfields import DateInput, NumberedChoices
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.models import Body, District, Enterprise

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
        """One credit code a line: a malformed or unknown one is refused with its line, never
        dropped."""
        lines = [
            (number, line.strip().upper())
            for number, line in enumerate(self.cleaned_data["enterprises"].splitlines(), 1)
            if line.strip()
        ]
        if not lines:
            raise forms.ValidationError(_("Enter at least one 18-character credit code."))
        if len(lines) > MAX_ENTERPRISES:
            raise forms.ValidationError(
                _("At most %(n)s enterprises in one assessment.") % {"n": MAX_ENTERPRISES}
            )
        local = District.objects.local_codes()
        problems: list[str] = []
        codes: dict[str, int] = {}
        for number, text in lines:
            try:
                codes.setdefault(validate_uscc(text, local), number)
            except InvalidIdentifier as error:
                problems.append(_line(number, text, error.localized(gettext)))
        registered = Enterprise.objects.filter(uscc__in=list(codes))
        found = registered.in_area(self.body.district_id).in_bulk(field_name="uscc")
        outside = set(registered.values_list("uscc", flat=True)) - set(found)
        for code, number in codes.items():
            if code in outside:
                problems.append(_line(number, code, gettext("outside the area your body acts in")))
            elif code not in found:
                problems.append(_line(number, code, gettext("not in the register")))
        if problems:
            raise forms.ValidationError(problems[:50])
        return [found[code] for code in codes]

    def clean(self) -> dict[str, Any]:
        """The window's errors show together with the others."""
        data = super().clean() or {}
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", _("The window ends before it starts."))
        elif end and end < timezone.localdate():
            self.add_error("window_end", _("The window lies in the past."))
        return data


def _line(number: int, text: str, reason: str) -> str:
    return gettext("Line %(n)s, %(code)s: %(why)s") % {"n": number, "code": text, "why": reason}


class EmergencyAssessmentForm(forms.Form):
    legal_basis = forms.CharField(label=_("legal basis of the items (法律依据)"), widget=TEXT)
    why_urgent = forms.CharField(
        label=_("why the visit could not wait for an approval"), widget=TEXT
    )
    burden = forms.CharField(label=_("burden on the enterprise"), widget=TEXT, required=False)
