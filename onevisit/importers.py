"""Every kind of import and the importer that reads it: the command line and the import page
dispatch through here, so that the framework (lib/imports) knows no app and no app knows another's
importer."""

from __future__ import annotations

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.catalog.imports import import_items
from onevisit.lib.imports import ImportReport, Source
from onevisit.penalties.imports import import_catalogue
from onevisit.rectification.imports import import_ledger
from onevisit.registry.imports import import_bodies, import_enterprises, import_inspectors

KINDS = ("enterprises", "bodies", "inspectors", "items", "ledger", "penalties")


def run_import(
    kind: str,
    source: Source,
    filename: str,
    *,
    actor: Actor,
    dry_run: bool,
    user: User | None = None,
) -> ImportReport:
    """Dispatch by kind; a department admin's inspector import is limited to their body."""
    if kind == "enterprises":
        return import_enterprises(source, filename, actor=actor, dry_run=dry_run)
    if kind == "bodies":
        return import_bodies(source, filename, actor=actor, dry_run=dry_run)
    only = user.body if user is not None and user.is_body_admin else None
    if kind == "inspectors":
        return import_inspectors(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "items":
        return import_items(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "ledger":
        return import_ledger(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "penalties":
        return import_catalogue(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    raise ValueError(f"unknown import kind {kind!r}: choose from {', '.join(KINDS)}")
