"""The import page's form: which kind of list, the file, and whether only to check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevisit.operations.importers import KINDS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[(k, k) for k in KINDS])
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only, change nothing"), required=False)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "enterprises": _("Enterprises"),
            "bodies": _("Inspecting bodies"),
            "inspectors": _("Inspectors"),
            "items": _("Inspection items and check points"),
            "ledger": _("Rectification ledger (整改台账)"),
            "penalties": _("Penalty discretion benchmarks (裁量基准)"),
            "holidays": _("Holiday notice of the State Council (节假日安排)"),
            "scope": _("Business scope catalogue (经营范围规范表述)"),
        }
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]  # type: ignore[attr-defined]
