"""`onevisit verify-code TOKEN --keys keys.pem`: check a signed inspection code offline, with
the public keys a city publishes at `/v/keys.pem` (or `/v/key.pem`), and nothing else — no
database, no network. Prints the visit, the day and the short code the signature vouches for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.inspections.tokens import BadToken, display_short_code, read_public_keys


class Command(BaseCommand):
    help = "Check a signed inspection code offline against published public keys."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token", help="the signed code (the text behind the QR code's /v/)")
        parser.add_argument(
            "--keys", required=True, type=Path, help="a PEM file of one or more public keys"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            verifiers = read_public_keys(options["keys"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        token = options["token"].rsplit("/v/", 1)[-1]
        try:
            claim, key = verifiers.check(token)
        except BadToken as bad:
            raise CommandError(f"not a genuine code: {bad.reason} ({bad})") from None
        day, code = claim.valid_on.isoformat(), display_short_code(claim.short_code)
        self.stdout.write(
            f"genuine ({key.suite}, key {key.key_id.hex()}): visit {claim.visit_id} on {day}, "
            f"code {code}"
        )
