"""Electricity monitors (用电监控) over MQTT, free of Django and of the network.

A monitor publishes one JSON object per message (UTF-8, at most `MAX_BYTES`):

    {"mn": "PWR3715000001", "pw": "secret", "time": "2026-11-27T10:00:00+08:00",
     "values": {"P": 12.5, "Ia": 20.1, "EP": 1234.5}, "running": true}

`mn` and `pw` authenticate the device (registered like an HJ 212 station); `time` is ISO 8601
(a time without offset is Beijing time) or Unix seconds; `values` maps factor codes (letters,
digits, `-` and `_`, at most 20) to finite numbers stored as `Rtd` readings; `running`, if
present, is stored as factor `run`, kind `RS` (1 or 0), like an HJ 212 equipment state.
`Messages.feed` never raises: anything else is a reject counted by reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from onevisit.lib import jsontext
from onevisit.monitoring.session import KnownDevice, Row

MAX_BYTES = 8192
MAX_FACTORS = 64
BEIJING = ZoneInfo("Asia/Shanghai")
FACTOR = re.compile(r"[A-Za-z0-9_-]{1,20}")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    devices: set[int] = field(default_factory=set)
    rejects: Counter[str] = field(default_factory=Counter)


def _time(value: Any, now: dt.datetime) -> dt.datetime:
    if isinstance(value, bool):
        raise Rejected("bad_time")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise Rejected("bad_time")
        try:
            when = dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise Rejected("bad_time") from None
    elif isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            raise Rejected("bad_time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=BEIJING)
    else:
        raise Rejected("bad_time")
    if not EARLIEST <= when <= now + dt.timedelta(hours=1):
        raise Rejected("time_out_of_range")
    return when


def _values(given: Any) -> dict[str, float]:
    if not isinstance(given, dict) or len(given) > MAX_FACTORS:
        raise Rejected("bad_values")
    values = {}
    for code, value in given.items():
        if not FACTOR.fullmatch(code) or isinstance(value, bool):
            raise Rejected("bad_values")
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise Rejected("bad_values")
        values[code] = float(value)
    return values


class Messages:
    """Turns messages into readings for the known devices (MN → id, password digest)."""

    def __init__(self, devices: Mapping[str, KnownDevice]) -> None:
        self.devices = devices

    def feed(self, payload: bytes, now: dt.datetime) -> Outcome:
        outcome = Outcome()
        try:
            device_id, rows = self._parse(payload, now)
        except Rejected as rejected:
            outcome.rejects[rejected.reason] += 1
            return outcome
        outcome.rows.extend(rows)
        outcome.devices.add(device_id)
        return outcome

    def _parse(self, payload: bytes, now: dt.datetime) -> tuple[int, list[Row]]:
        if len(payload) > MAX_BYTES:
            raise Rejected("too_long")
        try:
            message = jsontext.loads(payload)
        except jsontext.BadJson:
            raise Rejected("not_json") from None
        if not isinstance(message, dict):
            raise Rejected("not_an_object")
        mn, password = message.get("mn"), message.get("pw")
        if not isinstance(mn, str) or not isinstance(password, str):
            raise Rejected("no_credentials")
        known = self.devices.get(mn)
        if known is None:
            raise Rejected("unknown_device")
        device_id, digest = known.id, known.password_sha256
        given = hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()
        if not hmac.compare_digest(given, digest):
            raise Rejected("wrong_password")
        when = _time(message.get("time"), now)
        values = _values(message.get("values", {}))
        running = message.get("running")
        if running is not None and not isinstance(running, bool):
            raise Rejected("bad_running")
        rows = [Row(device_id, code, "Rtd", when, value, "") for code, value in values.items()]
        if running is not None:
            rows.append(Row(device_id, "run", "RS", when, 1.0 if running else 0.0, ""))
        if not rows:
            raise Rejected("no_values")
        return device_id, rows
