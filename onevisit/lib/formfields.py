"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from onevisit.lib.params import whole_number


class NumberedChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Ids checked as numbers first: an id beyond 64 bits is a form error, not a crash."""

    def _check_values(self, value: Any) -> Any:
        for pk in value or ():
            if whole_number(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO 8601 whatever the language: the Chinese
    locale's 2026/12/02 is one the picker cannot read, and it would show an empty field."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class NumberedChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One id, checked as a number first (see NumberedChoices)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and whole_number(str(value)) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class JSONText(forms.JSONField):
    """Django's JSON form field (the admin's, for a model's JSONField), with every text that is
    not JSON a form error: Django's own lets a number of 5,000 digits or a nesting of 100,000
    brackets through as a server error."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except (ValueError, RecursionError):
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except (ValueError, RecursionError):
            return forms.fields.InvalidJSONInput(data)


# For a ModelAdmin of a model with a JSONField: `formfield_overrides = JSON_AS_TEXT`.
JSON_AS_TEXT: dict[Any, dict[str, Any]] = {models.JSONField: {"form_class": JSONText}}
