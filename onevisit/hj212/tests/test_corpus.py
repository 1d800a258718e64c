"""Conformance over 190,449 packets captured from real monitoring devices (tests/data: source,
licence).

Every well-formed packet is accepted (and parses in lenient mode); exactly the 84 with a
wrong length (83) or a wrong CRC (1) are rejected.
"""

from __future__ import annotations

import tarfile
from collections import Counter
from pathlib import Path

import pytest

from onevisit.hj212 import FrameError, decode_frame, parse_segment

CORPUS = Path(__file__).resolve().parent / "data" / "realdata-2016-08-24.tar.xz"


def test_it_accepts_every_well_formed_real_packet_and_rejects_exactly_the_broken_ones() -> None:
    if not CORPUS.exists():
        pytest.fail(f"reference data missing: {CORPUS}")
    outcome: Counter[str] = Counter()
    with tarfile.open(CORPUS, "r:xz") as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member)
            if handle is None:
                continue
            for line in handle.read().split(b"\n"):
                if not line.startswith(b"##"):
                    continue
                try:
                    segment = decode_frame(line.rstrip(b"\r"))
                except FrameError as error:
                    outcome[error.reason] += 1
                    continue
                packet = parse_segment(segment)
                assert packet.mn and packet.cn, segment
                outcome["accepted"] += 1
    assert outcome == Counter({"accepted": 190_365, "length": 83, "crc": 1})
