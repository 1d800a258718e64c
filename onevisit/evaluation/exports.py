"""工业绿色诊断 as a PDF, in Chinese: the enterprise's indicators against its industry in the city,
its weakest ones, and the recommendations issued, each tied to the indicator it improves."""

from __future__ import annotations

from decimal import Decimal

from onevisit.evaluation.models import Diagnosis
from onevisit.evaluation.queries import compare_with_industry
from onevisit.evaluation.scoring import INDICATORS
from onevisit.inspections.documents import Document

NAMES = {code: name for code, name, _unit in INDICATORS}


def _number(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def diagnosis_pdf(diagnosis: Diagnosis) -> bytes:
    entry = diagnosis.entry
    enterprise = entry.enterprise
    pdf = Document(
        f"{enterprise.name}工业绿色诊断报告",
        f"涉企行政检查协同平台 · {entry.year.year}年度亩产效益评价 · 诊断 #{diagnosis.pk}",
    )
    pdf.pairs(
        [
            ("企业名称", enterprise.name),
            ("统一社会信用代码", enterprise.uscc),
            ("所属行业", f"{enterprise.industry.name}（{enterprise.industry_code}）"),
            ("评价年度", str(entry.year.year)),
            ("综合得分 / 类别", f"{entry.score} / {entry.klass} 类"),
            ("诊断部门", entry.year.lead_body.name),
            ("出具日期", diagnosis.issued.isoformat() if diagnosis.issued else "（草稿）"),
        ]
    )
    comparisons = compare_with_industry(entry)
    pdf.heading("一、主要指标与全市同行业对比")
    pdf.grid(
        ("指标", "本企业", "行业中位数", "行业前25%", "单位"),
        (52, 30, 30, 30, 38),
        [
            [c.name, _number(c.own), _number(c.median), _number(c.top_quartile), c.unit]
            for c in comparisons
        ],
    )
    peers = max((c.peers for c in comparisons), default=0)
    pdf.paragraph(f"同行业（{enterprise.industry.name}）参评企业 {peers} 家。")
    weakest = sorted(entry.parts, key=lambda p: (Decimal(p["ratio"]), p["code"]))[:2]
    pdf.heading("二、短板指标")
    pdf.paragraph(
        "；".join(
            f"{NAMES[p['code']]}（达到基准值的 {Decimal(p['ratio']) * 100:.0f}%）" for p in weakest
        )
    )
    pdf.heading("三、改进建议")
    advice = list(diagnosis.advice.select_related("recommendation"))
    for number, item in enumerate(advice, 1):
        recommendation = item.recommendation
        pdf.paragraph(
            f"{number}. {recommendation.title}（提升：{NAMES[recommendation.indicator]}）"
            f"\n{recommendation.text}"
        )
    if diagnosis.summary:
        pdf.heading("四、诊断意见")
        pdf.paragraph(diagnosis.summary)
    pdf.ln(8)
    pdf.paragraph(f"{entry.year.lead_body.name}（印章）")
    return bytes(pdf.output())
