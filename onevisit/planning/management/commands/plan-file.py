"""`onevisit plan-file INPUT.json OUTPUT.json`: run the consolidation planner on a file alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onevisit.lib import jsontext
from onevisit.lib.problems import Problem
from onevisit.planner import parse_instance, plan, plan_to_dict


class Command(BaseCommand):
    help = "Plan joint visits for the tasks in INPUT.json and write them to OUTPUT.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)
        parser.add_argument(
            "--repair-seconds",
            type=float,
            default=60.0,
            help="time for the exact model and the search where capacity binds (0: greedy only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        try:
            data = jsontext.loads(source.read_bytes())
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": source, "error": error.strerror}
            ) from None
        except jsontext.BadJson as error:
            raise CommandError(
                _("%(file)s is not valid JSON: %(error)s") % {"file": source, "error": error}
            ) from None
        try:
            instance = parse_instance(data)
        except Problem as problem:
            raise CommandError(problem.localized(_)) from None
        result = plan(instance, repair_seconds=options["repair_seconds"])
        options["output"].write_text(
            json.dumps(plan_to_dict(result), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        self.stdout.write(
            _(
                "%(visits)d visits for %(tasks)d tasks (%(unscheduled)d unplaced; no plan "
                "places more than %(most)d); lower bound %(bound)d, every body alone "
                "%(baseline)d."
            )
            % {
                "visits": len(result.visits),
                "tasks": len(instance.tasks),
                "unscheduled": len(result.unscheduled),
                "most": result.upper_bound_placed or 0,
                "bound": result.lower_bound,
                "baseline": result.baseline_visits,
            }
        )
