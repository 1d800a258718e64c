"""`onevisit verify-draw RECORD.json`: recompute a published draw; OK or the first mismatch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onevisit.lib import jsontext
from onevisit.sortition.records import Mismatch, verify_record


class Command(BaseCommand):
    help = "Recompute a draw record; print OK (exit 0) or the first field that does not match."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["record"]
        try:
            record = jsontext.loads(path.read_bytes())
            verify_record(record)
        except OSError as error:
            self.stderr.write(f"cannot read {path}: {error.strerror}")
            raise SystemExit(1) from None
        except jsontext.BadJson as error:
            self.stderr.write(f"{path} is not valid JSON: {error}")
            raise SystemExit(1) from None
        except Mismatch as mismatch:
            self.stdout.write(f"MISMATCH {mismatch}")
            raise SystemExit(1) from None
        self.stdout.write("OK")
