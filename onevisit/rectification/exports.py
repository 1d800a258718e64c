"""The ledger (台账) as officials keep it in Excel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from onevisit.rectification.models import Rectification

LEDGER_HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "问题描述",
    "整改措施",
    "责任人",
    "整改时限",
    "整改状态",
    "销号日期",
    "检查主体",
    "发现日期",
    "严重程度",
    "专项行动",
]
# Official ledgers are Chinese whatever the reader's interface language.
STATUS_LABELS = {
    "open": "整改中",
    "submitted": "已提交整改材料",
    "verified": "已核查待销号",
    "closed": "已销号",
    "reopened": "整改不到位（重新整改）",
}
SEVERITY_LABELS = {"serious": "严重", "general": "一般", "minor": "轻微"}


def ledger_rows(rects: QuerySet[Rectification]) -> Iterator[list[Any]]:
    values = rects.values_list(
        "unit_name",
        "enterprise__uscc",
        "problem",
        "measure",
        "responsible",
        "deadline",
        "status",
        "closed_on",
        "body__name",
        "found_on",
        "severity",
        "campaign",
    )
    for number, row in enumerate(values.iterator(chunk_size=5000), start=1):
        (
            unit,
            uscc,
            problem,
            measure,
            person,
            deadline,
            status,
            closed,
            body,
            found,
            severity,
            campaign,
        ) = row
        yield [
            number,
            unit,
            uscc or "",
            problem,
            measure,
            person,
            deadline,
            STATUS_LABELS.get(status, status),
            closed,
            body,
            found,
            SEVERITY_LABELS.get(severity, severity),
            campaign,
        ]
