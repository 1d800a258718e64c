"""HJ 212-2017 and HJ 212-2025 framing, parsing and answers.

A packet on the wire is ``##`` + 4-digit length + data segment + 4 hex digits of CRC + CRLF.
The length counts the bytes of the UTF-8 data segment. The CRC is the standard's appendix
algorithm (not CRC-16/MODBUS): reg = 0xFFFF; per byte b: reg = (reg >> 8) ^ b, then 8
rounds of shift right, xor 0xA001 when a 1 falls out. It is compared case-insensitively.

Real devices break the standard (2005-era factor codes, 17-digit DataTime, no QN), so the
parser has a lenient mode that returns the data with the list of what it broke, each violation
under a stable name for counting; the strict mode refuses the packet on the first violation.

What strict mode holds to (HJ 212-2017 §6): a data segment of at most 1,024 bytes and a CP of
at most 950 characters; a frame ending in CR LF; QN a real time (YYYYMMDDhhmmsszzz); ST a number
or a letter and a digit (A0–Z9); MN 24 characters of 0–9 and A–F; Flag 0–255; each field once;
nothing after CP's closing `&&`; a `;` closing the header; no spaces around a field's name or
value; factor codes of table B (a letter and five digits, or the noise codes of table B.3).
Every example of appendix C passes, apart from its printed typos, each listed with its reason in
`hj212/tests/appendix_c.py`.

HJ 212-2025 keeps the frame, the CRC and the fields; a packet names its version in the upper six
bits of Flag (2017: 000001, so Flag 4/5; 2025: 000010, so Flag 8/9) and every answer carries the
version of the packet it answers. The 2025 text was not at hand: what is implemented for it
follows the peer implementation caoyiliang/HJ212 (HJ212/Enum.cs `Version`, HJ212/Request/*.cs,
Test/Program.cs): Flag=9 requests, Flag=8 answers; the heartbeat 9015, the data logger's
hardware serial numbers 1001 (i23005–i23008-Info) and the key request 1014 (SKCreateTime), each
answered with 9013 (notification answer) when its Flag asks; the furnace temperature 2111 and
the data logger's start time 2081 answered with 9014 like data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_DATA_LENGTH = 9999  # four decimal digits of length: what a lenient receiver takes
STANDARD_MAX_DATA_LENGTH = 1024  # §6.1: the data segment holds 0 to 1,024 bytes
MAX_CP_LENGTH = 950  # §6.3: CP holds at most 950 characters
HEADER = b"##"

VERSION_2005 = 0
VERSION_2017 = 1
VERSION_2025 = 2
STANDARDS = {
    VERSION_2005: "HJ/T 212-2005",
    VERSION_2017: "HJ 212-2017",
    VERSION_2025: "HJ 212-2025",
}


class FrameError(ValueError):
    """The bytes are not one well-formed frame. `reason` is a short stable code for counting."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class ParseError(ValueError):
    """A data segment that breaks the standard, in strict mode."""


@dataclass(frozen=True)
class Violation:
    """One way a packet breaks the standard: `name` is stable (for counting), `detail` says it
    for a reader."""

    name: str
    detail: str

    def __str__(self) -> str:
        return self.detail


