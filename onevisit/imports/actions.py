"""The batched import protocol: stage every checked row, commit the run, write it in batches.

1. `do_open_run` starts a run; `do_stage_batch` stores each chunk of checked rows. The platform
   shows none of it: staged rows live only in StagedBatch.
2. A file with any bad row ends in `do_reject_run`: its staged rows are dropped, nothing changed.
3. `do_commit_run` decides the run: from here it lands whole. `write_run` writes one batch per
   short transaction and deletes the batch in the same transaction, so a batch is written once.
4. If the process dies while writing, `resume_runs` writes the batches that are left: the next
   import does, the worker `onevisit serve` starts does, and `onevisit import --resume` does.

Between batches a SQLite writer pauses: SQLite hands its lock to whoever asks first, and a
waiting writer polls at most every 100 ms, so without the pause the importer would take the lock
straight back and a web form or an HJ 212 packet could wait for the whole file. The importer
spends the pause on work that holds nobody back, in two threads of lower priority than the web's:
one moves the WAL into the database (a checkpoint, which writers do not wait for, and work its
commits would otherwise do), the other plans the next batch (every row it will write, worked out
from reads alone). The batch's transaction writes that plan only if no other connection has
committed since it was made (SQLite's data_version); otherwise the batch is planned again in one
more pause, and after that under the lock.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.models import F
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.imports.models import ImportRun, StagedBatch

Row = dict[str, Any]
Plan = TypeVar("Plan")
BATCH_ROWS = 1000
# longer than the longest sleep of SQLite's busy handler (100 ms), so that a writer waiting for
# the lock always tries once inside the pause; at 0.1 s it could miss it and wait a batch more
SQLITE_PAUSE_SECONDS = 0.15
# A plan another writer made stale is made again in one more pause, so that a busy web keeps
# the lock free rather than waiting while the import plans under it; after that, under the lock.
STALE_PLAN_RETRIES = 1
HELPER_NICENESS = 10  # of the threads that work during the pauses (see _yield_to_web)
# a committed run untouched this long has lost its process; a staging run this long, its file
STALE_WRITING = dt.timedelta(minutes=2)
STALE_STAGING = dt.timedelta(days=1)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass(frozen=True)
class Applier(Generic[Plan]):
    """How one kind of import writes a batch of staged rows, and what it does once a run is
    written. `plan` works out what a batch writes and may only read; `write` writes a plan
    inside the batch's transaction."""

    plan: Callable[[Actor, list[Row]], Plan]
    write: Callable[[Plan], Counts]
    finish: Callable[[Counts], None]


@dataclass(frozen=True)
class Ahead(Generic[Plan]):
    """A batch planned outside its transaction, and the database's version it was planned at."""

    batch_id: int
    version: int
    plan: Plan


def do_open_run(*, kind: str, filename: str, actor: Actor) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        filename=filename[:200],
        state=ImportRun.State.STAGING,
        actor_id=actor.user_id,
        actor_name=actor.name[:150],
    )


def do_stage_batch(*, run: ImportRun, number: int, rows: list[Row]) -> None:
    StagedBatch.objects.create(run=run, number=number, rows=rows)


def do_reject_run(*, run: ImportRun) -> None:
    with transaction.atomic():
        StagedBatch.objects.filter(run=run).delete()
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportRun.State.REJECTED, finished_at=timezone.now()
        )


def do_commit_run(*, run: ImportRun, rows: int) -> None:
    ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.STAGING).update(
        state=ImportRun.State.COMMITTED, rows=rows, touched_at=timezone.now()
    )


def write_run(run: ImportRun, applier: Applier[Plan]) -> Counts:
    """Write every batch left of a committed run; return the run's counts over all its batches."""
    actor = Actor(run.actor_id, run.actor_name)
    batch_ids = list(StagedBatch.objects.filter(run=run).values_list("pk", flat=True))
    with _pauses() as pauses:
        ahead: Ahead[Plan] | None = None
        for number, batch_id in enumerate(batch_ids):
            for attempt in range(STALE_PLAN_RETRIES + 1):
                last = attempt == STALE_PLAN_RETRIES
                if _write_batch(run, batch_id, actor, applier, ahead, pauses.holds, last):
                    break
                # someone wrote during the pause: plan again in another, not under the lock
                ahead = pauses.pause(partial(_plan_ahead, batch_id, actor, applier))
            upcoming = batch_ids[number + 1] if number + 1 < len(batch_ids) else None
            ahead = pauses.pause(partial(_plan_ahead, upcoming, actor, applier))
    ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.COMMITTED).update(
        state=ImportRun.State.DONE, finished_at=timezone.now()
    )
    run.refresh_from_db()
    counts = Counts(run.created, run.updated, run.unchanged)
    applier.finish(counts)
    return counts


class _NoPauses:
    """PostgreSQL, which locks rows, and a run inside a transaction: no pauses, and each batch
    planned in its own transaction."""

    def pause(self, planning: Callable[[], Ahead[Any] | None]) -> Ahead[Any] | None:
        return None

    def holds(self, ahead: Ahead[Any]) -> bool:
        return False


