"""Appending to the audit log. Every action of every app calls `record` inside its transaction."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from onevisit.audit.keys import audit_keys, seal, sealed
from onevisit.audit.models import GENESIS_HASH, AuditEntry, AuditHead, QuarantinedEntry
from onevisit.lib.bulk import PlannedInsert, do_insert, plan_insert

logger = logging.getLogger(__name__)


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
        entry.suite = settings.ONEVISIT_CRYPTO_SUITE
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        entry.seal = seal(entry.hash)
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
    if AuditEntry.objects.filter(prev_hash=head.last_hash).exists():
        _set_aside_rows_beyond(head)
    rows = list(do_insert(planned.insert))
    if rows:
        head.last_hash = rows[-1].hash
        head.count += len(rows)
        head.seal = seal(head.state())
        head.save(update_fields=["last_hash", "count", "seal"])
    return rows


def _set_aside_rows_beyond(head: AuditHead) -> None:
    """Rows chained onto the head that no append of onevisit wrote (it moves the head in the
    same transaction): a forger's. Set them aside whole, so that this append, and every later
    one, goes on; `audit verify` reports them."""
    last = AuditEntry.objects.filter(hash=head.last_hash).values_list("id", flat=True).first()
    beyond = AuditEntry.objects.filter(id__gt=last or 0) if head.count else AuditEntry.objects
    found = timezone.now()
    rows = list(beyond.order_by("id").values())
    QuarantinedEntry.objects.bulk_create(
        [QuarantinedEntry(found=found, row=_jsonable(row)) for row in rows]
    )
    beyond.filter(id__in=[row["id"] for row in rows]).delete()
    logger.error(
        "audit log: %s row(s) beyond the head, not written by onevisit, set aside (ids %s)",
        len(rows),
        ", ".join(str(row["id"]) for row in rows),
    )


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
    # entries written before entries were sealed (vouched for by the chain and checkpoints only)
    unsealed: int = 0
    # what is wrong with a copy of the checkpoints while another copy vouches for the log
    warnings: tuple[str, ...] = ()


def verify_chain() -> ChainReport:
    """Recompute every hash and seal in order; name the first entry that does not fit; then
    hold the chain against its head and the newest signed checkpoint.

    The head is read first: it names how many entries were committed, and appends are
    serialised by the head's lock, so the entry at that position must carry the head's hash
    however many are written while this runs; later entries are appends in flight, which their
    seals vouch for."""
    from onevisit.audit.checkpoints import read_checkpoints

    head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
    reading = read_checkpoints()
    point = reading.newest
    walk = _walk_entries({head.count, point.count if point else 0})
    if walk.broken is not None:
        return ChainReport(walk.checked, walk.broken.pk, walk.reason, unsealed=walk.unsealed)
    end = _check_end(head, walk)
    if end:
        return ChainReport(walk.checked, None, end, unsealed=walk.unsealed)
    set_aside = QuarantinedEntry.objects.order_by("id").first()
    if set_aside is not None:
        reason = (
            f"{QuarantinedEntry.objects.count()} row(s) not written by onevisit were found "
            f"appended to the log and set aside on {set_aside.found.isoformat()} (admin: "
            "forged audit entries set aside)"
        )
        return ChainReport(walk.checked, None, reason, unsealed=walk.unsealed)
    if point is None:
        reason = "no signed checkpoint vouches for the log: none in " + ", ".join(
            str(p) for p in _paths()
        )
        return ChainReport(walk.checked, None, " ".join([reason, *reading.problems]))
    if point.count > walk.checked or walk.hash_at(point.count) != point.hash:
        reason = (
            f"the log does not match the checkpoint signed at {point.at} ({point.count} "
            "entries): entries were deleted or the chain was rewritten"
        )
        return ChainReport(walk.checked, None, reason, unsealed=walk.unsealed)
    return ChainReport(
        walk.checked,
        None,
        "",
        point.count,
        point.at,
        unsealed=walk.unsealed,
        warnings=tuple(reading.problems),
    )


def _paths() -> list[Any]:
    from onevisit.audit.checkpoints import checkpoint_paths

    return checkpoint_paths()


@dataclass
class _Walk:
    checked: int = 0
    unsealed: int = 0
    broken: AuditEntry | None = None
    reason: str = ""
    hashes: dict[int, str] | None = None  # position -> hash, of the positions asked for

    def hash_at(self, position: int) -> str | None:
        if position == 0:
            return GENESIS_HASH
        return (self.hashes or {}).get(position)


def _walk_entries(wanted: set[int]) -> _Walk:
    """Every entry in order: linked to the one before, content matching its hash, sealed with
    the audit key (only entries before the first sealed one may be unsealed). The hashes at the
    `wanted` positions are kept."""
    walk = _Walk(hashes={})
    prev = GENESIS_HASH
    sealing_began = False
    keys = audit_keys()
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=5000):
        if entry.prev_hash != prev:
            return _broken(walk, entry, "previous hash does not match the entry before")
        if entry.compute_hash() != entry.hash:
            return _broken(walk, entry, "content does not match its hash")
        if entry.seal:
            sealing_began = True
            if not sealed(entry.hash, entry.seal, keys):
                return _broken(walk, entry, "its seal is not the audit key's: not onevisit's")
        elif sealing_began:
            return _broken(walk, entry, "unsealed after sealed entries: not onevisit's")
        else:
            walk.unsealed += 1
        prev = entry.hash
        walk.checked += 1
        if walk.checked in wanted:
            assert walk.hashes is not None
            walk.hashes[walk.checked] = entry.hash
    return walk


def _broken(walk: _Walk, entry: AuditEntry, reason: str) -> _Walk:
    walk.broken, walk.reason = entry, reason
    return walk


def _check_end(head: AuditHead, walk: _Walk) -> str:
    if walk.checked < head.count:
        return f"entries are missing at the end of the log (the head counts {head.count})"
    if walk.hash_at(head.count) != head.last_hash:
        return "the head does not name the entry at its position: the end was rewritten"
    if head.count and head.seal and not sealed(head.state(), head.seal):
        return "the head's seal is not the audit key's: the head was rewritten"
    if head.count and not head.seal and walk.unsealed < walk.checked:
        return "the head is unsealed after sealed entries: the head was rewritten"
    return ""