def crc16_bitwise(data: bytes) -> int:
    """The appendix algorithm as written, one bit at a time (the reference for the table)."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ byte
        for _ in range(8):
            carry = reg & 1
            reg >>= 1
            if carry:
                reg ^= 0xA001
    return reg


def _table() -> tuple[int, ...]:
    entries = []
    for value in range(256):
        reg = value
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        entries.append(reg)
    return tuple(entries)


_TABLE = _table()


def crc16(data: bytes) -> int:
    """The same CRC through a 256-entry table: (reg >> 8) ^ b, then the 8 rounds at once."""
    reg = 0xFFFF
    table = _TABLE
    for byte in data:
        reg = (reg >> 8) ^ byte
        reg = (reg >> 8) ^ table[reg & 0xFF]
    return reg


def encode_frame(segment: str, *, strict: bool = False) -> bytes:
    """One frame around `segment`. Strict, the segment may hold at most the standard's 1,024
    bytes (§6.3.1); otherwise up to the 9,999 that four digits of length can say."""
    data = segment.encode("utf-8")
    limit = STANDARD_MAX_DATA_LENGTH if strict else MAX_DATA_LENGTH
    if len(data) > limit:
        raise FrameError("too_long", f"data segment of {len(data)} bytes (at most {limit:,})")
    return b"%s%04d%s%04X\r\n" % (HEADER, len(data), data, crc16(data))


def decode_frame(frame: bytes, *, strict: bool = False) -> str:
    """The data segment of one frame, or FrameError. Strict: the frame must end in CR LF."""
    if frame.endswith(b"\r\n"):
        frame = frame[:-2]
    elif strict:
        raise FrameError("crlf", "the frame does not end in CR LF")
    elif frame.endswith(b"\n"):
        frame = frame[:-1]
    if not frame.startswith(HEADER):
        raise FrameError("header", "does not start with ##")
    digits = frame[2:6]
    if len(digits) < 4 or not digits.isdigit():
        raise FrameError("length", f"length field {digits!r} is not 4 digits")
    declared = int(digits)
    data, crc_text = frame[6:-4], frame[-4:]
    if len(frame) < 10 or len(data) != declared:
        raise FrameError("length", f"declares {declared} bytes, carries {max(len(data), 0)}")
    try:
        received = int(crc_text, 16)
    except ValueError:
        raise FrameError("crc", f"CRC field {crc_text!r} is not hexadecimal") from None
    if received != crc16(data) or not re.fullmatch(rb"[0-9A-Fa-f]{4}", crc_text):
        raise FrameError("crc", f"CRC {crc_text.decode('ascii', 'replace')} does not match")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError("encoding", "data segment is not UTF-8") from None


FACTOR_2017 = re.compile(r"^[a-z]\d{5}$")
# table B.3: the noise factors, named by their measure rather than by a number
NOISE_CODES = frozenset(
    {"LA", "L5", "L10", "L50", "L90", "L95", "Leq", "Ldn", "Ld", "Ln", "LMx", "LMn"}
)
EQUIPMENT = re.compile(r"^SB\d+$")
QN_RE = re.compile(r"^\d{17}$")
TIME_RE = re.compile(r"^\d{14}$")
ST_RE = re.compile(r"^(\d\d|[A-Z]\d)$")  # §6.6.1: two characters; A0–Z9 for local systems
CN_RE = re.compile(r"^[1239]\d{3}$")  # §6.6.5: four digits in the groups 1xxx, 2xxx, 3xxx, 9xxx
MN_RE = re.compile(r"^[0-9A-F]{24}$")
DATA_FLAG_RE = re.compile(r"^[A-Z0-9]$")  # table 4: xxxxxx-Flag, C1 of A-Z/0-9 (table 8)
EFLAG_RE = re.compile(r"^[A-Z0-9]{1,4}$")  # table 4: xxxxxx-EFlag, C4
MAX_PART_DIGITS = 4  # table 3: "PNUM=" in 9 characters, "PNO=" in 8
# Table 4: the kinds a factor's value may carry after its code ("w01018-Rtd"). HJ 212-2025 adds
# the raw-data and standard-check kinds of its 2013 and 2062 uploads (caoyiliang/HJ212).
KINDS_2017 = frozenset(
    {
        "Rtd", "Min", "Avg", "Max", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax", "Flag", "EFlag", "Cou",
        "SampleTime", "RS", "RT", "Data", "DayData", "NightData", "Info", "SN",
    }
)  # fmt: skip
KINDS_2025 = KINDS_2017 | {"CompleteTime", "SampleType", "SampleRd", "StandardValue", "ResultType"}
# Table 4: the CP fields that carry a time, each YYYYMMDDhhmmss (N14)
TIME_FIELDS = ("SystemTime", "RestartTime", "BeginTime", "EndTime")
# Table 4: the plain CP fields of fixed form, with the pattern their value must match
FIELD_FORMS = {
    "QnRtn": re.compile(r"^\d{1,3}$"),
    "ExeRtn": re.compile(r"^\d{1,3}$"),
    "RtdInterval": re.compile(r"^\d{1,4}$"),
    "MinInterval": re.compile(r"^\d{1,2}$"),
    "OverTime": re.compile(r"^\d{1,2}$"),
    "ReCount": re.compile(r"^\d{1,2}$"),
    "VaseNo": re.compile(r"^\d{1,2}$"),
    "CstartTime": re.compile(r"^\d{6}$"),
    "CTime": re.compile(r"^\d{1,2}$"),
    "Stime": re.compile(r"^\d{1,4}$"),
    "PolId": re.compile(r"^[0-9a-zA-Z]{1,6}$"),
    "InfoId": re.compile(r"^[0-9a-z]{1,6}$"),
    "NewPW": re.compile(r"^[0-9a-zA-Z]{1,6}$"),
}


@dataclass
class Packet:
    """A parsed data segment. Unknown fields are kept, never dropped."""

    qn: str = ""
    st: str = ""
    cn: str = ""
    pw: str = ""
    mn: str = ""
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    rf: int | None = None  # HJ 212-2025: 1 marks a packet sent again
    data_time: str = ""
    cp: dict[str, str] = field(default_factory=dict)
    factors: dict[str, dict[str, str]] = field(default_factory=dict)
    equipment: dict[str, dict[str, str]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    def violated(self, name: str, detail: str) -> None:
        self.violations.append(Violation(name, detail))

    def violation_counts(self) -> Counter[str]:
        return Counter(v.name for v in self.violations)

    @property
    def wants_answer(self) -> bool:
        """Flag bit A: the sender waits for an answer."""
        return self.flag is not None and bool(self.flag & 1)

    @property
    def is_split(self) -> bool:
        """Flag bit D: the packet is one of PNUM parts, numbered PNO."""
        return self.flag is not None and bool(self.flag & 2)

    @property
    def resent(self) -> bool:
        """HJ 212-2025 RF=1: the device sends again what it sent before."""
        return self.rf == 1

    @property
    def version(self) -> int | None:
        """The flag's upper bits: 0 HJ/T 212-2005, 1 HJ 212-2017, 2 HJ 212-2025."""
        return None if self.flag is None else self.flag >> 2


