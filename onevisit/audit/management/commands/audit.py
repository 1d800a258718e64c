from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.audit.actions import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `onevisit audit verify` recomputes the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.reason:
            where = f"entry #{report.first_broken_id}" if report.first_broken_id else "the end"
            raise CommandError(
                f"audit log broken at {where}: {report.reason} ({report.checked} entries good)"
            )
        self.stdout.write(f"OK: {report.checked} entries, chain intact")
