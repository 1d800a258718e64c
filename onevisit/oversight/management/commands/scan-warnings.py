from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from onevisit.oversight.actions import do_scan_warnings


class Command(BaseCommand):
    help = "Apply the supervisor's warning rules to the whole visit history (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        raised = do_scan_warnings(today=timezone.localdate())
        self.stdout.write(f"{raised} warnings opened or reopened")