def _split_header(segment: str, packet: Packet) -> tuple[str, str]:
    start = segment.find("CP=&&")
    if start < 0:
        raise ParseError("no CP=&&…&& command parameters")
    end = segment.rfind("&&")
    if end < start + 5:
        raise ParseError("CP is not closed by &&")
    after = segment[end + 2 :]
    if after:
        packet.violated("text_after_cp", f"text after CP's closing &&: {after[:40]!r}")
    if start and not segment[:start].endswith(";"):
        packet.violated("header_separator", "no ';' between the last header field and CP")
    return segment[:start], segment[start + 5 : end]


def _int_field(value: str, name: str, packet: Packet) -> int | None:
    if value.isascii() and value.isdigit():
        if name in ("PNUM", "PNO") and len(value) > MAX_PART_DIGITS:
            packet.violated(f"{name.lower()}_too_long", f"{name} has more than 4 characters")
        return int(value)
    packet.violated(f"{name.lower()}_not_a_number", f"{name} is not a number: {value!r}")
    return None


def _parse_header(header: str, packet: Packet) -> None:
    seen: set[str] = set()
    for item in header.split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            packet.violated("header_item", f"header item without '=': {item!r}")
            continue
        if key != key.strip() or value != value.strip():
            packet.violated("header_whitespace", f"spaces around header field {key.strip()}")
            key, value = key.strip(), value.strip()
        if key in seen:
            packet.violated("duplicate_field", f"{key} is given twice")
        seen.add(key)
        if key == "QN":
            packet.qn = value
        elif key == "ST":
            packet.st = value
        elif key == "CN":
            packet.cn = value
        elif key == "PW":
            packet.pw = value
        elif key == "MN":
            packet.mn = value
        elif key == "Flag":
            packet.flag = _int_field(value, "Flag", packet)
        elif key == "PNUM":
            packet.pnum = _int_field(value, "PNUM", packet)
        elif key == "PNO":
            packet.pno = _int_field(value, "PNO", packet)
        elif key == "RF":
            packet.rf = _int_field(value, "RF", packet)
        else:
            packet.violated("unknown_field", f"unknown header field {key!r}")


