"""The demo city's 事前评估: the market regulator's approved special inspection of lifting
equipment (one visit already registered under it), an ad-hoc inspection awaiting the
supervisor, one refused with reasons, and an emergency visit still owing its assessment
(which the 缺位 scan then warns about) (idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.assessments.actions import (
    Application,
    do_decide_assessment,
    do_file_assessment,
)
from onevisit.assessments.models import Assessment, Kind
from onevisit.audit.actions import Actor
from onevisit.catalog.models import Item
from onevisit.inspections.actions import Registration, do_register_visit
from onevisit.inspections.models import Visit
from onevisit.oversight.actions import do_scan_warnings
from onevisit.planning.queries import applicable_items, full_industry_code
from onevisit.registry.demo import city_enterprises
from onevisit.registry.models import Body, Enterprise, Inspector
from onevisit.workdays.calendar import add_working_days, is_working_day

ACTOR = Actor.system("demo")


def _next_working_day(day: dt.date) -> dt.date:
    return day if is_working_day(day) else add_working_days(day, 1)


def load_assessments(say: Callable[[str], object]) -> None:
    body = Body.objects.filter(code="LC-SCJG").first()
    admin = User.objects.filter(username="scjg_admin").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if body is None or admin is None or supervisor is None or Assessment.objects.exists():
        return
    today = timezone.localdate()
    found = _item_and_enterprises(body)
    if found is None:
        return
    item, bearings = found
    with transaction.atomic():
        special = _file(
            admin,
            body,
            item,
            bearings[:6],
            Kind.SPECIAL,
            "轴承企业起重机械专项检查",
            "本市轴承企业上月连续发生两起桥式起重机伤人事故，市安委会部署专项排查",
            today,
        )
        do_decide_assessment(
            actor=ACTOR,
            by=supervisor,
            assessment=special,
            approve=True,
            keep=[e.pk for e in bearings[:5]],
            reason=f"{bearings[5].name}上月联合检查已查起重机械，结果互认，不再入企",
        )
        _visit_under(special, bearings[0], body, today)
        _file(
            admin,
            body,
            item,
            bearings[6:10],
            Kind.AD_HOC,
            "燃气使用安全临时检查",
            "媒体报道部分企业食堂燃气管道老化",
            today,
        )
        refused = _file(
            admin,
            body,
            item,
            bearings[10:12],
            Kind.AD_HOC,
            "特种设备年终例行检查",
            "年终例行抽查",
            today,
        )
        do_decide_assessment(
            actor=ACTOR,
            by=supervisor,
            assessment=refused,
            approve=False,
            keep=[],
            reason="属于日常检查内容，并入下一季度联合检查，不单独入企",
        )
        emergency = _emergency(body, item, bearings[12], today)
    raised = do_scan_warnings(today=today)
    say(
        "Prior assessments: 1 approved (narrowed), 1 awaiting the supervisor, 1 refused; "
        f"{'an emergency visit owing its assessment' if emergency else 'no emergency'}; "
        f"{raised} warnings after the 缺位 scan."
    )


# Cranes, gas pipes and year-end checks of equipment are all special equipment: the item of
# 特种设备安全法, so that each assessment cites the law of what it checks.
ITEM = "SCJG-002"


def _item_and_enterprises(body: Body) -> tuple[Item, list[Enterprise]] | None:
    """The body's special-equipment item and thirteen enterprises it applies to, bearing
    makers first."""
    item = Item.objects.published().filter(body=body, code=ITEM).first()
    if item is None:
        return None
    enterprises = list(
        city_enterprises().filter(status="active").select_related("industry").order_by("pk")[:3000]
    )
    enterprises.sort(key=lambda e: not e.industry_code.startswith("34"))
    fits = [e for e in enterprises if applicable_items([item], full_industry_code(e))]
    return (item, fits[:13]) if len(fits) >= 13 else None


# title -> (why it cannot join a planned or joint visit, why nothing lighter replaces it)
REASONS = {
    "轴承企业起重机械专项检查": (
        "须在事故后两周内完成排查，相关企业本年度联合检查窗口在下季度",
        "现有互认结果不含起重机械要点；企业无在线监测；设备状态须现场查看",
    ),
    "燃气使用安全临时检查": (
        "入冬前须完成，下一轮联合检查在明年一季度",
        "燃气管道属压力管道，老化情况须现场查看；书面材料无法反映",
    ),
    "特种设备年终例行检查": (
        "可并入下一季度联合检查",
        "企业检定证书可书面核查",
    ),
}


def _file(
    admin: User,
    body: Body,
    item: Item,
    enterprises: list[Enterprise],
    kind: str,
    title: str,
    cause: str,
    today: dt.date,
) -> Assessment:
    why_not_joint, why_not_replaced = REASONS[title]
    return do_file_assessment(
        actor=ACTOR,
        by=admin,
        body=body,
        app=Application(
            kind=kind,
            title=title,
            cause=cause,
            legal_basis=f"{item.code} {item.name}：{item.legal_basis}",
            why_not_joint=why_not_joint,
            why_not_replaced=why_not_replaced,
            burden="每家两名执法人员、约两小时，不停产",
            window_start=today,
            window_end=today + dt.timedelta(days=21),
        ),
        enterprises=enterprises,
        items=[item],
    )


def _team(body: Body, day: dt.date) -> list[Inspector]:
    return list(Inspector.objects.certified(day).filter(body=body).order_by("pk")[:2])


def _visit_under(
    assessment: Assessment, enterprise: Enterprise, body: Body, today: dt.date
) -> None:
    day = _next_working_day(today + dt.timedelta(days=1))
    team = _team(body, day)
    if len(team) < 2:
        return
    do_register_visit(
        actor=ACTOR,
        by=assessment.filed_by,
        reg=Registration(
            enterprise=enterprise,
            lead_body=body,
            date=day,
            inspectors=team,
            items=list(assessment.items.all()),
        ),
    )


def _emergency(body: Body, item: Item, enterprise: Enterprise, today: dt.date) -> Visit | None:
    day = today - dt.timedelta(days=8)
    team = _team(body, day)
    if len(team) < 2:
        return None
    visit = do_register_visit(
        actor=ACTOR,
        by=None,
        reg=Registration(
            enterprise=enterprise,
            lead_body=body,
            date=day,
            inspectors=team,
            items=[item],
            origin=Visit.Origin.EMERGENCY,
            cause="夜间接报：车间行车钢丝绳断裂，一人受伤",
            late_reason="夜间出警处置事故，平台补录",
        ),
    )
    Visit.objects.filter(pk=visit.pk).update(
        status=Visit.Status.CLOSED,
        checked_in_at=timezone.now() - dt.timedelta(days=8),
        closed_at=timezone.now() - dt.timedelta(days=8),
    )
    return visit
