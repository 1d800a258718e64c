"""The demo city's draws: the market regulator's green-tier sampling for the first quarter,
drawn from its seed, and a planned draw whose seed is still to come."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.draws.actions import do_create_draw, do_run_draw
from onevisit.draws.models import Draw
from onevisit.registry.models import Body

# The demo's seed stands in for a lottery result published after the pool was frozen: a draw of
# the lottery already held (双色球 runs three draws a week), never one of a year to come.
DEMO_NUMBERS = [6, 11, 17, 24, 28, 32, 9]


def held_lottery_period(today: dt.date) -> int:
    """The number of a 双色球 draw held by `today`: year and period, e.g. 2026139."""
    period = max(1, (today.timetuple().tm_yday * 3) // 7 - 1)
    return today.year * 1000 + period


def load_draws(year: int) -> None:
    body = Body.objects.filter(code="LC-SCJG").first()
    admin = User.objects.filter(username="scjg_admin").first()
    if body is None or Draw.objects.exists():
        return
    actor = Actor.system("demo")
    items = list(Item.objects.published().filter(body=body))
    held = held_lottery_period(timezone.localdate())
    first = do_create_draw(
        actor=actor,
        by=admin,
        body=body,
        items=items,
        fields={
            "title": f"{year}年第一季度市场监管领域双随机抽查（绿色企业）",
            "strata_by": Draw.Strata.DISTRICT,
            "ratio": "0.05",
            "seed_source": f"中国福利彩票双色球第{held}期开奖号码 + 期号",
            "seed_known_after": timezone.now() + dt.timedelta(seconds=1),
            "window_start": dt.date(year, 1, 4),
            "window_end": dt.date(year, 3, 31),
        },
    )
    time.sleep(1.1)  # the seed becomes known after the pool is frozen, as in real life
    do_run_draw(actor=actor, draw=first, sources=[DEMO_NUMBERS, held])
    do_create_draw(
        actor=actor,
        by=admin,
        body=body,
        items=items,
        fields={
            "title": f"{year}年第二季度市场监管领域双随机抽查（绿色企业）",
            "strata_by": Draw.Strata.INDUSTRY,
            "ratio": "0.05",
            "seed_source": f"中国福利彩票双色球第{year}040期开奖号码 + 期号",
            "seed_known_after": dt.datetime(year, 4, 7, 13, 30, tzinfo=dt.UTC),  # 21:30 in Beijing
            "window_start": dt.date(year, 4, 12),
            "window_end": dt.date(year, 6, 30),
        },
    )
