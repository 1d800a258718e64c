"""Import of an existing ledger (台账) from xlsx/csv, the export's own columns: every bad row is
reported and nothing is written unless the whole file is good."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record_many
from onevisit.lib.imports import ImportReport, RowProblem, check_rows, start, text_cell
from onevisit.lib.problems import Problem
from onevisit.lib.tabular import Column, parse_date
from onevisit.rectification.exports import SEVERITY_LABELS, STATUS_LABELS
from onevisit.rectification.models import Event, Rectification
from onevisit.registry.models import Body, Enterprise

LEDGER_COLUMNS = (
    Column("unit", ("企业名称", "单位名称", "责任单位"), required=True),
    Column("uscc", ("统一社会信用代码", "信用代码")),
    Column("problem", ("问题描述", "存在问题"), required=True),
    Column("measure", ("整改措施",)),
    Column("responsible", ("责任人",)),
    Column("deadline", ("整改时限", "整改期限"), required=True),
    Column("status", ("整改状态",)),
    Column("closed_on", ("销号日期",)),
    Column("body", ("检查主体编码", "检查主体"), required=True),
    Column("found_on", ("发现日期", "检查日期"), required=True),
    Column("severity", ("严重程度",)),
    Column("campaign", ("专项行动",)),
)
STATUSES = {label: value for value, label in STATUS_LABELS.items()} | {"已整改": "closed"}
SEVERITIES = {label: value for value, label in SEVERITY_LABELS.items()}


def _day(values: dict[str, Any], key: str, required: bool) -> dt.date | None:
    raw = values.get(key)
    if raw in (None, "") and not required:
        return None
    try:
        return parse_date(raw)
    except ValueError as error:
        reason = error.localized(_) if isinstance(error, Problem) else str(error)
        raise RowProblem(key, reason) from None


class _Rows:
    def __init__(self, only_body: Body | None, reach: list[str] | None) -> None:
        self.bodies = {b.code: b for b in Body.objects.all()} | {
            b.name: b for b in Body.objects.all()
        }
        self.only_body = only_body
        self.reach = reach

    def within_reach(self, enterprise: Enterprise) -> bool:
        return self.reach is None or enterprise.district_id in self.reach

    def parse(self, values: dict[str, Any]) -> Rectification:
        body = self.bodies.get(text_cell(values, "body", 100, required=True))
        if body is None:
            raise RowProblem("body", _("no body with this code or name"))
        if self.only_body is not None and body.pk != self.only_body.pk:
            raise RowProblem("body", _("you may import only your own body's ledger"))
        uscc = text_cell(values, "uscc", 18).upper()
        enterprise = Enterprise.objects.filter(uscc=uscc).first() if uscc else None
        if uscc and enterprise is None:
            raise RowProblem("uscc", _("no enterprise with this credit code"))
        if enterprise is not None and not self.within_reach(enterprise):
            raise RowProblem("uscc", _("lies outside the area your body acts in"))
        found = _day(values, "found_on", True)
        deadline = _day(values, "deadline", True)
        assert found is not None and deadline is not None
        if deadline < found:
            raise RowProblem("deadline", _("is before the finding"))
        status = STATUSES.get(text_cell(values, "status", 20) or "整改中")
        if status is None:
            raise RowProblem(
                "status", _("unknown status; use 整改中, 已提交整改材料, 已核查待销号, 已销号")
            )
        closed = _day(values, "closed_on", False)
        if status == "closed" and closed is None:
            raise RowProblem("closed_on", _("a closed-out row needs its close-out date"))
        severity = SEVERITIES.get(text_cell(values, "severity", 10) or "一般")
        if severity is None:
            raise RowProblem("severity", _("use 严重, 一般 or 轻微"))
        return Rectification(
            enterprise=enterprise,
            unit_name=text_cell(values, "unit", 200, required=True),
            body=body,
            campaign=text_cell(values, "campaign", 100),
            found_on=found,
            severity=severity,
            problem=text_cell(values, "problem", 4000, required=True),
            measure=text_cell(values, "measure", 4000),
            responsible=text_cell(values, "responsible", 50),
            deadline=deadline,
            status=status,
            closed_on=closed if status == "closed" else None,
        )


def import_ledger(
    source: bytes | Path | IO[bytes],
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    only_body: Body | None = None,
    reach: list[str] | None = None,
) -> ImportReport:
    report, table = start("ledger", source, filename, LEDGER_COLUMNS, dry_run)
    if table is None:
        return report
    rows = _Rows(only_body, reach)
    parsed: list[Rectification] = []

    def check(number: int, values: dict[str, Any]) -> None:
        parsed.append(rows.parse(values))

    check_rows(table, report, check)
    if report.errors:
        return report
    with transaction.atomic():
        created = Rectification.objects.bulk_create(parsed, batch_size=2000)
        Event.objects.bulk_create(
            [
                Event(rectification=r, status=r.status, note=_("Imported from a ledger."))
                for r in created
            ],
            batch_size=2000,
        )
        record_many(
            actor=actor,
            entries=[
                {
                    "action": "create",
                    "verb": "import",
                    "object_type": "rectification.rectification",
                    "object_id": str(r.pk),
                    "object_repr": str(r)[:300],
                    "changes": {"status": r.status, "deadline": r.deadline.isoformat()},
                }
                for r in created
            ],
        )
        report.created = len(created)
        if dry_run:
            transaction.set_rollback(True)
    return report
