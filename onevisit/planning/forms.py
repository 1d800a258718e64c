from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.lib.formfields import DateInput, NumberedChoices
from onevisit.lib.tabular import Column, TableError, read_table
from onevisit.planning.models import DoorLimit, FrequencyRule, Level, TierPolicy
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.industries import check_target
from onevisit.registry.models import Body, District, Enterprise


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2020,
        max_value=2100,
        error_messages={
            "min_value": _("Plan a year from 2020 to 2100."),
            "max_value": _("Plan a year from 2020 to 2100."),
            "invalid": _("Plan a year from 2020 to 2100."),
            "required": _("Choose a year."),
        },
    )

    def problem(self) -> str:
        """The year's error, as the page says it."""
        return "；".join(str(e) for e in self.errors.get("year", [])) or str(_("Choose a year."))

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

    def clean_industry_prefix(self) -> str:
        code: str = self.cleaned_data["industry_prefix"]
        try:
            prefix = check_target(code) if code.strip() else ""
        except InvalidIdentifier as error:
            raise forms.ValidationError(error.localized(gettext)) from None
        # The body is not a field of the form, so Django does not check the one-rule-per-scope
        # constraint itself: a second rule for the same industries is refused here.
        others = FrequencyRule.objects.filter(body_id=self.instance.body_id, industry_prefix=prefix)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Your body has a rule for these industries already: edit that rule instead.")
            )
        return prefix


class TierPolicyForm(forms.ModelForm[TierPolicy]):
    class Meta:
        model = TierPolicy
        exclude = ["body"]
        widgets = {"industry_points": forms.Textarea(attrs={"rows": 4})}

    def clean_industry_points(self) -> str:
        lines = []
        for number, line in enumerate(self.cleaned_data["industry_points"].splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(
                    _("Line %(number)d: write an industry code and whole points, e.g. C26 30."),
                    params={"number": number},
                )
            try:
                lines.append(f"{check_target(parts[0])} {parts[1]}")
            except InvalidIdentifier as error:
                raise forms.ValidationError(
                    _("Line %(number)d: %(problem)s"),
                    params={"number": number, "problem": error.localized(gettext)},
                ) from None
        return "\n".join(lines)


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=_("Tier"), choices=Level.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(label=_("Until"), widget=DateInput())

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if until < timezone.localdate():
            raise forms.ValidationError(_("The override must end today or later."))
        return until


MAX_SPECIAL_CODES = 5000
UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class SpecialEntryForm(forms.Form):
    """Special inspections for a list of enterprises at once: credit codes pasted from Excel
    (one per line) or a file; every code must be valid and registered, or nothing is added."""

    usccs = forms.CharField(
        label=_("Credit codes, one per line (paste a column from Excel)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    file = forms.FileField(
        label=_("or a file: .xlsx or .csv with a 统一社会信用代码 column, or .txt"),
        required=False,
    )
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    items = NumberedChoices(label=_("Items"), queryset=Item.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = Item.objects.published().filter(body=body)  # type: ignore[attr-defined]
        self.body = body
        self.enterprises: list[Enterprise] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The window ends before it starts."))
        lines = _code_lines(data.get("usccs") or "", data.get("file"))
        if not lines:
            raise forms.ValidationError(_("Give at least one credit code."))
        if len(lines) > MAX_SPECIAL_CODES:
            raise forms.ValidationError(
                _("At most %(n)s codes at a time.") % {"n": MAX_SPECIAL_CODES}
            )
        self.enterprises = self._enterprises(lines)
        return data

    def _enterprises(self, lines: list[tuple[int, str]]) -> list[Enterprise]:
        codes: dict[str, int] = {}
        problems = []
        local = District.objects.local_codes()
        for number, text in lines:
            try:
                codes.setdefault(validate_uscc(text, local), number)
            except InvalidIdentifier as error:
                problems.append(
                    _("Line %(n)s, %(code)s: %(why)s") % {"n": number, "code": text, "why": error}
                )
        registered = Enterprise.objects.filter(uscc__in=list(codes))
        found = {e.uscc: e for e in registered.in_area(self.body.district_id)}
        outside = set(registered.values_list("uscc", flat=True)) - set(found)
        problems += [
            _("Line %(n)s, %(code)s: the enterprise lies outside the area your body acts in.")
            % {"n": codes[code], "code": code}
            for code in sorted(outside, key=codes.__getitem__)
        ]
        problems += [
            _("Line %(n)s, %(code)s: no enterprise with this code is registered.")
            % {"n": number, "code": code}
            for code, number in codes.items()
            if code not in found and code not in outside
        ]
        if problems:
            raise forms.ValidationError([str(p) for p in problems[:50]])
        return [found[code] for code in codes]


def _code_lines(pasted: str, upload: Any) -> list[tuple[int, str]]:
    """(line number, code) from the pasted text, else from the uploaded file."""
    if upload is not None:
        name = str(upload.name).lower()
        data = upload.read(UPLOAD_MAX_BYTES + 1)
        if len(data) > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if name.endswith((".xlsx", ".csv")):
            try:
                table = read_table(data, name, [UsccColumn], UPLOAD_MAX_BYTES)
            except TableError as error:
                raise forms.ValidationError(error.localized(gettext)) from None
            return [
                (n, str(row.get("uscc") or "").strip()) for n, row in table.rows if row.get("uscc")
            ]
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                pasted = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return [
        (n, line.strip().split()[0].strip(",;，；"))
        for n, line in enumerate(pasted.splitlines(), start=1)
        if line.strip()
    ]


UsccColumn = Column("uscc", ("统一社会信用代码", "信用代码"), required=True)


class DecisionForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DoorLimitForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DoorLimit
        fields = ["max_bodies", "max_inspectors"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        bodies, people = data.get("max_bodies"), data.get("max_inspectors")
        if bodies is not None and people is not None and people < bodies:
            raise forms.ValidationError(
                _(
                    "Every body brings at least one inspector: allow at least as many "
                    "inspectors as bodies."
                )
            )
        return data
