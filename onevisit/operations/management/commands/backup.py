"""`onevisit backup DEST`: database, files, keys and secret key into a new folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (consistent while the platform runs), uploaded files and "
        "documents, keys, secret key and audit checkpoints into a new folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", type=Path, help="a new or empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup(options["dest"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        probes = ", ".join(report.probes) or "no codes or sealed identities yet"
        self.stdout.write(
            f"backup in {report.folder}: {report.files} files, {report.bytes / 1e6:.1f} MB; "
            f"key probes: {probes}"
        )
