"""Every kind of import and the importer that reads it: the command line and the import page
dispatch through here, so that the framework (lib/imports) knows no app and no app knows another's
importer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.catalog.imports import import_items
from onevisit.imports.actions import STALE_WRITING, Applier, resume_runs
from onevisit.imports.models import ImportRun
from onevisit.lib.imports import ImportReport, Source
from onevisit.penalties.imports import import_catalogue
from onevisit.rectification.imports import import_ledger
from onevisit.registry.imports import (
    ENTERPRISES,
    import_bodies,
    import_enterprises,
    import_inspectors,
)
from onevisit.scope.imports import import_scope
from onevisit.workdays.imports import import_notice

KINDS = (
    "enterprises",
    "bodies",
    "inspectors",
    "items",
    "ledger",
    "penalties",
    "holidays",
    "scope",
)
# the kinds written in batches, and how each writes a batch
APPLIERS: dict[str, Applier[Any]] = {"enterprises": ENTERPRISES}


def run_import(
    kind: str,
    source: Source,
    filename: str,
    *,
    actor: Actor,
    dry_run: bool,
    user: User | None = None,
) -> ImportReport:
    """Dispatch by kind; a department admin's inspector import is limited to their body.
    A batched run another process left half written is finished first."""
    resume_runs(APPLIERS)
    reach = user.reach_codes if user is not None else None
    if kind == "enterprises":
        return import_enterprises(source, filename, actor=actor, dry_run=dry_run, reach=reach)
    if kind == "holidays":
        return import_notice(source, filename, actor=actor, dry_run=dry_run)
    if kind == "scope":
        return import_scope(source, filename, actor=actor, dry_run=dry_run)
    if kind == "bodies":
        return import_bodies(source, filename, actor=actor, dry_run=dry_run)
    only = user.body if user is not None and user.is_body_admin else None
    if kind == "inspectors":
        return import_inspectors(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "items":
        return import_items(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "ledger":
        return import_ledger(
            source, filename, actor=actor, dry_run=dry_run, only_body=only, reach=reach
        )
    if kind == "penalties":
        return import_catalogue(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    raise ValueError(f"unknown import kind {kind!r}: choose from {', '.join(KINDS)}")


def resume_imports(*, quiet_for: dt.timedelta = STALE_WRITING) -> list[ImportRun]:
    return resume_runs(APPLIERS, quiet_for=quiet_for)


@task()
def resume_imports_task() -> int:
    """Run by the worker `onevisit serve` starts, once a dead run has had time to look dead."""
    return len(resume_imports())


def queue_resume_if_needed() -> None:
    """At start: a run left half written is finished by the worker (or by the next import,
    when the task backend cannot defer)."""
    can_defer = resume_imports_task.get_backend().supports_defer
    if can_defer and ImportRun.objects.filter(state=ImportRun.State.COMMITTED).exists():
        resume_imports_task.using(run_after=timezone.now() + STALE_WRITING).enqueue()
