"""The demo city's planning year: credit classes, scoring rules, tiers, accepted plans of every
body, a few triggered checks, and one planning run of joint visits (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.planning.actions import (
    do_create_task,
    do_decide_plan,
    do_execute_planning_run,
    do_file_plan,
    do_generate_plan,
    do_recompute_tiers,
    do_start_planning_run,
)
from onevisit.planning.models import AnnualPlan, Kind, PlanningRun, Task, TierPolicy
from onevisit.registry.actions import do_bulk_upsert_enterprises
from onevisit.registry.demo import CITY, city_enterprises
from onevisit.registry.models import Body, District

# Inherent risk of industries (GB/T 4754 prefixes), as the province's 分级分类 guidance ranks them.
CITY_INDUSTRY_POINTS = """C26 35
C25 35
B 30
D45 30
C27 20
C30 20
C31 20
C32 20
E47 25
E48 20
G54 20
C 10
H62 10
H61 8
F52 5
"""
CAUSES = [
    "群众举报：夜间异味扰民，经初步核实",
    "在线监测超标预警：颗粒物小时均值超标",
    "上级交办：省厅专项督办件",
]


def load_planning(year: int, say: Callable[[str], object]) -> None:
    """Tiers, accepted plans and triggered checks; then (see `run_planning`) the joint visits."""
    actor = Actor.system("demo")
    _credit_classes(actor)
    TierPolicy.objects.get_or_create(body=None, defaults={"industry_points": CITY_INDUSTRY_POINTS})
    bodies = list(Body.objects.filter(items__status=Item.Status.PUBLISHED).distinct())
    supervisor = User.objects.filter(username="supervisor").first()
    for body in bodies:
        if not body.tiers.exists():
            do_recompute_tiers(body)
        plan = AnnualPlan.objects.filter(body=body, year=year).first()
        if plan is None:
            plan = do_generate_plan(actor=actor, body=body, year=year)
            do_file_plan(actor=actor, plan=plan)
            do_decide_plan(
                actor=actor, plan=plan, accept=True, comments="同意备案。", by=supervisor
            )
    _triggered_tasks(actor, year)


def run_planning(year: int, say: Callable[[str], object]) -> None:
    actor = Actor.system("demo")
    supervisor = User.objects.filter(username="supervisor").first()
    if not PlanningRun.objects.filter(year=year, status=PlanningRun.Status.DONE).exists():
        # in the province demo, the demo city is planned as one city of several
        city = District.objects.get(code=CITY) if District.objects.cities().count() > 1 else None
        run = do_start_planning_run(actor=actor, year=year, by=supervisor, city=city)
        run = do_execute_planning_run(run)
        say(
            f"Joint planning {year}: {run.total:,} tasks → {run.visits:,} visits "
            f"({run.joint_visits:,} joint); every body alone: {run.baseline_visits:,} "
            f"({run.saved_percent}% fewer); lower bound {run.lower_bound:,}; "
            f"not placed {run.unscheduled:,} (at most {run.upper_bound_placed:,} of the tasks "
            f"can be placed); {run.seconds:.1f} s."
        )


def _credit_classes(actor: Actor) -> None:
    """A few enterprises in credit classes C and D, as the market regulator publishes them."""
    if city_enterprises().exclude(credit_class="").exists():
        return
    rng = random.Random(371500)
    changed = []
    for enterprise in city_enterprises().order_by("pk"):
        roll = rng.random()
        level = "D" if roll < 0.01 else "C" if roll < 0.06 else "A" if roll < 0.5 else "B"
        enterprise.credit_class = level
        changed.append((enterprise, {"credit_class": level}))
    with transaction.atomic():
        do_bulk_upsert_enterprises(actor=actor, new=[], changed=changed)


def _triggered_tasks(actor: Actor, year: int) -> None:
    if Task.objects.filter(kind=Kind.TRIGGERED).exists():
        return
    rng = random.Random(year)
    body = Body.objects.filter(code="LC-STHJ").first()
    if body is None:
        return
    items = list(Item.objects.published().filter(body=body)[:1])
    enterprises = list(city_enterprises().filter(industry__section_id="C").order_by("pk")[:200])
    for enterprise in rng.sample(enterprises, k=min(3, len(enterprises))):
        start = dt.date(year, rng.randint(2, 10), 1)
        do_create_task(
            actor=actor,
            enterprise=enterprise,
            body=body,
            kind=Kind.TRIGGERED,
            start=start,
            end=start + dt.timedelta(days=20),
            items=items,
            cause=rng.choice(CAUSES),
        )
