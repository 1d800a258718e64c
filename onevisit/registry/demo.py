"""A deterministic synthetic 聊城 for the demo and the benchmarks.

Real district codes and real department names; enterprises with valid credit codes and
plausible names, industries and districts. The same N always gives the same city.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from onevisit.registry import industries
from onevisit.registry.identifiers import make_uscc

if TYPE_CHECKING:
    from onevisit.registry.models import EnterpriseQuerySet

SEED = 371500
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# (code, name, level, district, kind, entrusting code, duties)
CITY_BODIES: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "LC-SCJG",
        "聊城市市场监督管理局",
        "city",
        "371500",
        "administrative",
        "",
        "食品经营、特种设备、产品质量、计量、价格等市场监管执法",
    ),
    (
        "LC-STHJ",
        "聊城市生态环境局",
        "city",
        "371500",
        "administrative",
        "",
        "排污许可执行、大气水土壤污染防治、环境影响评价执法",
    ),
    (
        "LC-YJGL",
        "聊城市应急管理局",
        "city",
        "371500",
        "administrative",
        "",
        "危险化学品、工贸行业安全生产执法",
    ),
    (
        "LC-JTYS",
        "聊城市交通运输局",
        "city",
        "371500",
        "administrative",
        "",
        "道路运输、水路运输、交通建设工程执法",
    ),
    (
        "LC-ZJ",
        "聊城市住房和城乡建设局",
        "city",
        "371500",
        "administrative",
        "",
        "建筑施工安全、建筑市场、物业与燃气执法",
    ),
    (
        "LC-CSGL",
        "聊城市城市管理局",
        "city",
        "371500",
        "administrative",
        "",
        "市容环境卫生、城市道路与排水设施执法",
    ),
    (
        "LC-WHLY",
        "聊城市文化和旅游局",
        "city",
        "371500",
        "administrative",
        "",
        "旅行社、娱乐场所、文物保护执法",
    ),
    (
        "LC-WSJK",
        "聊城市卫生健康委员会",
        "city",
        "371500",
        "administrative",
        "",
        "公共场所卫生、医疗机构、职业卫生执法",
    ),
    (
        "LC-XFJY",
        "聊城市消防救援支队",
        "city",
        "371500",
        "authorized",
        "",
        "消防安全检查（依《中华人民共和国消防法》授权）",
    ),
    (
        "LC-RSJ",
        "聊城市人力资源和社会保障局",
        "city",
        "371500",
        "administrative",
        "",
        "劳动用工、工资支付、社会保险执法",
    ),
    (
        "LC-NYNC",
        "聊城市农业农村局",
        "city",
        "371500",
        "administrative",
        "",
        "农药、兽药、饲料、种子执法",
    ),
    (
        "LC-ZRZY",
        "聊城市自然资源和规划局",
        "city",
        "371500",
        "administrative",
        "",
        "土地利用、矿产资源、规划执法",
    ),
    (
        "LC-SLJ",
        "聊城市水利局",
        "city",
        "371500",
        "administrative",
        "",
        "取水许可、河道管理、水土保持执法",
    ),
    (
        "LC-GXJ",
        "聊城市工业和信息化局",
        "city",
        "371500",
        "administrative",
        "",
        "节能监察、淘汰落后产能、工业领域执法",
    ),
    (
        "LC-SWJ",
        "聊城市商务局",
        "city",
        "371500",
        "administrative",
        "",
        "成品油流通、单用途商业预付卡、报废机动车回收执法",
    ),
    (
        "LC-NYZF",
        "聊城市农业综合行政执法支队",
        "city",
        "371500",
        "entrusted",
        "LC-NYNC",
        "受农业农村局委托开展农业综合执法",
    ),
    (
        "LC-WHZF",
        "聊城市文化市场综合执法支队",
        "city",
        "371500",
        "entrusted",
        "LC-WHLY",
        "受文化和旅游局委托开展文化市场执法",
    ),
]

COUNTY_PREFIX = {
    "371502": ("DCF", "东昌府区"),
    "371503": ("CP", "茌平区"),
    "371521": ("YG", "阳谷县"),
    "371522": ("SX", "莘县"),
    "371524": ("DE", "东阿县"),
    "371525": ("GX", "冠县"),
    "371526": ("GT", "高唐县"),
    "371581": ("LQ", "临清市"),
}
COUNTY_DEPARTMENTS = [("SCJG", "市场监督管理局"), ("STHJ", "生态环境分局"), ("YJGL", "应急管理局")]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国志红晓宁海峰亮斌欣宇浩然"

ZI_FIRST = "鲁聊华恒鑫泰宏瑞盛源祥德昌隆金信诚嘉鼎凯新东兴荣丰汇博远海润天永正宇中福运通达"
ZI_SECOND = "昌达泰安盛源丰瑞宏鑫隆祥润德康和信发海华辰宇博诚嘉通利旺洋凯耀晟峰腾益"

# district code -> weighted industry divisions typical for that place
DISTRICT_WEIGHTS: dict[str, int] = {
    "371502": 22,
    "371503": 9,
    "371521": 9,
    "371522": 10,
    "371524": 6,
    "371525": 8,
    "371526": 7,
    "371581": 12,
    "371571": 8,
    "371572": 6,
    "371573": 3,
}
LOCAL_INDUSTRIES: dict[str, list[str]] = {
    "371581": ["34", "34", "34", "33", "51"],  # 临清: bearings
    "371521": ["38", "38", "33", "13"],  # 阳谷: cables
    "371503": ["32", "32", "26", "44"],  # 茌平: aluminium
    "371524": ["27", "27", "14", "62"],  # 东阿: donkey-hide gelatin, pharmacy
    "371525": ["31", "33", "17"],  # 冠县: steel sheet
    "371526": ["22", "17", "13"],  # 高唐: paper, textiles
    "371522": ["01", "03", "13"],  # 莘县: vegetables, livestock
    "371571": ["36", "38", "26", "29"],  # 开发区: buses, chemicals
    "371572": ["39", "65", "35"],
    "371573": ["61", "62", "72"],
}
COMMON_INDUSTRIES = [
    "51",
    "52",
    "52",
    "62",
    "54",
    "59",
    "47",
    "48",
    "50",
    "72",
    "70",
    "80",
    "14",
    "29",
    "30",
    "26",
    "33",
    "34",
    "45",
    "61",
    "86",
    "90",
    "84",
    "88",
]
TRADE_WORDS: dict[str, list[str]] = {
    "01": ["农业", "蔬菜种植"],
    "03": ["畜牧", "养殖"],
    "13": ["食品", "肉食品", "面粉"],
    "14": ["食品", "宠物食品"],
    "17": ["纺织", "棉纺"],
    "22": ["纸业", "包装"],
    "26": ["化工", "新材料"],
    "27": ["阿胶", "药业", "生物医药"],
    "29": ["塑业", "橡胶"],
    "30": ["建材", "水泥制品"],
    "31": ["钢板", "钢铁"],
    "32": ["铝业", "铝材"],
    "33": ["金属制品", "钢结构"],
    "34": ["轴承", "机械", "精密轴承"],
    "35": ["智能装备", "机械设备"],
    "36": ["客车", "汽车零部件"],
    "38": ["电缆", "电线电缆", "电器"],
    "39": ["电子", "光电"],
    "44": ["热电", "新能源"],
    "45": ["燃气", "天然气"],
    "47": ["建筑工程", "建设"],
    "48": ["路桥工程", "市政工程"],
    "50": ["装饰工程"],
    "51": ["商贸", "物资"],
    "52": ["超市", "百货", "便利店"],
    "54": ["物流", "运输", "客运"],
    "59": ["仓储", "冷链物流"],
    "61": ["酒店", "宾馆"],
    "62": ["餐饮", "饭店"],
    "65": ["软件", "信息技术"],
    "70": ["房地产开发", "置业"],
    "72": ["旅行社", "商务咨询"],
    "80": ["家政服务"],
    "84": ["医院", "诊所"],
    "86": ["文化传媒"],
    "88": ["文化艺术"],
    "90": ["娱乐"],
}
FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
STREETS = [
    "建设路",
    "东昌路",
    "柳园路",
    "花园路",
    "振兴路",
    "兴华路",
    "光岳路",
    "湖南路",
    "黄河路",
    "长江路",
    "昌润路",
    "松桂路",
    "向阳路",
    "聊堂路",
    "卫育路",
    "嵩山路",
]


@dataclass(frozen=True)
class DemoEnterprise:
    uscc: str
    name: str
    district: str
    industry: str
    industry_code: str
    address: str
    legal_representative: str
    land_area_mu: Decimal
    employees: int
    status: str

    @property
    def above_scale(self) -> bool:
        """规上, as the demo city's statistics list would have it: industry (sections B-D) with
        20 or more employees (the bureau's real test is 20 million yuan of revenue)."""
        return "06" <= self.industry <= "46" and self.employees >= 20


def _class_of(division: str, pick: int) -> str:
    """One of the division's GB/T 4754 classes; most registered enterprises name a class."""
    classes = industries.classes_of(division)
    return classes[pick % len(classes)]


def _org_body(index: int) -> str:
    """A distinct 8-character organisation-code body per index: "MA" + 6 base-31 digits."""
    scrambled = (index * 387_420_489 + 12_345) % 31**6  # 3^18 is coprime with 31^6
    digits = []
    for _ in range(6):
        scrambled, rest = divmod(scrambled, 31)
        digits.append(USCC_ALPHABET[rest])
    return "MA" + "".join(reversed(digits))


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _weighted_district(rng: random.Random) -> str:
    codes = list(DISTRICT_WEIGHTS)
    return rng.choices(codes, weights=[DISTRICT_WEIGHTS[c] for c in codes])[0]


PROVINCE = "37"  # 山东
CITY = "371500"  # 聊城, the demo city
DEMO_ENTERPRISE_DISTRICT = "371581"  # 临清


@dataclass(frozen=True)
class _Province:
    """Where the province demo puts enterprises: each city an equal share, spread over 聊城's
    divisions by its weights and evenly over every other city's."""

    codes: list[str]
    cumulative: list[float]
    names: dict[str, str]
    city_of: dict[str, str]

    @classmethod
    def load(cls) -> _Province:
        from onevisit.registry.models import District

        rows = list(District.objects.values_list("code", "name", "parent_id", "kind"))
        names = {code: name for code, name, _parent, _kind in rows}
        city_of = {code: parent for code, _name, parent, kind in rows if parent and kind != "city"}
        codes: list[str] = []
        cumulative: list[float] = []
        total = 0.0
        for city in sorted({c for c in city_of.values() if c[:2] == PROVINCE}):
            divisions = sorted(code for code, parent in city_of.items() if parent == city)
            weights = (
                [DISTRICT_WEIGHTS.get(code, 0) for code in divisions]
                if city == CITY
                else [1] * len(divisions)
            )
            for code, weight in zip(divisions, weights, strict=True):
                if weight:
                    total += weight / sum(weights)
                    codes.append(code)
                    cumulative.append(total)
        return cls(codes, cumulative, names, city_of)

    def district(self, rng: random.Random) -> str:
        return rng.choices(self.codes, cum_weights=self.cumulative)[0]

    def places(self, district: str) -> tuple[list[str], str]:
        """Name prefixes an enterprise there may take, and its address up to the street."""
        city = self.city_of[district]
        city_name, name = self.names[city], self.names[district]
        return (
            [_short(name), _short(city_name), "山东"],
            f"山东省{city_name}{name}",
        )


def city_enterprises() -> EnterpriseQuerySet:
    """The demo city's enterprises, which its bodies inspect (the province has more)."""
    from onevisit.registry.models import Enterprise

    return Enterprise.objects.in_area(CITY)


def _short(name: str) -> str:
    stem = name[:-1]
    return stem if len(stem) >= 2 else name


def enterprises(count: int, start: int = 0, *, province: bool = False) -> Iterator[DemoEnterprise]:
    """Enterprises number `start` to `count - 1`; names stay unique across all of them.

    With `province`, the enterprises spread over every city of 山东 whose divisions the
    District table holds (`onevisit demo --province` loads them); 聊城's keep its own mix.
    """
    from onevisit.registry.models import District  # place names from the shipped table

    short = {d.code: d.name for d in District.objects.all()}
    spread = _Province.load() if province else None
    seen: set[str] = set()
    for index in range(count):
        rng = random.Random(SEED * 1_000_003 + index)
        district = spread.district(rng) if spread else _weighted_district(rng)
        pool = LOCAL_INDUSTRIES.get(district, []) + COMMON_INDUSTRIES
        division = rng.choice(pool)
        trade = rng.choice(TRADE_WORDS.get(division, ["实业"]))
        elsewhere = spread is not None and district[:4] != CITY[:4]
        if elsewhere:
            assert spread is not None
            places, street_prefix = spread.places(district)
            place = rng.choice(places)
        else:
            street_prefix = f"山东省聊城市{short[district]}"
            place = (
                rng.choice(
                    [
                        short[district]
                        .removesuffix("经济技术开发区")
                        .removesuffix("高新技术产业开发区"),
                        "聊城",
                        "山东",
                    ]
                )
                if district != "371573"
                else "聊城"
            )
        name = ""
        for attempt in range(50):
            zihao = rng.choice(ZI_FIRST) + rng.choice(ZI_SECOND)
            if attempt > 5:
                zihao += rng.choice(ZI_SECOND)
            name = f"{place}{zihao}{trade}{rng.choice(FORMS)}"
            if name not in seen:
                break
        seen.add(name)
        if index < start:
            continue
        pick = rng.randint(0, 9) * 10 + rng.randint(0, 9) if rng.random() < 0.8 else None
        code = division if pick is None else _class_of(division, pick)
        yield DemoEnterprise(
            uscc=make_uscc("91", district if district[4] != "7" else CITY, _org_body(index)),
            name=name,
            district=district,
            industry=division,
            industry_code=code,
            address=f"{street_prefix}{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            legal_representative=person_name(rng),
            land_area_mu=Decimal(rng.randint(1, 4000)) / 4,
            employees=int(rng.paretovariate(1.3) * 8),
            status=rng.choices(["active", "deregistered", "revoked"], weights=[94, 4, 2])[0],
        )


def certificate_number(index: int) -> str:
    """Shandong-style enforcement certificate number: area, year, serial."""
    return f"3715{2019 + index % 6}{index:06d}"


def certificate_validity(index: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """Most valid for years; one in twenty expired, so the pages show what that means."""
    start = today - dt.timedelta(days=400 + (index * 37) % 900)
    if index % 20 == 7:
        return start, today - dt.timedelta(days=1 + index % 30)
    return start, today + dt.timedelta(days=30 + (index * 53) % 1500)
