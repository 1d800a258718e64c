"""The visit's documents as PDF with Chinese fonts: the on-site record (现场检查笔录) and the
feedback report (体检式反馈). The font ships with onevisit (onevisit/fonts/), never the network."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from onevisit.inspections.checklist import Row, merge
from onevisit.inspections.models import Finding, PointResult, Visit, visit_points

# Noto Sans CJK SC cut to GBK's characters (onevisit/fonts/README.md).
BUNDLED_FONT = Path(__file__).resolve().parent.parent / "fonts" / "NotoSansSC-GBK.otf"
# Official documents are in Chinese whatever the reader's interface language.
OUTCOME_MARK = {"compliant": "合格", "noncompliant": "不合格", "na": "不适用"}
SEVERITY = {"minor": "轻微", "general": "一般", "serious": "严重"}
ORIGIN = {
    "planned": "年度计划",
    "drawn": "双随机抽查",
    "triggered": "触发式检查",
    "emergency": "紧急检查",
    "other": "非执法性入企",
}


class FontMissing(RuntimeError):
    """The configured font file (ONEVISIT_PDF_FONT) does not exist."""


def chinese_font() -> tuple[str, int]:
    """The configured font file, else the bundled one; (path, face in a collection)."""
    configured = getattr(settings, "ONEVISIT_PDF_FONT", "")
    if not configured:
        return str(BUNDLED_FONT), 0
    if not Path(configured).is_file():
        raise FontMissing(f"ONEVISIT_PDF_FONT names no file: {configured}")
    return configured, getattr(settings, "ONEVISIT_PDF_FONT_INDEX", 0)


class Document(FPDF):
    def __init__(self, title: str, reference: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        self.reference = reference
        path, index = chinese_font()
        self.add_font("cjk", "", path, collection_font_number=index)
        self.add_font("cjk", "B", path, collection_font_number=index)
        self.set_font("cjk", size=10)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_creator("涉企行政检查协同平台")
        self.add_page()

    def header(self) -> None:
        self.set_font("cjk", size=16)
        self.cell(0, 10, self.doc_title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("cjk", size=10)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("cjk", size=8)
        self.cell(0, 8, f"{self.reference}    第 {self.page_no()} 页", align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("cjk", size=12)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("cjk", size=10)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        with self.table(
            col_widths=(30, 150), first_row_as_headings=False, text_align="LEFT"
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value or "—")

    def grid(
        self, headings: tuple[str, ...], widths: tuple[int, ...], rows: list[list[str]]
    ) -> None:
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)),
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(text)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def _local(when: object) -> str:
    if when is None:
        return "—"
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _rows(visit: Visit) -> list[Row]:
    results = list(visit.results.all())
    findings = list(visit.findings.select_related("point__item"))
    return merge(visit_points(visit), results, findings)


def _team(visit: Visit) -> str:
    return "；".join(
        f"{i.name}（{i.body.name}，执法证号 {i.certificate_number}）"
        for i in visit.inspectors.select_related("body")
    )


def _basics(visit: Visit) -> list[tuple[str, str]]:
    code = visit.current_code()
    return [
        ("被检查单位", visit.enterprise.name),
        ("统一社会信用代码", visit.enterprise.uscc),
        ("地址", visit.enterprise.address),
        ("检查日期", visit.date.isoformat()),
        ("检查主体", "、".join(b.name for b in visit.bodies.all())),
        ("牵头部门", visit.lead_body.name),
        ("检查人员", _team(visit)),
        ("检查码", code.display if code else "—"),
        ("检查事项", "；".join(f"{i.code} {i.name}" for i in visit.items.all())),
    ]


PLATFORM = "涉企行政检查协同平台"
NOTICES = (
    "检查人员已向被检查单位出示执法证件，表明身份，并告知检查事项和依据。",
    "被检查单位享有陈述、申辩的权利；认为检查人员与本单位有直接利害关系或者其他关系，"
    "可能影响公正检查的，有权申请回避。",
)


def _number_line(pdf: Document, number: str) -> None:
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 7, f"文书编号：{number}", align="R", new_x="LMARGIN", new_y="NEXT")


def _signature_lines(pdf: Document, visit: Visit) -> None:
    """Each officer signs on their own line, the enterprise's representative on another."""
    confirmed = {c.inspector_id: c.confirmed_at for c in visit.confirmations.all()}
    rows = [
        (
            f"检查人员 {i.name}",
            f"执法证号 {i.certificate_number}    签名：__________    {_local(confirmed.get(i.pk))}",
        )
        for i in visit.inspectors.select_related("body").order_by("pk")
    ]
    rows.append(
        (
            "被检查单位代表",
            f"{visit.enterprise_signed_by}    签名：__________    "
            f"{_local(visit.enterprise_signed_at)}",
        )
    )
    pdf.pairs(rows)


