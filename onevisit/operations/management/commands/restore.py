"""`onevisit restore SRC`: put a backup back, after checking that its keys open its data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `onevisit backup` into this data folder and database. "
        "Checks everything before it writes: refuses a backup whose keys do not open its codes, "
        "sealed identities and audit log, a data folder that holds other keys, and an "
        "installation that already holds data unless --replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup folder")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite the database and files this installation already holds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(options["source"], replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored the backup made {manifest['made']}")
        call_command("migrate", verbosity=0)
        call_command("audit", "verify", stdout=self.stdout)
