"""工业绿色诊断 as a PDF, in Chinese: the enterprise's indicators against its industry in the city,
its weakest ones, and the recommendations issued, each tied to the indicator it improves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from onevisit.evaluation.scoring import INDICATORS
from onevisit.inspections.documents import Document

NAMES = {code: name for code, name, _unit in INDICATORS}


def _value(text: str | None) -> str:
    return "—" if text is None else f"{Decimal(text):,.2f}"


def diagnosis_pdf(report: dict[str, Any], label: str) -> bytes:
    """The report from what an issued version froze (`actions.diagnosis_snapshot`): the same
    PDF for as long as the version is kept, whatever changes after it."""
    pdf = Document(
        f"{report['enterprise']}工业绿色诊断报告",
        f"涉企行政检查协同平台 · {report['year']}年度亩产效益评价 · 诊断 {label}",
    )
    pdf.pairs(
        [
            ("企业名称", report["enterprise"]),
            ("统一社会信用代码", report["uscc"]),
            ("所属行业", report["industry"]),
            ("评价年度", str(report["year"])),
            ("综合得分 / 类别", f"{report['score']} / {report['class']} 类"),
            ("诊断部门", report["body"]),
            ("出具日期", report["issued"] or "（草稿）"),
        ]
    )
    pdf.heading("一、主要指标与全市同行业对比")
    pdf.grid(
        ("指标", "本企业", "行业中位数", "行业前25%", "单位"),
        (52, 30, 30, 30, 38),
        [
            [name, _value(own), _value(median), _value(top), unit]
            for _code, name, own, median, top, unit, _peers in report["comparisons"]
        ],
    )
    peers = max((row[6] for row in report["comparisons"]), default=0)
    pdf.paragraph(f"同行业（{report['industry_name']}）参评企业 {peers} 家。")
    pdf.heading("二、短板指标")
    pdf.paragraph(
        "；".join(
            f"{NAMES[code]}（达到基准值的 {Decimal(ratio) * 100:.0f}%）"
            for code, ratio in report["weakest"]
        )
    )
    pdf.heading("三、改进建议")
    for number, (title, indicator, text) in enumerate(report["recommendations"], 1):
        pdf.paragraph(f"{number}. {title}（提升：{NAMES[indicator]}）\n{text}")
    if report["summary"]:
        pdf.heading("四、诊断意见")
        pdf.paragraph(report["summary"])
    pdf.ln(8)
    pdf.paragraph(f"{report['body']}（印章）")
    return bytes(pdf.output())