def _parse_cp(cp: str, packet: Packet) -> None:
    if len(cp) > MAX_CP_LENGTH:
        packet.violated("cp_too_long", f"CP has {len(cp)} characters (at most {MAX_CP_LENGTH})")
    seen: set[str] = set()
    old_codes: set[str] = set()
    for group in cp.split(";"):
        for item in group.split(","):
            if not item:
                continue
            key, sep, value = item.partition("=")
            if key != key.strip() or value != value.strip():
                packet.violated("cp_whitespace", f"spaces around CP item {item.strip()!r}")
                key, value = key.strip(), value.strip()
                if not key and not sep:
                    continue
            if not sep:
                packet.violated("cp_item", f"CP item without '=': {item!r}")
                continue
            if key in seen:
                packet.violated("duplicate_field", f"{key} is given twice in CP")
            seen.add(key)
            code, dash, kind = key.partition("-")
            if not dash:
                packet.cp[key] = value
                if key == "DataTime":
                    packet.data_time = value
                continue
            if EQUIPMENT.match(code):
                packet.equipment.setdefault(code, {})[kind] = value
                continue
            if not FACTOR_2017.match(code) and code not in NOISE_CODES and code not in old_codes:
                old_codes.add(code)
                packet.violated("factor_code_2005", f"2005-style factor code {code}")
            packet.factors.setdefault(code, {})[kind] = value


BEIJING = dt.timezone(dt.timedelta(hours=8))  # HJ 212 times are Beijing time


