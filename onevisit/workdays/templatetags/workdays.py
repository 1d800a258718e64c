"""`{% deadline day %}`: a deadline as a date, marked when it falls in a year whose holiday
notice is not entered yet (counted over the statutory holidays, and may still be extended)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from onevisit.workdays.calendar import known_years

register = template.Library()


@register.simple_tag(takes_context=True)
def deadline(context: Any, day: dt.date | None) -> SafeString | str:
    if day is None:
        return ""
    years = context.render_context.get("notice_years")
    if years is None:
        years = context.render_context["notice_years"] = known_years()
    shown = day.isoformat()
    if day.year in years:
        return shown
    return format_html(
        '{} <span class="muted estimated" title="{}">{}</span>',
        shown,
        _(
            "Counted over the statutory holidays: the State Council's notice for this year is "
            "not entered yet, and may extend it."
        ),
        _("(estimated)"),
    )
