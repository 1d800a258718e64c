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

# What a device sends, by command (HJ 212-2017 table 9, the HJ 212-2025 commands as the peer
# caoyiliang/HJ212 builds them, and what the real-device corpus holds). Each upload is answered
# with 9014 when its Flag asks, each notification with 9013.
# Readings: real-time, state, day, run-time, minute and hour data, the start time 2081; 2025's raw
# data 2013, single noise measurement 2052, automatic standard check 2062 and furnace temperature
# 2111; HJ/T 212-2005's alarm record 2072 (AlarmTime, xxx-Ala) and run state 2073.
DATA_COMMANDS = frozenset(
    {"2011", "2013", "2021", "2031", "2041", "2051", "2052", "2061", "2062", "2072", "2073"}
    | {"2081", "2111"}
)
# What a device says about itself, kept on its record or in its log: its clock 1011, its data
# intervals 1061 and 1063, a sample kept for exceeding 3015, the sampling period 3017, the sample
# time 3018, the instruments' serial numbers 3019, logs, states and parameters 3020.
REPORT_COMMANDS = frozenset({"1011", "1061", "1063", "3015", "3017", "3018", "3019", "3020"})
# Notifications answered with 9013: the time request 1013, and in 2025 the data logger's
# serial numbers 1001, the key request 1014 and the heartbeat 9015.
NOTICE_COMMANDS = frozenset({"1001", "1013", "1014", "9015"})
# Outside every standard, yet sent by real devices (9,616 times in the corpus): a vendor's
# heartbeat (CP HeartbeatTime=120). The device is seen; the packet breaks the standard.
VENDOR_HEARTBEATS = frozenset({"8013"})
# A device's answers to a host's requests; this receiver sends none, so they are counted.
ANSWER_COMMANDS = frozenset({"9011", "9012", "9013", "9014"})
# Table 4's numeric kinds (and 2025's standard-check values) stored as readings; HJ/T 212-2005
# also puts run time, run state and alarms (RT, RS, Ala) on factor codes.
VALUE_KINDS = frozenset(
    {"Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax"}
    | {"Data", "DayData", "NightData", "SampleRd", "StandardValue", "RS", "RT", "Ala"}
)
EQUIPMENT_KINDS = frozenset({"RS", "RT", "Ala"})
# Settings a report command carries in plain CP fields (table 4)
SETTING_FIELDS = {
    "1011": ("SystemTime",),
    "1061": ("RtdInterval",),
    "1063": ("MinInterval",),
    "2081": ("RestartTime",),
    "3017": ("CstartTime", "CTime", "Ctime"),
    "3018": ("Stime",),
}
LOG_FIELDS = {"3015": ("VaseNo",), "2072": ("AlarmType",)}
MAX_REPORT_TEXT = 950  # a CP holds at most 950 characters
MAX_PENDING_SPLITS = 32


@dataclass(frozen=True)
class Row:
    device_id: int
    factor: str
    kind: str
    data_time: dt.datetime
    value: float
    flag: str


@dataclass(frozen=True)
class Report:
    """What a device said about itself: a setting for its record (the last value is kept) or an
    entry for its log."""

    device_id: int
    command: str
    pol_id: str
    name: str
    text: str
    data_time: dt.datetime | None
    setting: bool


@dataclass
class Outcome:
    """What a packet (or a whole chunk) produced."""

    rows: list[Row] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
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
        if packet.cn in VENDOR_HEARTBEATS:
            packet.violated("command_outside_standard", f"CN {packet.cn} is in no standard")
        if self.strict and packet.violations:
            outcome.rejects[f"strict_{packet.violations[0].name}"] += 1
            return
        if packet.cn in NOTICE_COMMANDS or packet.cn in VENDOR_HEARTBEATS:
            outcome.violations.update(packet.violation_counts())
            outcome.devices.add(known.id)
            self._reports(known.id, packet, outcome)
            if packet.wants_answer:
                outcome.answers.append(answer_notice(packet))
            return
        if packet.cn in ANSWER_COMMANDS:
            outcome.rejects[f"unasked_answer_{packet.cn}"] += 1
            return
        if packet.is_split:
            # Each part is stored and answered as it comes (C.50: the host answers every part
            # before the device sends the next); the set is joined to see it complete.
            if len(self.splits.pending) >= MAX_PENDING_SPLITS:
                self.splits.dropped += len(self.splits.pending)
                self.splits.pending.clear()
                outcome.rejects["split_overflow"] += 1
            self.splits.add(packet, self.clock())
        if packet.cn in REPORT_COMMANDS:
            outcome.violations.update(packet.violation_counts())
            outcome.devices.add(known.id)
            self._reports(known.id, packet, outcome)
            if packet.wants_answer:
                outcome.answers.append(answer_data(packet))
            return
        if packet.cn not in DATA_COMMANDS:
            four_digits = len(packet.cn) == 4 and packet.cn.isascii() and packet.cn.isdigit()
            named = f"unsupported_command_{packet.cn}" if four_digits else "unsupported_command"
            outcome.rejects[named] += 1
            return
        outcome.violations.update(packet.violation_counts())
        self._readings(known.id, packet, outcome)

    def _reports(self, device_id: int, packet: Packet, outcome: Outcome) -> None:
        """The settings and log entries of a packet, as `Report`s."""
        when = parse_data_time(packet.data_time)
        pol_id = packet.cp.get("PolId", "")[:20]

        def report(pol: str, name: str, text: str, setting: bool) -> None:
            outcome.reports.append(
                Report(
                    device_id, packet.cn, pol[:20], name[:20], text[:MAX_REPORT_TEXT], when, setting
                )
            )

        for name in SETTING_FIELDS.get(packet.cn, ()):
            if name in packet.cp:
                report(pol_id, name, packet.cp[name], True)
        for name in LOG_FIELDS.get(packet.cn, ()):
            if name in packet.cp:
                report(pol_id, name, packet.cp[name], False)
        for code, values in packet.factors.items():
            if "SN" in values:  # 3019: an instrument's serial number, under its factor
                report(code, "SN", values["SN"], True)
            if "Info" in values:
                # Appendix B.9: i?1xxx logs and i?2xxx states go to the log, the rest (i?3xxx
                # parameters, 2025's i23xxx serials) to the record.
                logged = len(code) == 6 and code[0] == "i" and code[2] in "12"
                report(pol_id, code, values["Info"].strip("/") or values["Info"], not logged)

    def _readings(self, device_id: int, packet: Packet, outcome: Outcome) -> None:
        when = parse_data_time(packet.data_time or packet.cp.get("AlarmTime", ""))
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
        self._reports(device_id, packet, outcome)
        outcome.devices.add(device_id)
        if packet.wants_answer:
            outcome.answers.append(answer_data(packet))
