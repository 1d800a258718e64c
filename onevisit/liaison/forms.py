from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevisit.catalog.models import Item
from onevisit.inspections.models import Visit
from onevisit.liaison.models import ANONYMOUS_KINDS, Kind
from onevisit.lib.formfields import DateInput, NumberedChoice, NumberedChoices
from onevisit.registry.models import Body, Enterprise, Inspector

TEXT = forms.Textarea(attrs={"rows": 4})


class ConcernForm(forms.Form):
    """A request: an enterprise user asks for its own enterprise and may name one of its
    inspections; a member of the public asks a question or makes a suggestion about an
    enterprise matter, named or not."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=Kind.choices, widget=forms.RadioSelect)
    body = NumberedChoice(
        label=_("Which department"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("I do not know: the supervisor will route it"),
    )
    item = NumberedChoice(
        label=_("The item it is about"),
        queryset=Item.objects.none(),
        required=False,
        empty_label=_("(no particular item)"),
    )
    visit = NumberedChoice(
        label=_("The inspection it is about"),
        queryset=Visit.objects.none(),
        required=False,
        empty_label=_("(no particular inspection)"),
    )
    enterprise_name = forms.CharField(
        label=_("The enterprise concerned"), max_length=200, required=False
    )
    subject = forms.CharField(label=_("In one line"), max_length=200)
    text = forms.CharField(label=_("What you would like"), widget=TEXT, max_length=5000)
    anonymous = forms.BooleanField(
        label=_("Do not show the department who asks"),
        required=False,
        help_text=_("possible for a question or a suggestion"),
    )
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        required=False,
        help_text=_("kept sealed; leave both empty to stay anonymous"),
    )

    def __init__(self, *args: Any, enterprise: Enterprise | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(published=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["item"].queryset = Item.objects.published().select_related("body")  # type: ignore[attr-defined]
        if enterprise is not None:
            own = Visit.objects.filter(enterprise=enterprise).exclude(status=Visit.Status.CANCELLED)
            self.fields["visit"].queryset = own.order_by("-date")  # type: ignore[attr-defined]
            for name in ("enterprise_name", "name", "phone"):
                del self.fields[name]
        else:
            self.fields["kind"].choices = [(k, Kind(k).label) for k in ANONYMOUS_KINDS]  # type: ignore[attr-defined]
            for name in ("visit", "anonymous"):
                del self.fields[name]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=TEXT, max_length=5000)


class GuidanceForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    inspectors = NumberedChoices(
        label=_("who goes"), queryset=Inspector.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("note to the enterprise"), required=False, max_length=500)

    def __init__(self, *args: Any, inspectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors  # type: ignore[attr-defined]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How good was the answer? (5 = very good)"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=TEXT)
