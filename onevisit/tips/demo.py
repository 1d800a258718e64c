"""The demo city's tip categories (as the 12345 hotline's enterprise-related ones) and a few tips,
one of them verified, visited and rewarded (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.registry.demo import city_enterprises
from onevisit.registry.models import Body
from onevisit.tips.actions import (
    Report,
    do_acknowledge_tip,
    do_conclude_tip,
    do_record_reward,
    do_submit_tip,
)
from onevisit.tips.models import Category

# (code, name, group, body code, description)
CATEGORIES = [
    (
        "pollution",
        "偷排漏排、超标排放",
        "生态环境",
        "LC-STHJ",
        "废水、废气、固体废物违法排放，在线监测数据造假",
    ),
    ("food-safety", "食品安全", "市场监管", "LC-SCJG", "无证经营、过期食品、卫生条件差"),
    (
        "equipment-safety",
        "特种设备安全隐患",
        "市场监管",
        "LC-SCJG",
        "锅炉、电梯、叉车、起重机械违规使用",
    ),
    (
        "work-safety",
        "安全生产隐患",
        "应急管理",
        "LC-YJGL",
        "危险化学品、粉尘涉爆、有限空间等安全隐患",
    ),
    (
        "obsolete-capacity",
        "落后产能死灰复燃",
        "工业和信息化",
        "LC-GXJ",
        "已淘汰设备、生产线重新开工",
    ),
    ("fire-safety", "消防安全隐患", "消防救援", "LC-XFJY", "消防通道堵塞、消防设施损坏"),
]


def load_tips(say: Callable[[str], object]) -> None:
    if Category.objects.exists():
        return
    bodies = {b.code: b for b in Body.objects.filter(code__in=[c[3] for c in CATEGORIES])}
    for code, name, group, body, description in CATEGORIES:
        if body in bodies:
            Category.objects.create(
                code=code, name=name, group=group, body=bodies[body], description=description
            )
    pollution = Category.objects.filter(code="pollution").first()
    equipment = Category.objects.filter(code="equipment-safety").first()
    admin = User.objects.filter(role="body_admin", body__code="LC-SCJG").first()
    target = (
        city_enterprises().filter(status="active", industry__section_id="C").order_by("pk").first()
    )
    if pollution is None or equipment is None or target is None:
        return
    tip, _secret = do_submit_tip(
        report=Report(
            equipment,
            "厂里两台燃气锅炉的安全阀被铁丝捆死，夜班经常超压运行，工人都很担心。",
            enterprise_name=target.name,
            uscc=target.uscc,
            address=target.address,
            name="张先生",
            phone="13906351234",
        )
    )
    do_submit_tip(
        report=Report(
            pollution,
            "工业园区南门附近夜间有焚烧垃圾的烟味，不确定是哪家企业。",
            address="聊城经济技术开发区",
        )
    )
    if admin is not None:
        actor = Actor.of(admin)
        do_acknowledge_tip(actor=actor, tip=tip, by=admin, note="已受理，安排现场核查。")
        do_conclude_tip(
            actor=actor,
            tip=tip,
            by=admin,
            verified=True,
            note="现场核查属实，已责令立即停用并整改，安排特种设备专项检查。",
            visit_within_days=10,
        )
        do_record_reward(
            actor=actor, tip=tip, by=admin, amount=Decimal("1000"), note="按举报奖励办法"
        )
    say(
        f"Tips: {Category.objects.count()} categories; demo tip {tip.receipt} verified on {timezone.localdate()}."
    )
