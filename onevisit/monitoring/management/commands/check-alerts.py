"""`onevisit check-alerts [--hours 2] [--silent-hours 2]`: open alerts from recent readings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from onevisit.monitoring.actions import do_check_alerts


class Command(BaseCommand):
    help = "Open an alert for readings beyond their thresholds and for silent devices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=2, help="look back this far")
        parser.add_argument("--silent-hours", type=float, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        opened = do_check_alerts(
            since=now - dt.timedelta(hours=options["hours"]),
            now=now,
            silent_hours=options["silent_hours"],
        )
        self.stdout.write(f"{opened} new alerts.")
