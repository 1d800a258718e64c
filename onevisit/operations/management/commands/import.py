"""`onevisit import KIND FILE [--dry-run]`, and `onevisit import --resume`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.audit.actions import Actor
from onevisit.operations.importers import KINDS, resume_imports, run_import


class Command(BaseCommand):
    help = "Import a kind of data from .xlsx or .csv; a file with a bad row changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, nargs="?")
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="finish writing imports a stopped process left half written, and exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["resume"]:
            runs = resume_imports(quiet_for=dt.timedelta(0))
            for run in runs:
                self.stdout.write(f"{run.kind} {run.filename}: {run.rows} rows written")
            self.stdout.write(f"{len(runs)} unfinished imports finished")
            return
        if options["kind"] is None or options["file"] is None:
            raise CommandError("give the kind and the file, or --resume")
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
        for note in report.notes:
            self.stdout.write(note)
