"""`onevisit suite`: which crypto suite made how many codes, draw records, audit entries,
checkpoints and sealed identities; `--check` verifies every one of them under its own suite;
`--migrate` moves the installation to the suite `ONEVISIT_CRYPTO_SUITE` names (its keys made,
old identities sealed again under it, everything verified, a checkpoint signed with the new audit
key). Exit status 1 when anything does not verify."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onevisit.audit.actions import Actor
from onevisit.operations.suites import Census, do_migrate_suite, take_census


class Command(BaseCommand):
    help = (
        "Count records by crypto suite; --check verifies them all; --migrate moves the "
        "installation to the suite ONEVISIT_CRYPTO_SUITE names."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--check", action="store_true", help="verify every record under its own suite"
        )
        what.add_argument(
            "--migrate",
            action="store_true",
            help="make the suite's keys, seal old identities again, verify everything",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            census = do_migrate_suite(actor=Actor.system("suite migration"))
        else:
            census = take_census(check=options["check"])
        self._report(census, checked=options["check"] or options["migrate"])
        if options["migrate"]:
            self.stdout.write(f"identities sealed again under {census.suite}: {census.resealed}")
        if census.problems:
            raise SystemExit(1)

    def _report(self, census: Census, *, checked: bool) -> None:
        self.stdout.write(f"deployment suite: {census.suite}")
        for kind, counts in census.counts.items():
            parts = ", ".join(f"{suite} {n}" for suite, n in sorted(counts.items())) or "none"
            self.stdout.write(f"  {kind}: {parts}")
        for problem in census.problems[:50]:
            self.stderr.write(f"NOT VERIFIED {problem}")
        if len(census.problems) > 50:
            self.stderr.write(f"... and {len(census.problems) - 50} more")
        if checked and census.ok:
            self.stdout.write("every code, record, entry and seal verifies under its own suite")
