from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.audit.actions import verify_chain
from onevisit.audit.checkpoints import checkpoints_path, write_checkpoint


class Command(BaseCommand):
    help = (
        "Audit log tools. `verify` recomputes the hash chain and holds it against the newest "
        "signed checkpoint; `checkpoint` signs the chain's current end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "checkpoint"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "checkpoint":
            point = write_checkpoint()
            self.stdout.write(
                f"checkpoint: {point.count} entries, newest {point.hash[:16]}…, signed "
                f"{point.at} → {checkpoints_path()}"
            )
            return
        report = verify_chain()
        if report.reason:
            where = f"entry #{report.first_broken_id}" if report.first_broken_id else "the end"
            before = (
                f" ({report.checked} entries before it link up)" if report.first_broken_id else ""
            )
            raise CommandError(f"audit log broken at {where}: {report.reason}{before}")
        self.stdout.write(f"OK: {report.checked} entries, chain and seals intact")
        self.stdout.write(
            f"vouched for by the checkpoint signed {report.vouched_at}: entries 1 to "
            f"{report.vouched_count}; later entries by their seals"
        )
        if report.unsealed:
            self.stdout.write(
                f"{report.unsealed} entries written before entries were sealed: vouched for by "
                "the chain and the checkpoints only"
            )
        for warning in report.warnings:
            self.stderr.write(f"WARNING: {warning}")
        if report.warnings:
            raise SystemExit(2)
