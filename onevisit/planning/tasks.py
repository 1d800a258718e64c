"""Background work of the planning domain (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from onevisit.planning.actions import do_execute_planning_run, do_recompute_tiers
from onevisit.planning.models import PlanningRun
from onevisit.registry.models import Body


@task()
def run_planning(run_id: int) -> None:
    """Plan the year's joint visits; the run's progress fields feed the page's progress bar."""
    do_execute_planning_run(PlanningRun.objects.get(pk=run_id))


@task()
def recompute_tiers(body_id: int, enterprise_ids: list[int] | None = None) -> int:
    return do_recompute_tiers(Body.objects.get(pk=body_id), enterprise_ids)
