"""`onevisit keys`: where the keys are, whether each is there, and its fingerprint; `--create`
makes the missing ones (once, before the nodes of a cluster start); `--rotate-code-key` retires
the code-signing key (it keeps verifying the codes it signed) and makes a new one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.lib.keyfiles import KeyMissing, read_or_create


@dataclass(frozen=True)
class Key:
    label: str
    path: Callable[[], Path]
    make: Callable[[], bytes]
    in_use: Callable[[], str]


def known_keys() -> list[Key]:
    from onevisit.audit import keys as audit_keys
    from onevisit.inspections import keyring
    from onevisit.tips import sealing

    return [
        Key("code signing", keyring.key_path, keyring.make_key, keyring.codes_issued),
        Key("reporter sealing", sealing.key_path, sealing.make_key, sealing.identities_sealed),
        Key("audit", audit_keys.key_path, audit_keys.make_key, audit_keys.key_in_use),
    ]


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


class Command(BaseCommand):
    help = "List the keys (path, fingerprint); --create makes the missing ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--create", action="store_true", help="make the keys that are missing")
        parser.add_argument(
            "--rotate-code-key",
            action="store_true",
            help="retire the code-signing key into keys/retired/ and make a new one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rotate_code_key"]:
            self._rotate_code_key()
        missing = 0
        for key in known_keys():
            path = key.path()
            if options["create"] and not path.exists():
                try:
                    read_or_create(path, key.make, key.in_use, create=True)
                except KeyMissing as error:
                    raise CommandError(str(error)) from None
                self.stdout.write(f"created  {key.label:<18} {path}  {fingerprint(path)}")
            elif path.exists():
                self.stdout.write(f"present  {key.label:<18} {path}  {fingerprint(path)}")
            else:
                missing += 1
                self.stdout.write(f"missing  {key.label:<18} {path}")
        if missing:
            self.stdout.write(f"{missing} missing: `onevisit keys --create` makes them")

    def _rotate_code_key(self) -> None:
        from onevisit.inspections import keyring

        try:
            retired = keyring.retire_signing_key()
        except FileNotFoundError as missing:
            raise CommandError(f"no code-signing key to rotate at {missing}") from None
        read_or_create(keyring.key_path(), keyring.make_key, create=True)
        keyring.forget()
        self.stdout.write(f"retired  code signing       {retired}  (still verifies its codes)")
