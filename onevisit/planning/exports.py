"""The annual plan as officials file it: an xlsx of every entry, and a PDF for 备案."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count

from onevisit.inspections.documents import Document
from onevisit.planning.models import AnnualPlan, PlanEntry

PLAN_HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "行政区划",
    "检查类别",
    "风险等级",
    "检查时间起",
    "检查时间止",
    "检查事项",
    "事由",
]
# A plan filed with the supervisor is Chinese whatever the reader's interface language.
KIND_LABELS = {"routine": "日常检查", "special": "专项检查", "triggered": "触发式检查"}
KIND_LABELS |= {"deployed": "上级部署", "recheck": "整改复查"}
TIER_LABELS = {"red": "红", "yellow": "黄", "green": "绿", "": "—"}


def _entries(plan: AnnualPlan) -> Any:
    return (
        plan.entries.select_related("enterprise__district")
        .prefetch_related("items")
        .order_by("window_start", "enterprise__name", "id")
    )


def plan_rows(plan: AnnualPlan) -> Iterator[list[Any]]:
    for n, entry in enumerate(_entries(plan).iterator(chunk_size=2000), start=1):
        yield _row(n, entry)


def _row(n: int, entry: PlanEntry) -> list[Any]:
    return [
        n,
        entry.enterprise.name,
        entry.enterprise.uscc,
        entry.enterprise.district.name,
        KIND_LABELS.get(entry.kind, entry.kind),
        TIER_LABELS.get(entry.tier, entry.tier),
        entry.window_start,
        entry.window_end,
        "；".join(f"{i.code} {i.name}" for i in entry.items.all()),
        entry.reason,
    ]


def _counted(labels: dict[str, str], counts: dict[str, int]) -> str:
    return "；".join(f"{labels.get(key, key)} {n}" for key, n in sorted(counts.items()))


def plan_pdf(plan: AnnualPlan) -> bytes:
    """年度检查计划（备案）: the summary the supervisor files, then every entry."""
    title = f"{plan.body.name}{plan.year}年度涉企行政检查计划"
    pdf = Document(title, f"涉企行政检查协同平台 · 年度计划 #{plan.pk}")
    kinds = dict(plan.entries.values_list("kind").annotate(n=Count("id")).order_by())
    tiers = dict(plan.entries.values_list("tier").annotate(n=Count("id")).order_by())
    pdf.pairs(
        [
            ("检查主体", plan.body.name),
            ("计划年度", str(plan.year)),
            ("检查总数", str(sum(kinds.values()))),
            ("按类别", "；".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(kinds.items()))),
            (
                "按风险等级",
                "；".join(f"{TIER_LABELS.get(t, t)} {n}" for t, n in sorted(tiers.items())),
            ),
            ("绿色企业", f"随机抽取 {plan.green_sample} 家（抽取池 {plan.green_pool} 家）"),
            ("报备状态", plan.get_status_display()),
        ]
    )
    pdf.heading("检查计划明细")
    rows = [
        [str(r[0]), r[1], r[4], r[5], f"{r[6]:%m-%d}–{r[7]:%m-%d}", r[8]] for r in plan_rows(plan)
    ]
    pdf.grid(("序号", "企业", "类别", "等级", "时间", "检查事项"), (12, 52, 20, 12, 22, 62), rows)
    pdf.ln(8)
    pdf.paragraph(f"{plan.body.name}（印章）        报备日期：__________")
    return bytes(pdf.output())
