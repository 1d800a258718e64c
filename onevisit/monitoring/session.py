"""One device connection's protocol logic, free of sockets and of Django.

`Session.feed(bytes)` turns whatever arrived into readings to store, answers to send once they
are stored, and rejects counted by reason. It never raises on input: any bytes at all only ever
become rejects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from onevisit.hj212 import (
    FrameBuffer,
    Packet,
    ParseError,
    Reassembler,
    answer_data,
    answer_notice,
    parse_segment,
)
from onevisit.hj212.codec import STANDARDS, VERSION_2017, parse_time

# Uploads answered with 9014 when their Flag asks. 2111 (furnace temperature, 5-minute mean)
# is a 2025 command (caoyiliang/HJ212); 2081 (the data logger's start time) carries no factor.
DATA_COMMANDS = frozenset({"2011", "2021", "2031", "2041", "2051", "2061", "2081", "2111"})
# Notifications answered with 9013: the time request 1013, and in 2025 the data logger's
# serial numbers 1001, the key request 1014 and the heartbeat 9015.
NOTICE_COMMANDS = frozenset({"1001", "1013", "1014", "9015"})
VALUE_KINDS = frozenset({"Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax"})
EQUIPMENT_KINDS = frozenset({"RS", "RT", "Ala"})
MAX_PENDING_SPLITS = 32


@dataclass(frozen=True)
class Row:
    device_id: int
    factor: str
    kind: str
    data_time: dt.datetime
    value: float
    flag: str


@dataclass
class Outcome:
    """What a packet (or a whole chunk) produced."""

    rows: list[Row] = field(default_factory=list)
    answers: list[bytes] = field(default_factory=list)
    rejects: Counter[str] = field(default_factory=Counter)
    violations: Counter[str] = field(default_factory=Counter)  # in packets accepted anyway
    devices: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class KnownDevice:
    """A registered device as the receiver knows it: id, SHA-256 of its password, and the
    version of HJ 212 it is registered with (1: 2017, 2: 2025)."""

    id: int
    password_sha256: str
    version: int = VERSION_2017


def parse_data_time(text: str) -> dt.datetime | None:
    """HJ 212 times are Beijing time, YYYYMMDDhhmmss; some devices add milliseconds."""
    return parse_time(text)


class Session:
    def __init__(
        self, devices: Mapping[str, KnownDevice], max_length: int = 9999, strict: bool = False
    ) -> None:
        """`devices` maps an MN to the registered device. `strict` holds every packet to the
        letter of the standard (1,024-byte segments, no violation at all); a packet that breaks
        it is refused and counted as `strict_<violation>`, after the device is identified."""
        self.devices = devices
        self.strict = strict
        self.frames = FrameBuffer(max_length=min(max_length, 1024) if strict else max_length)
        self.splits = Reassembler()
        self.clock = time.monotonic

    def feed(self, chunk: bytes) -> Outcome:
        outcome = Outcome()
        for segment in self.frames.feed(chunk):
            self._segment(segment, outcome)
        if self.splits.pending or self.splits.dropped:
            dropped = self.splits.expire(self.clock())
            if dropped:
                outcome.rejects["split_incomplete"] += dropped
        outcome.rejects.update(self.frames.rejects)
        self.frames.rejects.clear()
        return outcome

    def _segment(self, segment: str, outcome: Outcome) -> None:
        try:
            packet = parse_segment(segment)
        except (ParseError, ValueError):
            outcome.rejects["parse"] += 1
            return
        known = self.devices.get(packet.mn)
        if known is None:
            outcome.rejects["unknown_device"] += 1
            return
        given = hashlib.sha256(packet.pw.encode("utf-8")).hexdigest()
        if not hmac.compare_digest(given, known.password_sha256):
            outcome.rejects["bad_password"] += 1
            return
        if packet.version != known.version and packet.version in STANDARDS:
            # Stored and answered in the packet's own version, and counted: the registration
            # (or the device's configuration) needs a look.
            packet.violated("version_mismatch", "the device is registered with another version")
        if self.strict and packet.violations:
            outcome.rejects[f"strict_{packet.violations[0].name}"] += 1
            return
        if packet.cn in NOTICE_COMMANDS:
            outcome.violations.update(packet.violation_counts())
            outcome.devices.add(known.id)
            if packet.wants_answer:
                outcome.answers.append(answer_notice(packet))
            return
        if packet.is_split:
            # Each part is stored and answered as it comes (C.50: the host answers every part
            # before the device sends the next); the set is joined to see it complete.
            if len(self.splits.pending) >= MAX_PENDING_SPLITS:
                self.splits.dropped += len(self.splits.pending)
                self.splits.pending.clear()
                outcome.rejects["split_overflow"] += 1
            self.splits.add(packet, self.clock())
        if packet.cn not in DATA_COMMANDS:
            outcome.rejects["unsupported_command"] += 1
            return
        outcome.violations.update(packet.violation_counts())
        self._readings(known.id, packet, outcome)

    def _readings(self, device_id: int, packet: Packet, outcome: Outcome) -> None:
        when = parse_data_time(packet.data_time)
        if when is None:
            outcome.rejects["bad_datatime"] += 1
            return
        for code, values in [*packet.factors.items(), *packet.equipment.items()]:
            flag = values.get("Flag", "")[:4]
            kinds = EQUIPMENT_KINDS if code.startswith("SB") else VALUE_KINDS
            for kind, text in values.items():
                if kind not in kinds:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    outcome.rejects["bad_value"] += 1
                    continue
                if not math.isfinite(value):
                    outcome.rejects["bad_value"] += 1
                    continue
                outcome.rows.append(Row(device_id, code[:20], kind, when, value, flag))
        outcome.devices.add(device_id)
        if packet.wants_answer:
            outcome.answers.append(answer_data(packet))
