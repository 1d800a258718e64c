from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class DrawOut(Schema):
    id: int
    title: str
    body: str | None
    status: str
    algorithm: str
    pool_size: int
    pool_sha256: str
    strata_by: str
    ratio: str
    seed_source: str
    seed_known_after: dt.datetime
    drawn_at: dt.datetime | None
    key: str


class DrawRecord(Schema):
    record: dict[str, Any]


class DrawResultOut(Schema):
    """What became of one enterprise drawn (published when its visit closes)."""

    draw_id: int
    draw_title: str
    enterprise: str
    uscc: str
    body: str
    status: str
    checked_on: dt.date | None
    problems: int
    published_on: dt.date | None
    publish_by: dt.date | None