def parse_time(text: str) -> dt.datetime | None:
    """YYYYMMDDhhmmss (and whatever follows: QN's milliseconds, some devices' DataTime) as a
    Beijing time, or None. By hand: strptime costs more than the rest of the packet."""
    digits = text[:14]
    if len(digits) != 14 or not digits.isascii() or not digits.isdigit():
        return None
    try:
        return dt.datetime(
            int(digits[0:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
            tzinfo=BEIJING,
        )
    except ValueError:
        return None


def _check(packet: Packet, length: int) -> None:
    if length > STANDARD_MAX_DATA_LENGTH:
        packet.violated("segment_too_long", f"data segment of {length} bytes (at most 1,024)")
    if not packet.qn:
        packet.violated("missing_qn", "missing QN")
    elif not QN_RE.match(packet.qn):
        packet.violated("qn_format", f"QN {packet.qn!r} is not 17 digits (YYYYMMDDhhmmsszzz)")
    elif parse_time(packet.qn) is None:
        packet.violated("qn_not_a_time", f"QN {packet.qn!r} is not a real time")
    if not ST_RE.match(packet.st):
        packet.violated("st_format", f"ST {packet.st!r} is not a system code of two characters")
    if not CN_RE.match(packet.cn):
        packet.violated("cn_format", f"CN {packet.cn!r} is not a command code of four digits")
    if not MN_RE.match(packet.mn):
        packet.violated("mn_format", f"MN {packet.mn!r} is not 24 characters of 0-9 and A-F")
    if len(packet.pw) > 6:
        packet.violated("pw_too_long", "PW is longer than 6 characters")
    if packet.flag is None:
        packet.violated("missing_flag", "missing Flag")
    elif packet.flag > 255:
        packet.violated("flag_range", f"Flag {packet.flag} is above 255")
    elif packet.version not in (VERSION_2017, VERSION_2025):
        packet.violated(
            "flag_version",
            f"Flag {packet.flag} names version {packet.version}, neither 2017 (1) nor 2025 (2)",
        )
    if packet.data_time and not TIME_RE.match(packet.data_time):
        packet.violated(
            "datatime_format",
            f"DataTime has {len(packet.data_time)} digits (expected 14, YYYYMMDDhhmmss)",
        )
    elif packet.data_time and parse_time(packet.data_time) is None:
        packet.violated("datatime_not_a_time", f"DataTime {packet.data_time} is not a real time")
    if packet.is_split and (packet.pnum is None or packet.pno is None):
        packet.violated("split_numbers", "Flag says split packet but PNUM/PNO are missing")
    _check_parts(packet)
    if packet.rf is not None and (packet.version != VERSION_2025 or packet.rf > 1):
        packet.violated("rf_field", "RF is a field of HJ 212-2025, and only 0 or 1")
    _check_fields(packet)


def _check_parts(packet: Packet) -> None:
    """Table 3: PNUM counts the parts (at least 1) and PNO numbers this one, from 1 to PNUM."""
    if packet.pnum is not None and packet.pnum < 1:
        packet.violated("pnum_range", f"PNUM {packet.pnum} is below 1")
    if packet.pno is not None and (
        packet.pno < 1 or (packet.pnum is not None and packet.pno > packet.pnum)
    ):
        packet.violated("pno_range", f"PNO {packet.pno} is not a part of 1 to PNUM {packet.pnum}")


def _check_fields(packet: Packet) -> None:
    """Table 4: each CP field and each value kind in its own form."""
    for name in TIME_FIELDS:
        value = packet.cp.get(name)
        if value is not None and (not TIME_RE.match(value) or parse_time(value) is None):
            packet.violated("time_format", f"{name} {value!r} is not a time YYYYMMDDhhmmss")
    for name, form in FIELD_FORMS.items():
        value = packet.cp.get(name)
        if value is not None and not form.match(value):
            packet.violated("field_format", f"{name} {value!r} is not in the form of table 4")
    kinds = KINDS_2025 if packet.version == VERSION_2025 else KINDS_2017
    for code, values in packet.factors.items():
        for kind, value in values.items():
            if kind not in kinds:
                packet.violated("unknown_kind", f"{code}-{kind} is not a field of table 4")
            elif kind == "Flag" and not DATA_FLAG_RE.match(value):
                packet.violated("data_flag_format", f"{code}-Flag {value!r} is not one character")
            elif kind == "EFlag" and not EFLAG_RE.match(value):
                packet.violated("eflag_format", f"{code}-EFlag {value!r} is not 1 to 4 characters")
            elif kind == "SampleTime" and (not TIME_RE.match(value) or parse_time(value) is None):
                packet.violated("time_format", f"{code}-SampleTime {value!r} is not a time")


def parse_segment(segment: str, *, strict: bool = False) -> Packet:
    """Parse a data segment; strict mode raises ParseError on the first violation."""
    packet = Packet()
    header, cp = _split_header(segment, packet)
    _parse_header(header, packet)
    _parse_cp(cp, packet)
    _check(packet, len(segment.encode("utf-8")))
    if strict and packet.violations:
        raise ParseError(str(packet.violations[0]))
    return packet


def parse(frame: bytes, *, strict: bool = False) -> Packet:
    """Decode and parse one frame. Lenient, a frame without its CR LF is a violation too."""
    if strict:
        return parse_segment(decode_frame(frame, strict=True), strict=True)
    packet = parse_segment(decode_frame(frame))
    if not frame.endswith(b"\r\n"):
        packet.violated("no_crlf", "the frame does not end in CR LF")
    return packet


def answer_version(request: Packet) -> int:
    """An answer speaks the version of the packet it answers: 2025 to 2025, else 2017."""
    return VERSION_2025 if request.version == VERSION_2025 else VERSION_2017


def _answer(request: Packet, cn: str, cp: str) -> bytes:
    flag = answer_version(request) << 2
    segment = (
        f"QN={request.qn};ST=91;CN={cn};PW={request.pw};MN={request.mn};Flag={flag};CP=&&{cp}&&"
    )
    return encode_frame(segment)


def answer_request(request: Packet, accepted: bool = True) -> bytes:
    """9011: the request was received (QnRtn=1 ready to execute, 2 refused)."""
    return _answer(request, "9011", f"QnRtn={1 if accepted else 2}")


def answer_result(request: Packet, succeeded: bool = True) -> bytes:
    """9012: the result of executing a request (ExeRtn=1 success, 2 failure)."""
    return _answer(request, "9012", f"ExeRtn={1 if succeeded else 2}")


def answer_notice(request: Packet) -> bytes:
    """9013: a notification (a time request, a heartbeat, serial numbers) was received."""
    return _answer(request, "9013", "")


def answer_data(request: Packet) -> bytes:
    """9014: a data upload was received; sent only when the packet's Flag asks for it."""
    return _answer(request, "9014", "")


class FrameBuffer:
    """Cuts frames out of a byte stream, whatever the TCP segmentation.

    Bytes before a ``##`` are skipped and counted; a declared length above `max_length`
    or a frame that does not check out is reported and the stream resynchronises at the
    next ``##``.
    """

    def __init__(self, max_length: int = MAX_DATA_LENGTH) -> None:
        self.max_length = max_length
        self.buffer = bytearray()
        self.rejects: dict[str, int] = {}

    def _reject(self, reason: str) -> None:
        self.rejects[reason] = self.rejects.get(reason, 0) + 1

    def feed(self, chunk: bytes) -> Iterator[str]:
        """Yield the data segments of every complete, valid frame now in the buffer."""
        self.buffer += chunk
        while True:
            start = self.buffer.find(HEADER)
            if start < 0:
                if len(self.buffer) > 1:
                    self._reject("garbage")
                    del self.buffer[:-1]  # keep a possible first '#'
                return
            if start > 0:
                self._reject("garbage")
                del self.buffer[:start]
            if len(self.buffer) < 6:
                return
            digits = bytes(self.buffer[2:6])
            if not digits.isdigit() or int(digits) > self.max_length:
                self._reject("length")
                del self.buffer[:2]
                continue
            total = 6 + int(digits) + 4
            if len(self.buffer) < total:
                # A data segment never holds CR or LF: a line end inside the frame still
                # being awaited means the header was false, so resynchronise now rather
                # than swallow the frames behind it.
                if self.buffer.find(b"\n", 6) >= 0:
                    self._reject("length")
                    del self.buffer[:2]
                    continue
                return
            frame = bytes(self.buffer[:total])
            try:
                segment = decode_frame(frame)
            except FrameError as error:
                self._reject(error.reason)
                del self.buffer[:2]
                continue
            del self.buffer[:total]
            while self.buffer and self.buffer[0] in (0x0D, 0x0A):
                del self.buffer[:1]
            yield segment


@dataclass
class _PartSet:
    started: float
    parts: dict[int, Packet] = field(default_factory=dict)
    data_time: str = ""


class Reassembler:
    """Joins split packets (Flag bit D): the PNUM parts, numbered PNO, that one device sends for
    one command; a set is whole when it holds each of the parts 1 to PNUM, and a part numbered
    outside them is dropped. In the standard's own examples (appendix C, tables C.49 and C.50)
    each part carries its own QN, so parts are matched by MN, ST, CN and PNUM, never by QN. A
    part whose number the pending set already holds starts a new set (the old one is dropped as
    incomplete), and a set whose parts stop coming is dropped `expire_after` seconds after its
    first part."""

    def __init__(self, expire_after: float = 600.0) -> None:
        self.expire_after = expire_after
        self.pending: dict[tuple[str, str, str, int], _PartSet] = {}
        self.dropped = 0  # incomplete sets given up, since the last look

    def add(self, packet: Packet, now: float = 0.0) -> Packet | None:
        """The whole packet once every part has arrived; None while parts are missing. A part
        without a DataTime takes its set's."""
        if not packet.is_split or packet.pnum is None or packet.pno is None:
            return packet
        if not 1 <= packet.pno <= packet.pnum:  # no set has such a part: it never completes one
            self.dropped += 1
            return None
        key = (packet.mn, packet.st, packet.cn, packet.pnum)
        found = self.pending.get(key)
        if found is None or packet.pno in found.parts:
            if found is not None:
                self.dropped += 1
            found = self.pending[key] = _PartSet(started=now)
        found.parts[packet.pno] = packet
        found.data_time = found.data_time or packet.data_time
        packet.data_time = packet.data_time or found.data_time
        if len(found.parts) < packet.pnum:  # every part is in 1..PNUM: all there when PNUM held
            return None
        del self.pending[key]
        return _joined(packet, [found.parts[n] for n in sorted(found.parts)])

    def expire(self, now: float) -> int:
        """Drop the sets started more than `expire_after` seconds before `now`; how many."""
        stale = [k for k, v in self.pending.items() if now - v.started > self.expire_after]
        for key in stale:
            del self.pending[key]
        self.dropped += len(stale)
        dropped, self.dropped = self.dropped, 0
        return dropped


def _joined(last: Packet, ordered: list[Packet]) -> Packet:
    whole = Packet(
        qn=ordered[0].qn,
        st=last.st,
        cn=last.cn,
        pw=last.pw,
        mn=last.mn,
        flag=last.flag,
        pnum=last.pnum,
        pno=None,
    )
    for part in ordered:
        whole.cp.update(part.cp)
        whole.data_time = whole.data_time or part.data_time
        for code, values in part.factors.items():
            whole.factors.setdefault(code, {}).update(values)
        for code, values in part.equipment.items():
            whole.equipment.setdefault(code, {}).update(values)
        whole.violations.extend(v for v in part.violations if v not in whole.violations)
    return whole