def onsite_record(visit: Visit) -> bytes:
    """现场检查笔录: its number, who came with which certificates, from when to when, the
    notices given, each point's result, the findings and every signature."""
    pdf = Document("现场检查笔录", f"{PLATFORM} · 检查 #{visit.pk}")
    _number_line(pdf, visit.record_number)
    pdf.pairs(
        [
            *_basics(visit),
            ("检查起止时间", f"{_local(visit.checked_in_at)} 至 {_local(visit.closed_at)}"),
            ("检查来源", ORIGIN[visit.origin] + (f"：{visit.cause}" if visit.cause else "")),
        ]
    )
    pdf.heading("告知事项")
    for notice in NOTICES:
        pdf.paragraph(notice)
    pdf.heading("检查情况")
    lines = []
    for n, row in enumerate(_rows(visit), start=1):
        result = row.result
        outcome = OUTCOME_MARK.get(result.outcome, "") if result else "未检查"
        note = result.note if result else ""
        if row.shared:
            note = f"{note}（{'、'.join(row.body_names)} 共同检查项）".strip()
        lines.append([str(n), row.point.content, outcome, note])
    pdf.grid(("序号", "检查内容", "结果", "说明"), (12, 88, 20, 60), lines)
    findings = list(visit.findings.select_related("point__item", "body"))
    if findings:
        pdf.heading("发现的问题")
        pdf.grid(
            ("问题", "严重程度", "整改期限"),
            (120, 30, 30),
            [[f.description, SEVERITY[f.severity], f.rectify_by.isoformat()] for f in findings],
        )
    pdf.heading("签字")
    pdf.paragraph("以上笔录经被检查单位代表核对无误。")
    _signature_lines(pdf, visit)
    return bytes(pdf.output())


def feedback_report(visit: Visit) -> bytes:
    """体检式反馈: what was checked, each problem with its legal basis, the guidance to fix it
    and the deadline; then how to evaluate the visit."""
    pdf = Document("涉企检查体检式反馈报告", f"{PLATFORM} · 检查 #{visit.pk}")
    _number_line(pdf, visit.feedback_number)
    rows = _rows(visit)
    counts = _counts(rows)
    pdf.pairs(_basics(visit)[:6])
    pdf.heading("检查概况")
    pdf.paragraph(
        f"本次检查共 {len(rows)} 项：合格 {counts['compliant']} 项，"
        f"不合格 {counts['noncompliant']} 项，不适用 {counts['na']} 项。"
    )
    findings = list(visit.findings.select_related("point__item", "body"))
    if findings:
        pdf.heading("问题清单与整改指引")
        for n, finding in enumerate(findings, start=1):
            _finding_block(pdf, n, finding)
    else:
        pdf.paragraph("本次检查未发现问题。")
    pdf.heading("评价与投诉")
    pdf.paragraph(
        f"企业可登录{PLATFORM}，在“我的受检”中对本次检查匿名评价（30 日内）；"
        "被检查部门只能看到不少于 5 条评价的汇总，看不到评价人。"
        "对检查行为有异议的，可通过检查码页面向司法局行政执法监督机构投诉。"
    )
    return bytes(pdf.output())


def rectification_order(visit: Visit) -> bytes:
    """责令限期整改通知书: the lead body orders each problem fixed by its deadline, with the
    legal basis, the right to state a defence, and the line for its seal."""
    pdf = Document("责令限期整改通知书", f"{PLATFORM} · 检查 #{visit.pk}")
    _number_line(pdf, visit.order_number)
    pdf.paragraph(f"{visit.enterprise.name}（统一社会信用代码 {visit.enterprise.uscc}）：")
    pdf.paragraph(
        f"{visit.date.isoformat()}，{visit.lead_body.name}等部门对你单位进行了检查"
        f"（现场检查笔录 {visit.record_number}），发现下列问题。"
        "现责令你单位在规定期限内整改，并将整改情况和证明材料提交检查部门："
    )
    findings = list(visit.findings.select_related("point__item", "body"))
    pdf.grid(
        ("序号", "问题", "依据", "整改期限"),
        (12, 70, 68, 30),
        [
            [
                str(n),
                f.description,
                f"{f.point.item.name}：{f.point.item.legal_basis}",
                f"{f.rectify_by.isoformat()} 前",
            ]
            for n, f in enumerate(findings, start=1)
        ],
    )
    pdf.paragraph(
        "逾期未整改或者整改不符合要求的，将依法处理。对本通知有异议的，"
        "可以自收到之日起向作出通知的部门陈述、申辩。"
    )
    pdf.ln(6)
    pdf.cell(0, 7, f"{visit.lead_body.name}（印章）", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, _local(visit.closed_at)[:10], align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.paragraph("被检查单位签收：__________    日期：__________")
    return bytes(pdf.output())


def _counts(rows: list[Row]) -> dict[str, int]:
    counts = dict.fromkeys(PointResult.Outcome.values, 0)
    for row in rows:
        if row.result is not None:
            counts[row.result.outcome] += 1
    return counts


def _finding_block(pdf: Document, n: int, finding: Finding) -> None:
    item = finding.point.item
    pdf.pairs(
        [
            (f"问题 {n}", finding.description),
            ("检查内容", finding.point.content),
            ("检查标准", finding.point.standard),
            ("依据", f"{item.name}：{item.legal_basis}"),
            ("整改指引", finding.point.guidance),
            ("严重程度", SEVERITY[finding.severity]),
            ("整改期限", f"{finding.rectify_by.isoformat()} 前（{finding.body.name}）"),
        ]
    )
    pdf.ln(2)
