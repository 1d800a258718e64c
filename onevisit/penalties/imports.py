"""Import of a body's discretion catalogue (裁量基准) from xlsx/csv, one row per level: every bad
row reported, nothing written unless the whole file is good; a code already in the catalogue is
replaced with the file's levels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.lib.imports import (
    ImportReport,
    RowProblem,
    bool_cell,
    check_rows,
    start,
    text_cell,
)
from onevisit.lib.tabular import Column
from onevisit.penalties.models import Level, Violation
from onevisit.registry.models import Body

CATALOGUE_COLUMNS = (
    Column("body", ("主体编码", "检查主体编码"), required=True),
    Column("code", ("违法行为编码", "编码"), required=True),
    Column("name", ("违法行为",), required=True),
    Column("legal_basis", ("违法依据",), required=True),
    Column("penalty_basis", ("处罚依据",), required=True),
    Column("grade", ("裁量阶次", "阶次"), required=True),
    Column("circumstances", ("适用情形", "情形"), required=True),
    Column("min_fine", ("罚款下限", "罚款下限（元）")),
    Column("max_fine", ("罚款上限", "罚款上限（元）")),
    Column("measure", ("处罚种类", "处罚内容")),
    Column("order_first", ("先责令改正",)),
)
GRADES = {
    "不予处罚": "none",
    "不罚": "none",
    "从轻": "light",
    "轻罚": "light",
    "一般": "general",
    "从重": "heavy",
}


def _money(values: dict[str, Any], key: str) -> Decimal:
    raw = values.get(key)
    if raw in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(raw).replace(",", "").replace("元", "").strip())
    except InvalidOperation:
        raise RowProblem(key, _("not an amount in yuan")) from None
    if amount < 0:
        raise RowProblem(key, _("cannot be negative"))
    return amount


def import_catalogue(
    source: bytes | Path | IO[bytes],
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    only_body: Body | None = None,
) -> ImportReport:
    report, table = start("penalties", source, filename, CATALOGUE_COLUMNS, dry_run)
    if table is None:
        return report
    bodies = {b.code: b for b in Body.objects.all()}
    grouped: dict[tuple[int, str], dict[str, Any]] = {}

    def check(number: int, values: dict[str, Any]) -> None:
        body = bodies.get(text_cell(values, "body", 30, required=True))
        if body is None:
            raise RowProblem("body", _("no body with this code"))
        if only_body is not None and body.pk != only_body.pk:
            raise RowProblem("body", _("you may import only your own body's catalogue"))
        grade = GRADES.get(text_cell(values, "grade", 10, required=True))
        if grade is None:
            raise RowProblem("grade", _("use 不予处罚, 从轻, 一般 or 从重"))
        low, high = _money(values, "min_fine"), _money(values, "max_fine")
        if high < low:
            raise RowProblem("max_fine", _("is below the lowest fine"))
        if grade == "none" and high:
            raise RowProblem("max_fine", _("不予处罚 has no fine"))
        code = text_cell(values, "code", 40, required=True)
        entry = grouped.setdefault(
            (body.pk, code),
            {
                "body": body,
                "code": code,
                "name": text_cell(values, "name", 300, required=True),
                "legal_basis": text_cell(values, "legal_basis", 4000, required=True),
                "penalty_basis": text_cell(values, "penalty_basis", 4000, required=True),
                "order_first": bool_cell(values, "order_first", False),
                "levels": {},
            },
        )
        if grade in entry["levels"]:
            raise RowProblem("grade", _("this level appears twice for the violation"))
        entry["levels"][grade] = Level(
            grade=grade,
            circumstances=text_cell(values, "circumstances", 2000, required=True),
            min_fine=low,
            max_fine=high,
            measure=text_cell(values, "measure", 200),
        )

    check_rows(table, report, check)
    if report.errors:
        return report
    with transaction.atomic():
        for entry in grouped.values():
            levels = entry.pop("levels")
            violation, created = Violation.objects.update_or_create(
                body=entry["body"],
                code=entry["code"],
                defaults={k: v for k, v in entry.items() if k not in ("body", "code")},
            )
            if not created and violation.decisions.exists():
                for level in levels.values():
                    Level.objects.update_or_create(
                        violation=violation,
                        grade=level.grade,
                        defaults={
                            "circumstances": level.circumstances,
                            "min_fine": level.min_fine,
                            "max_fine": level.max_fine,
                            "measure": level.measure,
                        },
                    )
            else:
                violation.levels.all().delete()
                for level in levels.values():
                    level.violation = violation
                    level.save()
            record(
                actor=actor,
                action="create" if created else "update",
                obj=violation,
                verb="import",
                changes={"levels": sorted(levels)},
            )
            report.created += int(created)
            report.updated += int(not created)
        if dry_run:
            transaction.set_rollback(True)
    return report
