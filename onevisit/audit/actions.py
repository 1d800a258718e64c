"""Appending to the audit log. Every action of every app calls `record` inside its transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from onevisit.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from onevisit.lib.bulk import PlannedInsert, do_insert, plan_insert


def _jsonable(value: Any) -> Any:
    """A JSON-safe form of a field value, stable across databases."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of an instance (foreign keys as ids)."""
    names = set(fields) if fields is not None else None
    result: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        result[field.attname] = _jsonable(getattr(instance, field.attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or a named system process (import command, demo loader, worker)."""

    user_id: int | None
    name: str

    @classmethod
    def of(cls, user: Any) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(None, "anonymous")
        return cls(int(user.pk), str(user.get_username()))

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(None, f"system:{name}")


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    verb: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    return record_many(
        actor=actor,
        entries=[
            _entry_fields(obj, object_type, object_id, object_repr, action, verb, changes or {})
        ],
    )[0]


def _entry_fields(
    obj: models.Model | None,
    object_type: str,
    object_id: str,
    object_repr: str,
    action: str,
    verb: str,
    changes: dict[str, Any],
) -> dict[str, Any]:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return {
        "action": action,
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:300],
        "changes": json.loads(json.dumps(changes, default=str)),
    }


def record_many(*, actor: Actor, entries: list[dict[str, Any]]) -> list[AuditEntry]:
    """Append several entries in one go (imports write thousands)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries must be written inside the transaction they describe")
    return do_append_planned(plan_records(actor=actor, entries=entries))


@dataclass(frozen=True)
class PlannedRecords:
    """Entries chained onto the head as it was read, ready to append."""

    after_hash: str  # the head they were chained onto
    count: int
    insert: PlannedInsert[AuditEntry]


def plan_records(*, actor: Actor, entries: list[dict[str, Any]]) -> PlannedRecords:
    """Chain entries onto the newest one, reading only. Inside a transaction the head is locked
    first; outside, `do_append_planned` refuses the plan if the head has moved meanwhile."""
    if transaction.get_connection().in_atomic_block:
        head = _lock_head()
    else:
        head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
    now = timezone.now()
    prev = head.last_hash
    rows = []
    for fields in entries:
        entry = AuditEntry(at=now, actor_id=actor.user_id, actor_name=actor.name, **fields)
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        prev = entry.hash
        rows.append(entry)
    return PlannedRecords(head.last_hash, head.count, plan_insert(rows))


def do_append_planned(planned: PlannedRecords) -> list[AuditEntry]:
    """Append planned entries inside the caller's transaction and move the head past them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries must be written inside the transaction they describe")
    head = _lock_head()
    if (head.last_hash, head.count) != (planned.after_hash, planned.count):
        raise StaleAuditPlan("the audit log grew after these entries were chained")
    rows = list(do_insert(planned.insert))
    if rows:
        head.last_hash = rows[-1].hash
        head.count += len(rows)
        head.save(update_fields=["last_hash", "count"])
    return rows


class StaleAuditPlan(Exception):
    """Entries chained onto a head that has since moved: appending them would break the chain."""


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str
    # the newest signed checkpoint the chain agrees with: entries up to it are vouched for
    vouched_count: int = 0
    vouched_at: str = ""


def verify_chain() -> ChainReport:
    """Recompute every hash in order; name the first entry that does not fit; then hold the chain
    against the newest signed checkpoint.

    The head is read first: it names how many entries were committed, and appends are
    serialised by the head's lock, so the first `count` entries by id are exactly those, however
    many are written while this runs (no false "missing at the end")."""
    from onevisit.audit.checkpoints import CheckpointBroken, hash_at, newest_checkpoint

    head = AuditHead.objects.filter(pk=1).first()
    expected, last_hash = (head.count, head.last_hash) if head else (0, GENESIS_HASH)
    prev = GENESIS_HASH
    checked = 0
    entries = AuditEntry.objects.order_by("id")[:expected]
    for entry in entries.iterator(chunk_size=5000):
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.pk, "previous hash does not match the entry before")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.pk, "content does not match its hash")
        prev = entry.hash
        checked += 1
    if prev != last_hash or checked != expected:  # (no entries at all: the slice [:0] is empty)
        return ChainReport(checked, None, "entries are missing at the end of the log")
    try:
        point = newest_checkpoint()
    except CheckpointBroken as error:
        return ChainReport(checked, None, str(error))
    if point is None:
        return ChainReport(checked, None, "")
    if point.count > checked or hash_at(point.count) != point.hash:
        return ChainReport(
            checked,
            None,
            f"the log does not match the checkpoint signed at {point.at} ({point.count} "
            "entries): entries were deleted or the chain was rewritten",
        )
    return ChainReport(checked, None, "", point.count, point.at)
