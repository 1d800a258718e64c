"""`onevisit import enterprises|bodies|inspectors FILE [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.audit.actions import Actor
from onevisit.importers import KINDS, run_import


class Command(BaseCommand):
    help = "Import enterprises, bodies or inspectors from .xlsx or .csv; a bad row changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        report = run_import(
            options["kind"],
            path,
            path.name,
            actor=Actor.system("import"),
            dry_run=options["dry_run"],
        )
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
