from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.inspections.models import Finding, PointResult, Visit
from onevisit.lib.formfields import DateInput, NumberedChoices
from onevisit.planning.models import Task
from onevisit.registry.models import Inspector


class VisitForm(forms.Form):
    """Register a visit of one body: its open tasks of the enterprise, or items for an
    emergency, or nothing for a survey or publicity visit."""

    date = forms.DateField(label=_("date"), widget=DateInput())
    purpose = forms.ChoiceField(label=_("purpose"), choices=Visit.Purpose.choices)
    emergency = forms.BooleanField(label=_("emergency inspection"), required=False)
    cause = forms.CharField(
        label=_("cause"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("required for an emergency; a triggered task brings its own"),
    )
    tasks = NumberedChoices(
        label=_("open tasks"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    items = NumberedChoices(
        label=_("items (without a task)"),
        queryset=Item.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    inspectors = NumberedChoices(
        label=_("team"), queryset=Inspector.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    unannounced_reason = forms.CharField(
        label=_("unannounced: why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("leave empty for an announced visit"),
    )
    late_reason = forms.CharField(
        label=_("registered after the visit: why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("only an emergency visit, within 10 days (e.g. the platform was down)"),
    )

    def __init__(self, *args: Any, tasks: Any, items: Any, inspectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = tasks  # type: ignore[attr-defined]
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.fields["inspectors"].queryset = inspectors  # type: ignore[attr-defined]
        self.fields["tasks"].label_from_instance = _task_label  # type: ignore[attr-defined]


def _task_label(task: Task) -> str:
    return f"{task.get_kind_display()} {task.window_start}–{task.window_end} {task.cause}".strip()


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(choices=PointResult.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(required=False, choices=[("", "—"), *Finding.Severity.choices])
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvaluationForm(forms.Form):
    SCORES = [(n, str(n)) for n in range(5, 0, -1)]
    conduct = forms.TypedChoiceField(
        label=_("Conduct (文明执法)"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    professionalism = forms.TypedChoiceField(
        label=_("Professionalism"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    burden = forms.TypedChoiceField(
        label=_("Burden kept low (5 = hardly disturbed)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
