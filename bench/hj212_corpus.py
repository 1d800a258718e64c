"""The real-device corpus through the receiver's session, command by command: what is
accepted, stored (readings, the device's record and log), answered, and counted by name.

Every MN of the corpus is taken as registered with the password the corpus uses (123456), so
that what is tallied is what the standard's rules and the session make of the packets; each
captured line is framed on its own. The table goes into docs/monitoring.md.

    uv run python bench/hj212_corpus.py [--strict]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import time
from collections import Counter, defaultdict

from hj212 import load

from onevisit.monitoring.session import KnownDevice, Session

COMMAND = re.compile(rb";CN=(\d*);")
DEVICE = re.compile(rb"MN=([^;]*);")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strict", action="store_true", help="the receiver's --strict mode")
    strict = parser.parse_args().strict
    frames = [line + b"\r\n" for line in load()]
    digest = hashlib.sha256(b"123456").hexdigest()
    devices = {
        found.group(1).decode("utf-8", "replace"): KnownDevice(n, digest, version=0)
        for n, found in enumerate(filter(None, map(DEVICE.search, frames)))
    }
    sent: Counter[str] = Counter()
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    session = Session(devices, strict=strict)
    started = time.perf_counter()
    for frame in frames:
        found = COMMAND.search(frame)
        command = found.group(1).decode() if found else "?"
        sent[command] += 1
        outcome = session.feed(frame)
        session.frames.buffer.clear()  # each line on its own, as captured from many devices
        counts = tally[command]
        counts["readings"] += len(outcome.rows)
        counts["record"] += sum(r.setting for r in outcome.reports)
        counts["log"] += sum(not r.setting for r in outcome.reports)
        counts["answers"] += len(outcome.answers)
        counts["accepted"] += bool(outcome.rows or outcome.reports or outcome.devices)
        for reason, count in outcome.rejects.items():
            counts[f"refused: {reason}"] += count
        for name, count in outcome.violations.items():
            counts[f"breach: {name}"] += count
    seconds = time.perf_counter() - started
    print(f"{len(frames):,} frames in {seconds:.1f} s ({len(frames) / seconds:,.0f}/s)")
    print("| CN | frames | accepted | readings | record | log | answers | counted by name |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for command in sorted(sent):
        counts = tally[command]
        named = ", ".join(
            f"{name} {count:,}"
            for name, count in sorted(counts.items())
            if name.startswith(("refused", "breach"))
        )
        print(
            f"| {command} | {sent[command]:,} | {counts['accepted']:,} | "
            f"{counts['readings']:,} | {counts['record']:,} | {counts['log']:,} | "
            f"{counts['answers']:,} | {named} |"
        )


if __name__ == "__main__":
    main()
