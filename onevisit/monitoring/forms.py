from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevisit.lib.formfields import DateInput

LONGEST_DAYS = 366


class ReadingsExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    @classmethod
    def initial_window(cls) -> dict[str, dt.date]:
        today = timezone.localdate()
        return {"start": today - dt.timedelta(days=29), "end": today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end comes before the start."))
            if (end - start).days >= LONGEST_DAYS:
                raise forms.ValidationError(
                    _("Export at most %(days)s days at a time.") % {"days": LONGEST_DAYS}
                )
        return data
