"""HJ 212 codec throughput on one core over the real corpus (onevisit/hj212/tests/data).

Prints packets/s for the CRC alone (table against the bit-by-bit appendix loop, the
baseline) and for the full frame check plus lenient parse.

    uv run python bench/hj212.py
"""

from __future__ import annotations

import tarfile
import time

from _common import ROOT

from onevisit.hj212 import FrameError, crc16, crc16_bitwise, decode_frame, parse_segment

CORPUS = ROOT / "onevisit" / "hj212" / "tests" / "data" / "realdata-2016-08-24.tar.xz"


def load() -> list[bytes]:
    lines: list[bytes] = []
    with tarfile.open(CORPUS, "r:xz") as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member)
            if handle is not None:
                lines += [
                    line.rstrip(b"\r")
                    for line in handle.read().split(b"\n")
                    if line.startswith(b"##")
                ]
    return lines


def rate(label: str, count: int, seconds: float) -> float:
    per_second = count / seconds
    print(f"{label:44} {count:>8,} packets {seconds:6.2f} s {per_second:>10,.0f} packets/s")
    return per_second


def main() -> None:
    packets = load()
    segments = [p[6:-4] for p in packets]
    started = time.perf_counter()
    for data in segments:
        crc16(data)
    table = rate("CRC, 256-entry table", len(segments), time.perf_counter() - started)
    sample = segments[:20_000]
    started = time.perf_counter()
    for data in sample:
        crc16_bitwise(data)
    bitwise = rate("CRC, bit by bit (baseline)", len(sample), time.perf_counter() - started)
    print(f"{'table against bit by bit':44} {table / bitwise:.1f}x")
    started = time.perf_counter()
    accepted = rejected = 0
    for frame in packets:
        try:
            parse_segment(decode_frame(frame))
            accepted += 1
        except FrameError:
            rejected += 1
    rate("frame check + lenient parse", len(packets), time.perf_counter() - started)
    print(f"accepted {accepted:,}, rejected {rejected:,}")


if __name__ == "__main__":
    main()
