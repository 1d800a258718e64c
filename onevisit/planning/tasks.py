"""Background work of the planning domain (Django's tasks framework)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from onevisit.catalog.models import Item
from onevisit.planning.actions import do_execute_planning_run, do_recompute_tiers
from onevisit.planning.models import PlanningRun
from onevisit.registry.models import Body, Enterprise


@task()
def run_planning(run_id: int) -> None:
    """Plan the year's joint visits; the run's progress fields feed the page's progress bar."""
    do_execute_planning_run(PlanningRun.objects.get(pk=run_id))


def queue_planning_runs(runs: list[PlanningRun]) -> list[PlanningRun]:
    """Hand started runs to the workers, once the transaction that made them is committed."""
    ids = [run.pk for run in runs]
    transaction.on_commit(lambda: [run_planning.enqueue(pk) for pk in ids])
    return runs


@task()
def recompute_tiers(body_id: int, enterprise_ids: list[int] | None = None, reason: str = "") -> int:
    return do_recompute_tiers(Body.objects.get(pk=body_id), enterprise_ids, reason=reason)


@task()
def recompute_enterprise_tiers(enterprise_id: int) -> int:
    bodies = Body.objects.filter(items__status=Item.Status.PUBLISHED).distinct()
    return sum(do_recompute_tiers(body, [enterprise_id]) for body in bodies)


def queue_tier_recompute(
    sender: Any, instance: Enterprise, raw: bool = False, **kwargs: Any
) -> None:
    """An enterprise's record changed: recompute its tiers once the change is committed."""
    if raw:
        return
    transaction.on_commit(lambda: recompute_enterprise_tiers.enqueue(instance.pk))
