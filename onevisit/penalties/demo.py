"""The demo city's discretion benchmarks for the market regulators (city and counties) and a
year of decisions, two of them far from the others (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.penalties.actions import Case, do_decide_penalty
from onevisit.penalties.models import Level, Violation
from onevisit.registry.demo import city_enterprises
from onevisit.registry.models import Body

ACTOR = Actor.system("demo")
# (code, violation, provision violated, penalty provision, order first, levels)
CATALOGUE = [
    (
        "TZSB-01",
        "使用未经定期检验或者检验不合格的特种设备",
        "《中华人民共和国特种设备安全法》第四十条第三款",
        "《中华人民共和国特种设备安全法》第八十四条第一项",
        True,
        [
            ("none", "首次违法、危害后果轻微并及时改正", 0, 0, "责令改正"),
            ("light", "主动消除或者减轻危害后果", 30000, 100000, "罚款"),
            ("general", "一般情形", 100000, 200000, "罚款"),
            ("heavy", "造成事故或者拒不改正", 200000, 300000, "罚款、责令停止使用"),
        ],
    ),
    (
        "SPJY-01",
        "食品经营者未按规定建立并遵守进货查验记录制度",
        "《中华人民共和国食品安全法》第五十三条",
        "《中华人民共和国食品安全法》第一百二十六条第一款第三项",
        True,
        [
            ("none", "首次违法、及时改正且没有造成危害后果", 0, 0, "责令改正、给予警告"),
            ("light", "违法行为轻微", 5000, 12000, "罚款"),
            ("general", "一般情形", 12000, 38000, "罚款"),
            ("heavy", "拒不改正或者造成危害后果", 38000, 50000, "罚款、责令停产停业"),
        ],
    ),
]


def load_penalties(say: Callable[[str], object]) -> None:
    if Violation.objects.exists():
        return
    bodies = list(Body.objects.filter(code__endswith="-SCJG").order_by("code"))
    with transaction.atomic():
        for body in bodies:
            for code, name, basis, penalty, order_first, levels in CATALOGUE:
                violation = Violation.objects.create(
                    body=body,
                    code=code,
                    name=name,
                    legal_basis=basis,
                    penalty_basis=penalty,
                    order_first=order_first,
                )
                for grade, circumstances, low, high, measure in levels:
                    Level.objects.create(
                        violation=violation,
                        grade=grade,
                        circumstances=circumstances,
                        min_fine=Decimal(low),
                        max_fine=Decimal(high),
                        measure=measure,
                    )
    rng = random.Random(32)
    today = timezone.localdate()
    enterprises = list(city_enterprises().filter(status="active").order_by("pk")[:200])
    decided = 0
    for n in range(60):
        body = bodies[n % len(bodies)]
        violation = Violation.objects.get(body=body, code="TZSB-01")
        level = violation.levels.get(grade="general")
        fine = Decimal(rng.randrange(140000, 165000, 5000))
        justification = ""
        if n == 17:
            fine = Decimal(40000)  # far below the range
            justification = "企业经营困难，经集体讨论从宽处理"
        if n == 41:
            fine = Decimal(199000)  # in range, far above the others
        day = today - dt.timedelta(days=rng.randint(5, 300))
        do_decide_penalty(
            actor=ACTOR,
            case=Case(
                case_number=f"{body.code}-罚〔{day.year}〕{n + 1:03d}号",
                body=body,
                violation=violation,
                level=level,
                fine=fine,
                reasons="检查发现叉车、电梯等特种设备超期未检仍在使用",
                decided_on=day,
                enterprise=rng.choice(enterprises) if enterprises else None,
                order_to_correct_on=day - dt.timedelta(days=15),
                justification=justification,
            ),
            by=None,
        )
        decided += 1
    say(f"Penalty benchmarks: {len(bodies)} market regulators, {decided} decisions.")
