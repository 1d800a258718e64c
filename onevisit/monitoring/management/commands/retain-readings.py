"""`onevisit retain-readings [--raw-days 30]`: keep raw readings for a while, hourly ones long."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from onevisit.monitoring.actions import do_aggregate_and_prune


class Command(BaseCommand):
    help = "Fold raw readings older than --raw-days into hourly aggregates and delete them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--raw-days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        before = timezone.now() - dt.timedelta(days=options["raw_days"])
        written, deleted = do_aggregate_and_prune(before)
        self.stdout.write(
            f"{deleted:,} raw readings before {before:%Y-%m-%d %H:%M} folded into "
            f"{written:,} hourly rows."
        )
