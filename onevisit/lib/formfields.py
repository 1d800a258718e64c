"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms

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
