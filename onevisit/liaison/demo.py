"""The demo city's 政企沟通: the demo enterprise's requests in every state (answered and rated,
a guidance visit planned, one waiting, one reopened after a low rating), other enterprises'
requests to several bodies over the year (some late), and a public suggestion waiting for the
supervisor to route it (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import Role, User
from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.liaison.actions import (
    Raised,
    do_acknowledge_concern,
    do_answer_concern,
    do_plan_guidance_visit,
    do_raise_concern,
    do_rate_concern,
    do_reopen_concern,
)
from onevisit.liaison.models import Concern, Kind
from onevisit.registry.demo import city_enterprises
from onevisit.registry.models import Body, Inspector
from onevisit.workdays.calendar import add_working_days, is_working_day

ACTOR = Actor.system("demo")
QUESTIONS = [
    (
        "特种设备使用登记要带哪些材料？",
        "新购两台叉车，想先弄清楚登记要求",
        "带购买发票、产品合格证和监督检验证明，到政务服务中心二楼窗口办理。",
    ),
    (
        "排污许可证变更需要多久？",
        "扩建一条生产线，排放口不变",
        "登记事项变更自受理之日起 10 个工作日内办结，可网上申请。",
    ),
    (
        "消防设施检测报告有效期是多久？",
        "去年 5 月做过一次检测",
        "消防设施每年至少检测一次，请在 5 月前委托有资质的机构检测。",
    ),
    (
        "食堂需要办食品经营许可吗？",
        "只给本厂职工供餐",
        "单位食堂需办理食品经营许可（单位食堂类），可在“爱山东”客户端申请。",
    ),
]


def load_requests(say: Callable[[str], object]) -> None:
    user = User.objects.filter(username="enterprise").first()
    if user is None or user.enterprise is None or Concern.objects.exists():
        return
    bodies = list(Body.objects.filter(items__status=Item.Status.PUBLISHED, level="city").distinct())
    market = Body.objects.filter(code="LC-SCJG").first()
    admin = User.objects.filter(username="scjg_admin").first()
    if market is None or admin is None or not bodies:
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    with transaction.atomic():
        _the_demo_enterprise(user, market, admin)
        history = _year_of_requests(bodies, admin, rng)
        do_raise_concern(
            by=None,
            raised=Raised(
                kind=Kind.SUGGESTION,
                subject="建议检查结果统一在一个网站公示",
                text="各部门检查结果分散在不同网站，查起来不方便。",
                enterprise_name="（多家企业）",
                anonymous=True,
            ),
        )
    say(
        f"政企沟通: {Concern.objects.count()} requests ({history} over the year); the demo "
        "enterprise has one answered, one guidance visit planned, one waiting, one reopened."
    )


def _the_demo_enterprise(user: User, market: Body, admin: User) -> None:
    enterprise = user.enterprise
    assert enterprise is not None
    answered = _raise(user, market, Kind.QUESTION, *QUESTIONS[0][:2])
    do_answer_concern(actor=ACTOR, concern=answered, by=admin, answer=QUESTIONS[0][2])
    do_rate_concern(concern=answered, rating=5, comment="答复很清楚，谢谢")
    guidance = _raise(
        user, market, Kind.GUIDANCE, "请上门指导特种设备安全管理台账", "新任安全员，台账不会建"
    )
    today = timezone.localdate()
    day = today if is_working_day(today) else add_working_days(today, 1)
    day = add_working_days(day, 2)
    team = list(Inspector.objects.certified(day).filter(body=market).order_by("pk")[:1])
    if team:
        do_plan_guidance_visit(
            actor=ACTOR,
            concern=guidance,
            by=admin,
            date=day,
            inspectors=team,
            note="请准备设备清单",
        )
    waiting = _raise(
        user, market, Kind.QUESTION, "计量器具强制检定包括哪些？", "厂里有地磅和压力表"
    )
    do_acknowledge_concern(actor=ACTOR, concern=waiting)
    low = _raise(
        user,
        market,
        Kind.SUGGESTION,
        "检查前能否提前告知要准备的材料",
        "上次检查临时找材料耽误了生产",
    )
    do_answer_concern(actor=ACTOR, concern=low, by=admin, answer="已收到建议。")
    do_rate_concern(concern=low, rating=2, comment="没有说以后会不会提前告知")
    do_reopen_concern(concern=low, reason="请明确检查前是否会告知材料清单")


def _raise(user: User, body: Body, kind: str, subject: str, text: str) -> Concern:
    return do_raise_concern(
        by=user,
        raised=Raised(kind=kind, subject=subject, text=text, body=body, enterprise=user.enterprise),
    )[0]


def _year_of_requests(bodies: list[Body], admin: User, rng: random.Random) -> int:
    """Questions raised over the year to several bodies, most answered in time, a few late,
    rated mostly well; written back-dated so the dashboard has answer times to show."""
    enterprises = list(city_enterprises().filter(status="active").order_by("pk")[10:70])
    today = timezone.localdate()
    made = 0
    for n, enterprise in enumerate(enterprises):
        body = bodies[n % len(bodies)]
        subject, text, answer = QUESTIONS[n % len(QUESTIONS)]
        concern = do_raise_concern(
            by=None,
            raised=Raised(
                kind=Kind.QUESTION,
                subject=subject,
                text=text,
                body=body,
                enterprise=enterprise,
                enterprise_name=enterprise.name,
                anonymous=True,
            ),
        )[0]
        raised_on = today - dt.timedelta(days=rng.randint(3, 300))
        created = timezone.make_aware(dt.datetime.combine(raised_on, dt.time(9, 30)))
        days = rng.choice([1, 2, 2, 3, 4, 5, 8])
        if n % 9 == 8:  # still open and late
            Concern.objects.filter(pk=concern.pk).update(
                created=created,
                ack_due=add_working_days(raised_on, 1),
                answer_due=add_working_days(raised_on, 5),
            )
        else:
            do_answer_concern(actor=ACTOR, concern=concern, by=admin, answer=answer)
            if n % 3:
                do_rate_concern(concern=concern, rating=rng.choice([3, 4, 4, 5, 5, 5]), comment="")
            Concern.objects.filter(pk=concern.pk).update(
                created=created,
                ack_due=add_working_days(raised_on, 1),
                answer_due=add_working_days(raised_on, 5),
                acknowledged_at=created + dt.timedelta(hours=20),
                answered_at=created + dt.timedelta(days=days),
                answered_by=User.objects.filter(role=Role.BODY_ADMIN, body=body).first(),
            )
        made += 1
    return made
