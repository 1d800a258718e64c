"""The demo city's 淘汰落后产能 campaign (scaled from 聊城's figures: 165 enterprises, 20 lines
and 2,411 units retired since 2021): each chosen enterprise's 一企一策 list, most closed out on
proof, one retired kiln watched by a power monitor that shows it running again (idempotent)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from onevisit.audit.actions import Actor
from onevisit.campaigns.actions import do_bind_device, do_close_unit, do_record_dismantling
from onevisit.campaigns.models import Campaign, RetirementUnit
from onevisit.monitoring.actions import do_check_alerts
from onevisit.monitoring.models import Device, Reading, password_digest
from onevisit.registry.demo import city_enterprises
from onevisit.registry.models import Body, Enterprise
from onevisit.workdays.calendar import is_working_day

ACTOR = Actor.system("demo")
EQUIPMENT = [
    ("燃煤热处理炉", "RT2-75-9", "75 kW"),
    ("中频感应炉", "KGPS-250", "0.25 t/炉"),
    ("冲天炉", "5T", "5 t/h"),
    ("印染定型机", "MA-1200", ""),
    ("砖瓦轮窑", "18门", "3000万标砖/年"),
    ("燃煤小锅炉", "DZL2-1.25", "2 t/h"),
]
LINES = [("立窑水泥生产线", "", "8万 t/年"), ("平板玻璃生产线", "", "300 t/d")]


def _proof() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 120, 120)).save(buffer, format="PNG")
    return SimpleUploadedFile("拆除现场.png", buffer.getvalue(), "image/png")


def load_campaigns(say: Callable[[str], object]) -> None:
    if Campaign.objects.exists():
        return
    lead = Body.objects.filter(code="LC-GXJ").first()
    if lead is None:
        return
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="淘汰落后产能专项行动",
        kind=Campaign.Kind.OBSOLETE_CAPACITY,
        lead_body=lead,
        description="化工、建材为重点领域，部门联合督导 + 台账销号管理；一企一策，日常巡查 + 智能监测 + 群众监督，确保零复活。",
        starts=dt.date(today.year, 1, 1),
        ends=dt.date(today.year, 12, 31),
    )
    rng = random.Random(2021)
    enterprises = list(
        city_enterprises()
        .filter(status="active", industry_id__in=["26", "30", "31", "17", "33"])
        .order_by("pk")[:30]
    )
    units = []
    for n, enterprise in enumerate(enterprises):
        for _ in range(rng.randint(1, 3)):
            name, model, capacity = rng.choice(EQUIPMENT)
            units.append(
                _unit(
                    campaign,
                    enterprise,
                    "equipment",
                    name,
                    model,
                    capacity,
                    rng.randint(1, 40),
                    rng,
                )
            )
        if n % 10 == 0:
            name, model, capacity = rng.choice(LINES)
            units.append(_unit(campaign, enterprise, "line", name, model, capacity, 1, rng))
    for unit in units:
        if rng.random() < 0.75:
            do_record_dismantling(
                actor=ACTOR, unit=unit, note="设备已拆除切割，现场核验", proof=_proof()
            )
            if rng.random() < 0.85:
                do_close_unit(actor=ACTOR, unit=unit)
    _watch_one(units, today)
    say(
        f"Campaign {campaign.name}: {len(enterprises)} enterprises, {len(units)} entries to retire."
    )


def _unit(
    campaign: Campaign,
    enterprise: Enterprise,
    kind: str,
    name: str,
    model: str,
    capacity: str,
    count: int,
    rng: random.Random,
) -> RetirementUnit:
    return RetirementUnit.objects.create(
        campaign=campaign,
        enterprise=enterprise,
        kind=kind,
        name=name,
        model=model,
        capacity=capacity,
        count=count,
        deadline=campaign.starts + dt.timedelta(days=rng.randint(30, 330)),
    )


def _watch_one(units: list[RetirementUnit], today: dt.date) -> None:
    """A power monitor on a closed-out kiln that draws 45 kW at night: 复活."""
    closed = [u for u in units if u.status == RetirementUnit.Status.CLOSED]
    if not closed:
        return
    unit = closed[0]
    device = Device.objects.create(
        mn=f"PWR{unit.enterprise_id:010d}",
        password_sha256=password_digest("demo-power"),
        enterprise=unit.enterprise,
        equipment_unit=unit.name,
    )
    do_bind_device(actor=ACTOR, unit=unit, device=device)
    now = timezone.now()
    Reading.objects.bulk_create(
        Reading(
            device=device,
            factor="P",
            kind="Rtd",
            value=value,
            data_time=now - dt.timedelta(hours=hours),
            received=now,
        )
        for hours, value in ((6, 0.3), (5, 0.2), (3, 45.0), (2, 47.5))
    )
    Device.objects.filter(pk=device.pk).update(last_seen=now - dt.timedelta(hours=2))
    do_check_alerts(since=now - dt.timedelta(hours=12), now=now)


SITE_TYPES = {
    "在建建筑工地": ["防汛预案", "排水设施", "塔吊及脚手架", "临时用电", "深基坑/高边坡"],
    "居住小区": ["防汛物资（沙袋、水泵）", "排水系统", "地下空间"],
    "市政工程": ["排水管网", "检查井和雨水口", "易积水路段预案"],
    "历史文化街区": ["建筑防汛", "排水", "用电线路"],
}
SITES = {
    "在建建筑工地": [
        "东昌湖畔住宅项目",
        "高新区产业园三期",
        "徒骇河大桥引线工程",
        "临清市人民医院新院区",
        "阳谷县第二中学扩建",
        "开发区标准厂房",
    ],
    "居住小区": [
        "水城明珠小区",
        "东昌府区嘉和苑",
        "昌润花园",
        "古楼街道老旧小区",
        "兴华路安置小区",
        "柳园南路家属院",
    ],
    "市政工程": [
        "柳园路雨污分流改造",
        "东关街排水管网",
        "建设路下穿隧道",
        "花园北路积水点改造",
        "运河路泵站",
        "湖西片区管网",
    ],
    "历史文化街区": [
        "聊城古城",
        "临清中洲运河古城",
        "东昌府区米市街",
        "阳谷古县衙片区",
        "东阿铜城街",
        "茌平博平老街",
    ],
}


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def load_flood_campaign(say: Callable[[str], object]) -> None:
    from onevisit.accounts.models import User
    from onevisit.campaigns.actions import SiteFinding, do_record_site_check
    from onevisit.campaigns.models import SitePoint, SiteType, SupervisionGroup, Target
    from onevisit.registry.models import Inspector

    if Campaign.objects.filter(kind=Campaign.Kind.FLOOD).exists():
        return
    lead = Body.objects.filter(code="LC-ZJ").first()
    if lead is None:
        return
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="汛期防汛安全检查",
        kind=Campaign.Kind.FLOOD,
        lead_body=lead,
        description="住建局派出 6 个督导组，采取“四不两直”方式，对居住小区、在建工地、市政工程、拆迁项目和历史文化街区开展防汛检查；问题建立台账，明确责任人和整改时限，整改销号。",
        starts=dt.date(today.year if today.month >= 6 else today.year - 1, 6, 1),
        ends=dt.date(today.year if today.month >= 6 else today.year - 1, 9, 30),
        unannounced=True,
    )
    rng = random.Random(6)
    members = list(
        Inspector.objects.filter(
            body__code__in=["LC-ZJ", "LC-CSGL", "LC-SLJ"], active=True
        ).order_by("pk")
    )
    groups = []
    for n in range(6):
        group = SupervisionGroup.objects.create(
            campaign=campaign, name=f"第{'一二三四五六'[n]}督导组"
        )
        group.members.set(
            members[n * 3 : n * 3 + 3]
            if len(members) >= 18
            else rng.sample(members, k=min(3, len(members)))
        )
        groups.append(group)
    targets: list[Target] = []
    for type_name, points in SITE_TYPES.items():
        site_type = SiteType.objects.create(campaign=campaign, name=type_name)
        for number, content in enumerate(points, start=1):
            SitePoint.objects.create(site_type=site_type, number=number, content=content)
        for n, site in enumerate(SITES[type_name]):
            targets.append(
                Target.objects.create(
                    campaign=campaign,
                    name=site,
                    site_type=site_type,
                    responsible_unit=f"{site}建设（管理）单位",
                    responsible_person=f"项目负责人{n + 1}",
                    group=groups[len(targets) % 6],
                )
            )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.first()
    if admin is None:
        return
    days = [d for d in _days(campaign.starts, min(campaign.ends, today)) if is_working_day(d)]
    for n, target in enumerate(targets[::2]):
        assert target.site_type is not None and target.group is not None
        findings = [
            SiteFinding(p, "problem", f"{p.content}：落实不到位，存在隐患")
            if rng.random() < 0.3
            else SiteFinding(p, "ok")
            for p in target.site_type.points.all()
        ]
        # the groups went out in rounds through the flood season (四不两直)
        day = days[(n * len(days)) // max(1, len(targets[::2]))] if days else today
        do_record_site_check(
            actor=ACTOR,
            target=target,
            group=target.group,
            by=admin,
            findings=findings,
            entered_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9 + n % 6))),
        )
    say(f"Campaign {campaign.name}: 6 groups, {len(targets)} targets, {len(targets[::2])} checked.")
