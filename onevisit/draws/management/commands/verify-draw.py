"""`onevisit verify-draw RECORD.json [--keys keys.pem]`: recompute a published draw and check
its signature; OK or the first mismatch.

With `--keys`, the signature is checked against the public keys a city publishes at
`/v/keys.pem` and nothing else (no database, no network); without it, against this
installation's own keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.draws.signing import check_signature
from onevisit.inspections.tokens import Keyring, read_public_keys
from onevisit.lib import jsontext
from onevisit.sortition.records import Mismatch, verify_record


def _keyring(path: Path | None) -> Keyring:
    from onevisit.inspections import keyring

    if path is None:
        return keyring.keyring()
    try:
        return read_public_keys(path)
    except ValueError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Recompute a draw record and check its signature; print OK (exit 0) or the first field "
        "that does not match."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record", type=Path)
        parser.add_argument(
            "--keys",
            type=Path,
            help="the city's public keys (/v/keys.pem); without it, this installation's keys",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["record"]
        try:
            record = jsontext.loads(path.read_bytes())
            verify_record(record)
            signer = check_signature(record, _keyring(options["keys"]))
        except OSError as error:
            self.stderr.write(f"cannot read {path}: {error.strerror}")
            raise SystemExit(1) from None
        except jsontext.BadJson as error:
            self.stderr.write(f"{path} is not valid JSON: {error}")
            raise SystemExit(1) from None
        except Mismatch as mismatch:
            self.stdout.write(f"MISMATCH {mismatch}")
            raise SystemExit(1) from None
        if signer is None:
            self.stdout.write("OK (the record carries no signature)")
        else:
            self.stdout.write(f"OK, signed ({signer.suite}, key {signer.key_id.hex()})")
