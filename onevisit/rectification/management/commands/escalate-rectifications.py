from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from onevisit.rectification.actions import do_escalate_rectifications


class Command(BaseCommand):
    help = (
        "The rectification ladder (run daily): remind enterprises before deadlines, pass overdue "
        "ones to the body's admin and long-overdue ones to the supervisor."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ladder = do_escalate_rectifications(today=timezone.localdate())
        self.stdout.write(
            f"{ladder.reminded} reminded, {ladder.to_body} overdue to the bodies, "
            f"{ladder.to_supervisor} long overdue to the supervisor"
        )
