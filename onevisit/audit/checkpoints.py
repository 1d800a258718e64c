"""Signed checkpoints anchor the audit chain outside the database.

Each entry and the head are sealed with a key kept outside the database (`keys.py`), so a
database writer cannot add, edit or re-chain an entry that verifies. What the seals cannot show is
that the newest entries were removed together with the head, or that everything was: only a record
kept elsewhere can. A checkpoint records the chain's length and the hash of its newest entry,
signed with the audit key, and is appended to a file (`ONEVISIT_AUDIT_CHECKPOINTS`) and to each
copy (`ONEVISIT_AUDIT_CHECKPOINT_COPIES`): another machine, write-once storage. The worker writes
one every `ONEVISIT_AUDIT_CHECKPOINT_MINUTES` (`schedule_checkpoints`); `onevisit audit
checkpoint` writes one at once.

`verify` holds the chain against the newest checkpoint found in any of the files: entries up to
it are vouched for by the signature. A file that is missing, cut short or not validly signed
while another holds checkpoints is reported, and a chain without any checkpoint is not vouched
for at all.

One checkpoint is one JSON line: {"count", "hash", "at", "suite", "signature"}: the signature
(base64; SM2 under gm, Ed25519 under intl) covers the canonical JSON of the others. A line
without "suite" was signed with the intl key before the suites were named.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onevisit.audit.keys import audit_keys, private_key
from onevisit.audit.models import AuditHead
from onevisit.lib.gm import INTL
from onevisit.lib.signing import Signer


def checkpoints_path() -> Path:
    return Path(
        settings.ONEVISIT_AUDIT_CHECKPOINTS or Path(settings.DATA_DIR) / "audit-checkpoints.jsonl"
    )


def checkpoint_paths() -> list[Path]:
    """The checkpoint file and each of its copies."""
    copies = [Path(p.strip()) for p in settings.ONEVISIT_AUDIT_CHECKPOINT_COPIES.split(",")]
    return [checkpoints_path(), *(p for p in copies if str(p) not in {"", "."})]


def _signed_part(point: dict[str, Any]) -> bytes:
    body = {k: point[k] for k in ("count", "hash", "at", "suite") if k in point}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def signed_part_of_line(line: str) -> bytes:
    """What a checkpoint line's signature covers (for a verifier of its own)."""
    return _signed_part(json.loads(line))


def suite_of_line(line: str) -> str | None:
    """The suite that signed a checkpoint line (None if it is not one)."""
    try:
        point = json.loads(line)
    except ValueError:
        return None
    return str(point.get("suite", INTL)) if isinstance(point, dict) else None


def _signature_holds(key: Signer, point: dict[str, Any]) -> bool:
    if str(point.get("suite", INTL)) != key.suite:
        return False
    return key.signed(_signed_part(point), base64.b64decode(point["signature"], validate=True))


@dataclass(frozen=True)
class Checkpoint:
    count: int
    hash: str
    at: str


class CheckpointNotWritten(OSError):
    """A checkpoint file or copy could not be written; the others were."""


def write_checkpoint() -> Checkpoint:
    """Sign the chain's current length and newest hash; append it to the file and its copies."""
    with transaction.atomic():
        head = AuditHead.objects.filter(pk=1).first()
        count, last = (head.count, head.last_hash) if head else (0, "0" * 64)
    key = private_key()
    point: dict[str, Any] = {
        "count": count,
        "hash": last,
        "at": timezone.now().isoformat(),
        "suite": key.suite,
    }
    signature = key.sign(_signed_part(point))
    point["signature"] = base64.b64encode(signature).decode("ascii")
    failed = []
    for path in checkpoint_paths():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(point, sort_keys=True) + "\n")
        except OSError as error:
            failed.append(f"{path}: {error.strerror}")
    if failed:
        raise CheckpointNotWritten("checkpoint not written to " + "; ".join(failed))
    return Checkpoint(count, last, point["at"])


@dataclass
class Reading:
    """What the checkpoint files hold: the newest valid checkpoint of any of them, and what is
    wrong with any of them."""

    newest: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)


def read_checkpoints() -> Reading:
    reading = Reading()
    found: dict[Path, list[Checkpoint]] = {}
    for path in checkpoint_paths():
        if not path.exists():
            reading.problems.append(f"the checkpoint file {path} is missing")
            continue
        points, problem = _read_file(path)
        if problem:
            reading.problems.append(problem)
        found[path] = points
    every = [point for points in found.values() for point in points]
    if every:
        reading.newest = max(every, key=lambda p: (p.count, p.at))
    for path, points in found.items():
        if reading.newest and (not points or points[-1].at < reading.newest.at):
            newest = points[-1].at if points else "none"
            reading.problems.append(
                f"the checkpoint file {path} ends at {newest}, before the newest checkpoint "
                f"({reading.newest.at}) in another copy: it was cut short or not written"
            )
    if not every:  # nothing anywhere: `verify` says so once, not once per file
        reading.problems = [p for p in reading.problems if "is missing" not in p]
    return reading


def _read_file(path: Path) -> tuple[list[Checkpoint], str]:
    points: list[Checkpoint] = []
    keys = audit_keys()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if not any(signed_by(key, line) for key in keys):
            return points, f"line {number} of {path} is not a validly signed checkpoint"
        point = json.loads(line)
        found = Checkpoint(int(point["count"]), str(point["hash"]), str(point["at"]))
        if points and found.count < points[-1].count:
            return points, (
                f"line {number} of {path} counts fewer entries ({found.count}) than the "
                f"checkpoint before it ({points[-1].count}): the log was cut back in between"
            )
        points.append(found)
    return points, ""


def signed_by(key: Signer, line: str) -> bool:
    """Whether a checkpoint line is well formed and carries `key`'s signature."""
    try:
        point = json.loads(line)
        int(point["count"]), str(point["hash"]), str(point["at"])
        return _signature_holds(key, point)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def checkpoint_age(point: Checkpoint) -> dt.timedelta:
    return timezone.now() - dt.datetime.fromisoformat(point.at)
