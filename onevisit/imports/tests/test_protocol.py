"""The batched import protocol: a file lands whole or not at all, though it is written in many
short transactions; a run whose process died is finished by the next one, each row once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, connections

from onevisit.audit.actions import Actor, verify_chain
from onevisit.audit.models import AuditEntry
from onevisit.imports.actions import (
    SQLITE_PAUSE_SECONDS,
    Applier,
    Counts,
    do_stage_batch,
    resume_runs,
)
from onevisit.imports.actions import _checkpoint as real_checkpoint
from onevisit.imports.models import ImportRun, StagedBatch
from onevisit.operations.importers import APPLIERS
from onevisit.registry import imports as registry_imports
from onevisit.registry.actions import do_create_enterprise
from onevisit.registry.imports import import_enterprises
from onevisit.registry.models import District, Enterprise, Industry
from onevisit.testing import PersonaTestCase, uscc

ACTOR = Actor.system("test")
HEADER = "统一社会信用代码,企业名称,行政区划代码,国民经济行业代码,注册地址"


def register(serials: range, bad_last: bool = False) -> bytes:
    lines = [HEADER]
    lines += [f"{uscc(n)},临清市第{n}轴承有限公司,371581,C3451,临清市先锋路{n}号" for n in serials]
    if bad_last:
        lines.append(f"{uscc(9999)},临清市末行有限公司,999999,C3451,")
    return "\n".join(lines).encode()


class Died(Exception):
    """Stands for the process being killed between two batches."""


def dies_after(batches: int) -> Applier[Any]:
    real = registry_imports.ENTERPRISES
    written = 0

    def write(plan: Any) -> Counts:
        nonlocal written
        if written == batches:
            raise Died
        written += 1
        return real.write(plan)

    return Applier(plan=real.plan, write=write, finish=real.finish)


@mock.patch.object(registry_imports, "BATCH_ROWS", 3)
class BatchedImportTest(PersonaTestCase):
    def test_it_writes_a_good_file_in_batches_and_drops_them_as_it_goes(self) -> None:
        report = import_enterprises(register(range(100, 110)), "r.csv", actor=ACTOR)
        assert report.ok and (report.rows, report.created) == (10, 10)
        run = ImportRun.objects.get()
        assert (run.state, run.rows, run.created) == (ImportRun.State.DONE, 10, 10)
        assert not StagedBatch.objects.exists()
        assert AuditEntry.objects.filter(verb="import").count() == 10

    def test_it_changes_nothing_when_the_last_row_is_bad_though_earlier_ones_were_staged(
        self,
    ) -> None:
        staged: list[int] = []

        def stage(**kwargs: object) -> None:
            staged.append(len(kwargs["rows"]))  # type: ignore[arg-type]
            do_stage_batch(**kwargs)  # type: ignore[arg-type]

        with mock.patch("onevisit.registry.imports.do_stage_batch", stage):
            report = import_enterprises(
                register(range(100, 110), bad_last=True), "r.csv", actor=ACTOR
            )
        assert staged == [3, 3, 3]  # staged as they were read, before the bad row came
        assert not report.ok and [e.row for e in report.errors] == [12]
        assert not Enterprise.objects.filter(name__startswith="临清市第").exists()
        assert ImportRun.objects.get().state == ImportRun.State.REJECTED
        assert not StagedBatch.objects.exists()
        assert not AuditEntry.objects.filter(verb="import").exists()

    def test_it_finishes_a_run_whose_process_died_and_writes_each_row_once(self) -> None:
        with (
            mock.patch.object(registry_imports, "ENTERPRISES", dies_after(2)),
            self.assertRaises(Died),
        ):
            import_enterprises(register(range(100, 110)), "r.csv", actor=ACTOR)
        run = ImportRun.objects.get()
        assert run.state == ImportRun.State.COMMITTED and run.created == 6
        assert Enterprise.objects.filter(name__startswith="临清市第").count() == 6
        assert resume_runs(APPLIERS) == []  # a run touched just now may still be alive

        out = StringIO()
        call_command("import", "--resume", stdout=out)
        assert "1 unfinished imports finished" in out.getvalue()
        run.refresh_from_db()
        assert (run.state, run.created) == (ImportRun.State.DONE, 10)
        assert Enterprise.objects.filter(name__startswith="临清市第").count() == 10
        assert AuditEntry.objects.filter(verb="import").count() == 10
        assert not StagedBatch.objects.exists()
        assert verify_chain().first_broken_id is None

    def test_it_stages_nothing_on_a_dry_run_and_still_counts(self) -> None:
        import_enterprises(register(range(100, 104)), "r.csv", actor=ACTOR)
        report = import_enterprises(register(range(102, 108)), "r.csv", actor=ACTOR, dry_run=True)
        assert (report.created, report.updated, report.unchanged) == (4, 0, 2)
        assert ImportRun.objects.count() == 1 and not StagedBatch.objects.exists()
        assert Enterprise.objects.filter(name__startswith="临清市第").count() == 4

    def test_it_counts_updates_against_the_register_at_the_time_of_writing(self) -> None:
        import_enterprises(register(range(100, 104)), "r.csv", actor=ACTOR)
        changed = register(range(102, 106)).replace("先锋路".encode(), "振兴路".encode())
        report = import_enterprises(changed, "r.csv", actor=ACTOR)
        assert (report.created, report.updated, report.unchanged) == (2, 2, 0)
        assert Enterprise.objects.get(uscc=uscc(103)).address == "临清市振兴路103号"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@mock.patch.object(registry_imports, "BATCH_ROWS", 3)
def test_it_spends_each_sqlite_pause_on_a_checkpoint_instead_of_in_the_commits() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    real = registry_imports.ENTERPRISES
    seen: list[int] = []
    slept: list[float] = []
    checkpointed_in: list[str] = []

    def checkpoint_pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return int(cursor.fetchone()[0])

    def write(plan: Any) -> Counts:
        seen.append(checkpoint_pages())
        return real.write(plan)

    def checkpoint() -> None:
        checkpointed_in.append(threading.current_thread().name)
        real_checkpoint()

    applier = Applier(plan=real.plan, write=write, finish=real.finish)
    with (
        mock.patch.object(registry_imports, "ENTERPRISES", applier),
        mock.patch("onevisit.imports.actions.time.sleep", slept.append),
        mock.patch("onevisit.imports.actions._checkpoint", checkpoint),
    ):
        report = import_enterprises(register(range(100, 107)), "r.csv", actor=ACTOR)
    assert report.ok and report.created == 7
    assert seen == [0] * 3  # no commit copies the WAL back on its own
    assert len(checkpointed_in) == 3  # one in each pause, beside the importer
    assert all(name.startswith("checkpoint") for name in checkpointed_in)
    assert len(slept) == 3 and all(0 <= s <= SQLITE_PAUSE_SECONDS for s in slept)
    assert checkpoint_pages() == 1000  # the connection's usual setting once the run is done


def planning(
    during_pause: Callable[[], None] = lambda: None,
) -> tuple[Applier[Any], list[bool]]:
    """The enterprise applier, noting for each plan whether it was made under the batch's lock,
    and running `during_pause` as each plan made in a pause begins."""
    real = registry_imports.ENTERPRISES
    under_lock: list[bool] = []

    def plan(actor: Actor, rows: list[dict[str, Any]]) -> Any:
        under_lock.append(connection.in_atomic_block)
        if not connection.in_atomic_block:
            during_pause()
        return real.plan(actor, rows)

    return Applier(plan=plan, write=real.write, finish=real.finish), under_lock


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@mock.patch.object(registry_imports, "BATCH_ROWS", 3)
def test_it_writes_the_batch_it_planned_in_the_pause_when_nobody_wrote_meanwhile() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL does not pause between batches")
    applier, under_lock = planning()
    with mock.patch.object(registry_imports, "ENTERPRISES", applier):
        report = import_enterprises(register(range(100, 107)), "r.csv", actor=ACTOR)
    assert report.ok and report.created == 7
    assert under_lock == [True, False, False]  # the first batch has no pause before it
    assert Enterprise.objects.filter(name__startswith="临清市第").count() == 7
    assert verify_chain().first_broken_id is None


def a_web_form_saves_an_enterprise(name: str, serial: int) -> None:
    """Another connection commits an enterprise (a new id, a new audit entry)."""

    def save() -> None:
        do_create_enterprise(
            actor=ACTOR,
            fields={
                "uscc": uscc(serial),
                "name": name,
                "district": District.objects.get(code="371581"),
                "industry": Industry.objects.get(code="34"),
                "industry_code": "3451",
            },
        )
        connections.close_all()

    thread = threading.Thread(target=save)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@mock.patch.object(registry_imports, "BATCH_ROWS", 3)
def test_it_plans_a_batch_again_in_another_pause_when_someone_wrote_during_the_first() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL does not pause between batches")
    plans_in_pauses = 0

    def once() -> None:
        nonlocal plans_in_pauses
        plans_in_pauses += 1
        if plans_in_pauses == 1:
            a_web_form_saves_an_enterprise("临清市网页有限公司", 200)

    applier, under_lock = planning(during_pause=once)
    with mock.patch.object(registry_imports, "ENTERPRISES", applier):
        report = import_enterprises(register(range(100, 107)), "r.csv", actor=ACTOR)
    assert report.ok and report.created == 7
    # the second batch's first plan went stale; its second, in the next pause, held
    assert under_lock == [True, False, False, False]
    assert Enterprise.objects.filter(name__startswith="临清市第").count() == 7
    assert verify_chain().first_broken_id is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@mock.patch.object(registry_imports, "BATCH_ROWS", 3)
def test_it_plans_a_batch_under_the_lock_when_someone_writes_during_every_pause() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL does not pause between batches")
    serials = iter(range(200, 220))

    def always() -> None:
        serial = next(serials)
        a_web_form_saves_an_enterprise(f"临清市网页{serial}有限公司", serial)

    applier, under_lock = planning(during_pause=always)
    with mock.patch.object(registry_imports, "ENTERPRISES", applier):
        report = import_enterprises(register(range(100, 107)), "r.csv", actor=ACTOR)
    assert report.ok and report.created == 7
    # two plans in pauses, both stale, then one under the lock, for each batch after the first
    assert under_lock == [True, False, False, True, False, False, True]
    assert Enterprise.objects.filter(name__startswith="临清市第").count() == 7
    assert Enterprise.objects.filter(name__startswith="临清市网页").count() == 4
    assert verify_chain().first_broken_id is None
