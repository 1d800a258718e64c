"""What `/v/<code>` tells whoever scanned or typed a code.

A lookup is one indexed query for the code's state (valid today, cancelled, …). What the code
shows (the enterprise, bodies, team with certificate numbers, items with legal basis) is the
snapshot taken when it was issued — rescheduling a visit issues a new code — so it is rendered
once per server process and kept in a bounded cache keyed by the code itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from onevisit.inspections.keyring import keyring
from onevisit.inspections.models import InspectionCode, Visit
from onevisit.inspections.tokens import BadToken, display_short_code, normalise_short_code

# valid: admit the team today; not_yet / expired: the code is genuine but for another day;
# closed: the visit is over, so the code admits nobody any more; cancelled: withdrawn
# (rescheduled or called off); forged: a signature that is not the city's; malformed: not a code
# at all; unknown: a short code nobody issued. Only a valid code shows who comes and what they
# check: on another day the team's names and certificates are nobody's business.
STATES = ("valid", "not_yet", "expired", "closed", "cancelled", "forged", "malformed", "unknown")
DETAILS_CACHED = 4096


@dataclass(frozen=True)
class CodeStatus:
    state: str
    code_id: int | None = None
    short_code: str = ""
    visit_id: int | None = None
    valid_on: dt.date | None = None
    cancelled_at: dt.datetime | None = None
    visit_cancelled: bool = False
    snapshot: dict[str, Any] | None = None

    @property
    def genuine(self) -> bool:
        return self.code_id is not None

    @property
    def admit(self) -> bool:
        return self.state == "valid"

    @property
    def display(self) -> str:
        return display_short_code(self.short_code) if self.short_code else ""

    @property
    def shows_details(self) -> bool:
        return self.state == "valid"


FIELDS = ("pk", "short_code", "visit_id", "valid_on", "cancelled_at", "visit__status", "snapshot")


def _find(**lookup: str) -> tuple[Any, ...] | None:
    return InspectionCode.objects.filter(**lookup).values_list(*FIELDS).first()


def look_up(text: str, today: dt.date) -> CodeStatus:
    text = text.strip()
    short = normalise_short_code(text)
    if short is not None:
        row = _find(short_code=short)
    elif len(text) > 400:
        return CodeStatus("malformed")
    else:
        try:
            claim = keyring().verify(text)
        except BadToken as bad:
            return CodeStatus("malformed" if bad.reason == "malformed" else "forged")
        row = _find(short_code=claim.short_code, token=text)
    if row is None:
        return CodeStatus("unknown")
    pk, short_code, visit_id, valid_on, cancelled_at, visit_status, snapshot = row
    if cancelled_at is not None:
        state = "cancelled"
    elif visit_status == Visit.Status.CLOSED:
        state = "closed"
    elif today < valid_on:
        state = "not_yet"
    elif today > valid_on:
        state = "expired"
    else:
        state = "valid"
    return CodeStatus(
        state,
        code_id=pk,
        short_code=short_code,
        visit_id=visit_id,
        valid_on=valid_on,
        cancelled_at=cancelled_at,
        visit_cancelled=visit_status == Visit.Status.CANCELLED,
        snapshot=snapshot,
    )


class _Rendered:
    """A bounded, thread-safe cache of rendered details (gunicorn runs threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[tuple[str, str], SafeString] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> SafeString | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: SafeString) -> None:
        with self.lock:
            self.pages[key] = page
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


_rendered = _Rendered(DETAILS_CACHED)


def details_html(status: CodeStatus, language: str) -> SafeString:
    """The code's fixed content, rendered once per process and language (the key is the random
    short code, so a reused database id never shows another code's page)."""
    key = (status.short_code, language)
    page = _rendered.get(key)
    if page is None:
        snapshot = status.snapshot or {}
        html = render_to_string(
            "inspections/verify_details.html",
            {
                "s": snapshot,
                "code_display": status.display,
                "valid_on": status.valid_on,
                "purpose": Visit.Purpose(snapshot.get("purpose", "inspection")).label,
                "origin": Visit.Origin(snapshot.get("origin", "planned")).label,
            },
        )
        page = mark_safe(html)  # noqa: S308 - our own template's output, escaped there
        _rendered.put(key, page)
    return page
