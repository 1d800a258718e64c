"""The demo city's 亩产效益 evaluation: two years of its 规上 industrial enterprises, with figures
plausible for 聊城's industries (bearings in 临清, chemicals, building materials, aluminium and
steel sheet), the earlier year final, the later one published with objections (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.evaluation.actions import (
    do_confirm,
    do_decide,
    do_draft_diagnosis,
    do_finalise,
    do_follow_up,
    do_issue_diagnosis,
    do_object,
    do_open_year,
    do_publish,
    do_score,
    scope_of,
)
from onevisit.evaluation.models import FIGURE_CODES, Entry, Recommendation, Year
from onevisit.registry.models import Body

ACTOR = Actor.system("demo")
SCALE_FLOOR = 20  # employees: the least a 规上 enterprise of the demo has
# division -> (sales per employee 万元, sales per tce 万元, emissions t per tce, R&D share %)
PROFILES: dict[str, tuple[int, float, float, float]] = {
    "34": (65, 3.2, 0.0008, 2.8),  # 临清 bearings
    "26": (160, 0.9, 0.0040, 1.6),  # chemicals
    "30": (85, 0.5, 0.0060, 0.9),  # building materials
    "32": (220, 0.6, 0.0030, 1.0),  # 茌平 aluminium
    "31": (180, 0.7, 0.0035, 0.8),  # 冠县 steel sheet
    "33": (70, 2.5, 0.0010, 1.5),
    "38": (90, 4.0, 0.0005, 3.2),  # 阳谷 cables
    "17": (45, 2.0, 0.0015, 0.7),  # textiles
    "22": (95, 1.1, 0.0030, 1.1),  # 高唐 paper
    "27": (120, 3.5, 0.0012, 4.5),  # 东阿 gelatin, pharmacy
    "36": (140, 4.5, 0.0006, 3.8),  # 开发区 buses
}
DEFAULT_PROFILE = (75, 2.0, 0.0015, 1.5)
CATALOGUE = [
    (
        "sales_per_energy",
        "电机能效提升",
        "淘汰低效电机，更换 IE3 及以上高效电机，风机水泵加装变频调速。",
    ),
    (
        "sales_per_energy",
        "余热余压回收",
        "回收窑炉、锅炉烟气及工艺余热用于供暖和预热，降低综合能耗。",
    ),
    ("sales_per_energy", "能源管控中心", "建设能源在线监测与管控系统，分车间、分设备计量考核。"),
    ("sales_per_emission", "清洁生产审核", "开展清洁生产审核，从源头削减污染物产生量。"),
    ("sales_per_emission", "末端治理设施提标", "脱硫脱硝、除尘设施升级改造，稳定达到超低排放。"),
    (
        "tax_per_mu",
        "低效用地盘活",
        "对闲置厂房、低效用地实施“腾笼换鸟”，或建设多层标准厂房提高容积率。",
    ),
    ("tax_per_mu", "产品结构升级", "发展高附加值产品，提高单位用地产出和税收。"),
    ("rnd_share", "研发机构建设", "建设企业技术中心或工程研究中心，申报研发费用加计扣除。"),
    ("rnd_share", "产学研合作", "与高校、科研院所联合攻关关键工艺，设立研发专项经费。"),
    ("output_per_employee", "智能化改造", "实施“机器换人”和数字化车间改造，提高全员劳动生产率。"),
]


def _figures(entry: Entry, rng: random.Random, growth: float) -> dict[str, Decimal]:
    enterprise = entry.enterprise
    per_head, per_tce, emission, rnd_share = PROFILES.get(enterprise.industry_id, DEFAULT_PROFILE)
    employees = max(enterprise.employees or SCALE_FLOOR, SCALE_FLOOR)
    sales = employees * per_head * rng.uniform(0.6, 1.5) * growth
    energy = sales / (per_tce * rng.uniform(0.7, 1.4) * growth)
    land = enterprise.land_area_mu if enterprise.land_area_mu else Decimal(rng.randint(10, 300))
    return {
        "tax": Decimal(round(sales * rng.uniform(0.025, 0.07), 2)),
        "sales": Decimal(round(sales, 2)),
        "energy_tce": Decimal(round(energy, 2)),
        "emissions_t": Decimal(round(energy * emission * rng.uniform(0.6, 1.5), 3)),
        "rnd": Decimal(round(sales * rnd_share / 100 * rng.uniform(0.3, 1.6), 2)),
        "employees": Decimal(employees),
        "land_mu": Decimal(land),
    }


def _fill(year: Year, rng: random.Random, growth: float) -> None:
    entries = list(year.entries.select_related("enterprise"))
    for entry in entries:
        for code, value in _figures(entry, rng, growth).items():
            setattr(entry, code, value)
        if rng.random() < 0.04:
            entry.emissions_t = None  # not reported: scored at the scope's mean
    Entry.objects.bulk_update(entries, list(FIGURE_CODES), batch_size=1000)


def _diagnose(year: Year, body: Body) -> None:
    """The catalogue, and diagnoses for the weakest enterprises of the final year."""
    Recommendation.objects.bulk_create(
        Recommendation(body=body, indicator=code, title=title, text=text)
        for code, title, text in CATALOGUE
    )
    issued = dt.date(year.year + 1, 7, 15)
    for n, entry in enumerate(year.entries.filter(klass__in=["C", "D"]).order_by("score")[:6]):
        diagnosis = do_draft_diagnosis(actor=ACTOR, entry=entry)
        do_issue_diagnosis(
            actor=ACTOR,
            by=None,
            diagnosis=diagnosis,
            today=issued,
            summary="建议对照行业先进水平，优先补齐短板指标，纳入下一年度技改计划。",
            recommendations=[a.recommendation for a in diagnosis.advice.all()],
        )
        if n % 2 == 0:
            first = diagnosis.advice.first()
            if first is not None:
                do_follow_up(
                    actor=ACTOR,
                    advice=first,
                    note="已列入年度技改计划并完成设备招标",
                    today=issued + dt.timedelta(days=90),
                )


def load_evaluation(say: Callable[[str], object]) -> None:
    if Year.objects.exists():
        return
    bodies = {b.code: b for b in Body.objects.filter(code__in=["LC-GXJ", "LC-STHJ", "LC-ZRZY"])}
    if len(bodies) < 3:
        return
    gxj = bodies["LC-GXJ"]
    sources = dict.fromkeys(FIGURE_CODES, gxj)
    sources |= {"emissions_t": bodies["LC-STHJ"], "land_mu": bodies["LC-ZRZY"]}
    today = timezone.localdate()
    rng = random.Random(2019)
    with transaction.atomic():
        for offset, growth in ((2, 1.0), (1, 1.09)):
            number = today.year - offset
            year = do_open_year(
                actor=ACTOR,
                year=number,
                lead_body=gxj,
                sources=sources,
            )
            own = User.objects.filter(username="enterprise").values_list("enterprise", flat=True)
            for enterprise in scope_of(year.industries, year.excluded, year.area_id).filter(
                pk__in=own
            ):
                # the demo account's enterprise is not 规上 in the register: the lead adds it,
                # as its import of figures would, so that the enterprise persona takes part
                Entry.objects.get_or_create(year=year, enterprise=enterprise)
            _fill(year, rng, growth)
            do_score(actor=ACTOR, year=year)
            entries = list(year.entries.select_related("enterprise").order_by("pk")[:12])
            if len(entries) < 10:  # a tiny demo city: scored, nothing published
                continue
            for entry in entries[:8]:
                do_confirm(actor=ACTOR, entry=entry)
            if offset == 2:
                published = dt.date(number + 1, 5, 12)
                do_publish(actor=ACTOR, by=None, year=year, today=published)
                objection = do_object(
                    actor=ACTOR,
                    entry=entries[8],
                    reason="用地面积含代征道路及绿化带，请按不动产权证核减",
                    today=published,
                )
                do_decide(
                    actor=ACTOR,
                    objection=objection,
                    upheld=False,
                    reason="经自然资源部门核实，用地面积以不动产权证为准，未含代征道路",
                    now=timezone.now(),
                )
                corrected = do_object(
                    actor=ACTOR,
                    entry=entries[9],
                    reason="综合能耗误计入向园区转供的蒸汽，请核减",
                    today=published,
                )
                energy = entries[9].energy_tce
                do_decide(
                    actor=ACTOR,
                    objection=corrected,
                    upheld=True,
                    reason="经节能监察核实，转供蒸汽折标煤应予扣除",
                    now=timezone.now(),
                    corrections={"energy_tce": (energy * Decimal("0.8")).quantize(Decimal("0.1"))}
                    if energy
                    else {"energy_tce": Decimal(1000)},
                )
                do_finalise(actor=ACTOR, by=None, year=year, today=dt.date(number + 1, 6, 2))
            else:
                do_publish(actor=ACTOR, by=None, year=year, today=today)
                for entry, reason in zip(
                    entries[8:10],
                    [
                        "研发费用未计入委托外部研发部分，请核增",
                        "综合能耗含向园区转供的蒸汽，请核减",
                    ],
                    strict=True,
                ):
                    do_object(actor=ACTOR, entry=entry, reason=reason, today=today)
        final = Year.objects.get(year=today.year - 2, lead_body=gxj)
        if final.is_final:  # a tiny demo city publishes nothing, so it diagnoses nothing
            _diagnose(final, gxj)
    say(
        f"亩产效益: {Year.objects.count()} years, "
        f"{Entry.objects.filter(year__year=today.year - 1).count()} enterprises evaluated."
    )