class _SQLitePauses:
    """SQLite's pauses: the write lock stays free for SQLITE_PAUSE_SECONDS, which two threads
    of lower priority than the web's spend on a checkpoint and on planning the next batch.

    The automatic checkpoint (which each commit over 1,000 WAL pages runs) is off until the run
    ends: at 600,000 rows a batch dirties some 12,000 index pages, and copying them back in the
    commits cost up to 0.4 s per batch, on top of the pause. The planner has a connection of its
    own, so it is that connection's data_version that tells whether a plan still holds.
    """

    def __init__(self) -> None:
        self.checkpointer = _helper("checkpoint")
        self.planner = _helper("plan")

    def pause(self, planning: Callable[[], Ahead[Any] | None]) -> Ahead[Any] | None:
        started = time.monotonic()
        checkpoint = self.checkpointer.submit(_checkpoint)
        try:
            ahead = self.planner.submit(planning).result()
        finally:
            checkpoint.result()
        time.sleep(max(0.0, SQLITE_PAUSE_SECONDS - (time.monotonic() - started)))
        return ahead

    def holds(self, ahead: Ahead[Any]) -> bool:
        """Whether no other connection has committed since the plan was made (asked by the
        batch holding the lock, so that none can commit now)."""
        return self.planner.submit(_data_version).result() == ahead.version

    def close(self) -> None:
        for helper in (self.checkpointer, self.planner):
            helper.submit(connections.close_all).result()  # the thread's own connection
            helper.shutdown()


@contextmanager
def _pauses() -> Iterator[_NoPauses | _SQLitePauses]:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield _NoPauses()
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    pauses = _SQLitePauses()
    try:
        yield pauses
    finally:
        pauses.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=1000")


def _helper(name: str) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name, initializer=_yield_to_web)


def _yield_to_web() -> None:
    """Lower this thread's priority (Linux sets it per thread), so that on a busy machine a web
    request waiting for the lock still wakes in time to take it during the pause."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HELPER_NICENESS)


def _checkpoint() -> None:
    database = connections[connection.alias]
    if isinstance(database, SQLiteWrapper) and database.is_in_memory_db():
        return  # no WAL to move (the tests' database), and its tables would lock
    with connection.cursor() as cursor:  # this thread's connection
        # PASSIVE: copies what it can without waiting for, or holding back, any writer
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _data_version() -> int:
    """SQLite's count of the commits other connections have made, as this one has seen them."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return int(cursor.fetchone()[0])


def _plan_ahead(batch_id: int | None, actor: Actor, applier: Applier[Plan]) -> Ahead[Plan] | None:
    if batch_id is None:
        return None
    version = _data_version()  # before the first read: a commit after it changes the version
    rows = StagedBatch.objects.filter(pk=batch_id).values_list("rows", flat=True).first()
    if rows is None:  # another process wrote it
        return None
    return Ahead(batch_id, version, applier.plan(actor, rows))


def _write_batch(
    run: ImportRun,
    batch_id: int,
    actor: Actor,
    applier: Applier[Plan],
    ahead: Ahead[Plan] | None,
    holds: Callable[[Ahead[Plan]], bool],
    plan_under_lock: bool = True,
) -> bool:
    """Write one batch in a transaction of its own: the plan made ahead if it still holds,
    else a plan made now (or nothing, without `plan_under_lock`). Whether the batch is done."""
    with transaction.atomic():
        if ahead is not None and ahead.batch_id == batch_id and holds(ahead):
            # nobody has committed since the plan was made, and nobody can now: it holds
            plan = ahead.plan
        elif ahead is not None and not plan_under_lock:
            return False
        else:
            batch = StagedBatch.objects.select_for_update().filter(pk=batch_id).first()
            if batch is None:  # another process wrote it while this one waited
                return True
            plan = applier.plan(actor, batch.rows)
        counts = applier.write(plan)
        StagedBatch.objects.filter(pk=batch_id).delete()
        ImportRun.objects.filter(pk=run.pk).update(
            created=F("created") + counts.created,
            updated=F("updated") + counts.updated,
            unchanged=F("unchanged") + counts.unchanged,
            touched_at=timezone.now(),
        )
    return True


def resume_runs(
    appliers: Mapping[str, Applier[Any]], *, quiet_for: dt.timedelta = STALE_WRITING
) -> list[ImportRun]:
    """Finish the committed runs no batch was written for in `quiet_for` (their process died);
    drop staging runs abandoned long ago. Writing a run another process is still writing is
    safe, only wasted: each batch is taken under a lock and deleted as it is written."""
    now = timezone.now()
    finished = []
    stale = ImportRun.objects.filter(
        state=ImportRun.State.COMMITTED, touched_at__lte=now - quiet_for
    )
    for run in stale:
        write_run(run, appliers[run.kind])
        finished.append(run)
    abandoned = ImportRun.objects.filter(
        state=ImportRun.State.STAGING, touched_at__lt=now - STALE_STAGING
    )
    for run in abandoned:
        do_reject_run(run=run)
    return finished
