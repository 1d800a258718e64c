"""`onevisit restore SRC`: put a backup back, after checking that its keys open its data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `onevisit backup` into this data folder and database. "
        "Refuses a backup whose keys do not open its codes and sealed identities, and a data "
        "folder that holds other keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(options["source"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored the backup made {manifest['made']}")
        call_command("migrate", verbosity=0)
        call_command("audit", "verify", stdout=self.stdout)
