"""Identifier checks for the registry. Pure Python: no Django import.

A 统一社会信用代码 (GB 32100-2015) must pass two independent checks: the MOD-31 check
character over all 18 characters (python-stdnum), and the GB 11714 check of the
organisation code held in characters 9-17. A resident ID number such as
362322198709086409 passes the first by coincidence and fails the second.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache

from stdnum import numdb
from stdnum.cn import uscc as stdnum_uscc

from onevisit.lib.problems import Problem, gettext_noop

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 §4: 0-9 and A-Y without I, O, S, V, Z

# GB 32100-2015 table 1: the registration authority (1st character) and the kinds of body it
# registers (2nd character). Sources: the standard's table (1-9, A, N, Y); the codes assigned
# since (36, 54, 55, 82, 99, G, J, Q) as listed by the peer implementation
# xiahaimoyu credentialkit (enums/OrgCategory.java). A code outside this table was never issued.
REGISTRATION_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "6": "商事调解组织",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": (
        "民政",
        {
            "1": "社会团体",
            "2": "民办非企业单位",
            "3": "基金会",
            "4": "村民委员会",
            "5": "居民委员会",
            "9": "其他",
        },
    ),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "2": "非法人工会组织", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社", "9": "其他"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "G": ("公安", {"1": "境外非政府组织代表机构", "9": "其他"}),
    "J": ("住房和城乡建设", {"1": "业主大会", "9": "其他"}),
    "N": (
        "农业农村",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Q": ("侨联", {"1": "区县级侨联组织", "2": "乡镇级侨联组织", "3": "村级侨联组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
# Characters 3-8: the registering authority's GB/T 2260 code; bodies registered by a national
# authority carry 100000.
NATIONAL_AREA = "100000"
INDUSTRY_CODE_RE = re.compile(r"^([A-T])?(\d{2})(\d{0,2})$")


class InvalidIdentifier(Problem):
    """A code that fails a check; the message says which check, in words an official can act on."""


def _org_char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise InvalidIdentifier(
        gettext_noop("character %(char)s is not allowed in an organisation code"), char=char
    )


def org_code_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    total = sum(_org_char_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def uscc_check_char(first17: str) -> str:
    return str(stdnum_uscc.calc_check_digit(first17))


def normalize_uscc(raw: str) -> str:
    return str(stdnum_uscc.compact(raw or ""))


@cache  # a register repeats a few hundred area codes; the table lookup is the costly check
def is_gbt2260_code(area: str) -> bool:
    """A county-level or higher GB/T 2260 code, current or abolished (python-stdnum's table of
    every edition since 1980 names 371523 茌平县, abolished in 2019)."""
    if len(area) != 6 or not area.isdigit():
        return False
    found = numdb.get("cn/loc").info(area)
    return len(found) == 2 and "county" in found[1][1]


def validate_uscc(raw: str, local_areas: Collection[str] = ()) -> str:
    """Return the compact code or raise InvalidIdentifier naming the failed check.
    `local_areas`: area codes the city uses that no GB/T 2260 edition lists."""
    code = normalize_uscc(raw)
    if len(code) != 18:
        raise InvalidIdentifier(
            gettext_noop("must have 18 characters, has %(length)s"), length=len(code)
        )
    if any(char not in USCC_ALPHABET for char in code) or not code[2:8].isdigit():
        raise InvalidIdentifier(
            gettext_noop(
                "characters 3-8 must be digits and the rest from 0-9 and A-Y without I, O, S, V, Z"
            )
        )
    if code[17] != uscc_check_char(code[:17]):
        raise InvalidIdentifier(
            gettext_noop("check character (18th) is wrong: expected %(expected)s"),
            expected=uscc_check_char(code[:17]),
        )
    org_body, org_check = code[8:16], code[16]
    if org_check != org_code_check_char(org_body):
        raise InvalidIdentifier(
            gettext_noop(
                "organisation code check (GB 11714, characters 9-17) is wrong: "
                "expected %(expected)s as the 17th character"
            ),
            expected=org_code_check_char(org_body),
        )
    _check_authority(code[0], code[1])
    area = code[2:8]
    if area != NATIONAL_AREA and area not in local_areas and not is_gbt2260_code(area):
        raise InvalidIdentifier(
            gettext_noop(
                "characters 3-8 (%(area)s) are not an area code of GB/T 2260, current or former"
            ),
            area=area,
        )
    return code


def _check_authority(authority: str, category: str) -> None:
    entry = REGISTRATION_AUTHORITIES.get(authority)
    if entry is None:
        raise InvalidIdentifier(
            gettext_noop(
                "the 1st character (%(code)s) is not a registration authority of GB 32100"
            ),
            code=authority,
        )
    name, categories = entry
    if category not in categories:
        raise InvalidIdentifier(
            gettext_noop(
                "the 2nd character (%(code)s) is not a kind of body that %(authority)s registers "
                "(GB 32100: %(allowed)s)"
            ),
            code=category,
            authority=name,
            allowed=", ".join(categories),
        )


def make_uscc(authority: str, district: str, org_body: str) -> str:
    """Build a valid code from its parts: 2 authority/category digits, 6-digit area, 8-char body."""
    first17 = authority + district + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


def split_industry_code(raw: str) -> tuple[str | None, str, str]:
    """Split a GB/T 4754-2017 code such as "C3451", "3451" or "34" into (section, division, full).

    Raises InvalidIdentifier if the shape is wrong; whether the division exists is the
    caller's question (the table lives in the database).
    """
    code = (raw or "").strip().upper()
    match = INDUSTRY_CODE_RE.match(code)
    if not match or len(match.group(3)) == 1:
        raise InvalidIdentifier(
            gettext_noop(
                "must be a GB/T 4754-2017 code of 2 or 4 digits, optionally after the "
                "section letter (e.g. C3451, 3451, 34)"
            )
        )
    section, division, rest = match.groups()
    return section, division, division + rest
