"""The demo city's 缺位 history: checks the law required and nobody made — red and yellow
enterprises whose third-quarter check lapsed, and a triggered check two weeks old — so the
supervisor's dashboard shows the 应查未查 counts beside the 越位 ones (idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.oversight.actions import do_scan_warnings
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind, Level, Task, TaskItem, Tier
from onevisit.planning.queries import applicable_items, full_industry_code
from onevisit.registry.models import Body

ACTOR = Actor.system("demo")
LAPSED = 4


def load_checks_owed(say: Callable[[str], object]) -> None:
    body = Body.objects.filter(code="LC-SCJG").first()
    today = timezone.localdate()
    if body is None or Task.objects.filter(cause__startswith="【演示】").exists():
        return
    items = list(Item.objects.published().filter(body=body))
    tiers = (
        Tier.objects.filter(body=body, computed_level__in=[Level.RED, Level.YELLOW])
        .select_related("enterprise__industry")
        .order_by("enterprise_id")
    )
    quarter_end = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1) - dt.timedelta(days=1)
    quarter_start = dt.date(quarter_end.year, quarter_end.month - 2, 1)
    made = 0
    with transaction.atomic():
        for tier in tiers:
            wanted = applicable_items(items, full_industry_code(tier.enterprise))[:1]
            if not wanted:
                continue
            if made < LAPSED:
                # as an accepted annual plan makes it: the quarter's required check
                task = Task.objects.create(
                    enterprise=tier.enterprise,
                    body=body,
                    kind=Kind.ROUTINE,
                    window_start=quarter_start,
                    window_end=quarter_end,
                )
                TaskItem(task=task, item=wanted[0]).save()
            else:
                task = do_create_task(
                    actor=ACTOR,
                    enterprise=tier.enterprise,
                    body=body,
                    kind=Kind.TRIGGERED,
                    start=today - dt.timedelta(days=14),
                    end=today + dt.timedelta(days=30),
                    items=wanted,
                    cause="【演示】核实的举报：无证经营特种设备",
                )
                Task.objects.filter(pk=task.pk).update(
                    created=timezone.now() - dt.timedelta(days=14)
                )
                made += 1
                break
            made += 1
    raised = do_scan_warnings(today=today)
    say(f"缺位: {made} checks left undone for the demo; {raised} warnings after the scan.")
