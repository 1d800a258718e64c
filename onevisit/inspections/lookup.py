"""What `/v/<code>` tells whoever scanned or typed a code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from onevisit.catalog.models import Item
from onevisit.inspections.keyring import signer
from onevisit.inspections.models import InspectionCode, Visit
from onevisit.inspections.tokens import BadToken, normalise_short_code
from onevisit.registry.models import Inspector

# valid: admit the team today; not_yet / expired: the code is genuine but for another day;
# cancelled: withdrawn (rescheduled or called off); forged: a signature that is not the city's;
# malformed: not a code at all; unknown: a short code nobody issued.
STATES = ("valid", "not_yet", "expired", "cancelled", "forged", "malformed", "unknown")


@dataclass(frozen=True)
class CodeStatus:
    state: str
    code: InspectionCode | None = None

    @property
    def genuine(self) -> bool:
        return self.code is not None

    @property
    def admit(self) -> bool:
        return self.state == "valid"

    @property
    def visit(self) -> Visit | None:
        return self.code.visit if self.code is not None else None

    @property
    def shows_details(self) -> bool:
        return self.state in ("valid", "not_yet")


def _find(**lookup: str) -> InspectionCode | None:
    return (
        InspectionCode.objects.select_related("visit__enterprise", "visit__lead_body")
        .prefetch_related(
            "visit__bodies",
            Prefetch("visit__inspectors", queryset=Inspector.objects.select_related("body")),
            Prefetch("visit__items", queryset=Item.objects.select_related("body")),
        )
        .filter(**lookup)
        .first()
    )


def look_up(text: str, today: dt.date) -> CodeStatus:
    text = text.strip()
    short = normalise_short_code(text)
    if short is not None:
        code = _find(short_code=short)
    elif len(text) > 400:
        return CodeStatus("malformed")
    else:
        try:
            claim = signer().verify(text)
        except BadToken as bad:
            return CodeStatus("malformed" if bad.reason == "malformed" else "forged")
        code = _find(short_code=claim.short_code, token=text)
    if code is None:
        return CodeStatus("unknown")
    if code.cancelled_at is not None:
        return CodeStatus("cancelled", code)
    if today < code.valid_on:
        return CodeStatus("not_yet", code)
    if today > code.valid_on:
        return CodeStatus("expired", code)
    return CodeStatus("valid", code)
