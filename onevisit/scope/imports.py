"""Import of the catalogue of standard business-scope wordings (经营范围规范表述条目) from
xlsx/csv: every bad row reported, nothing written unless the whole file is good; an entry
already in the catalogue is updated by its code."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.lib.imports import ImportReport, RowProblem, check_rows, start, text_cell
from onevisit.lib.tabular import Column
from onevisit.registry.models import Body
from onevisit.scope.actions import ScopeRefused, industry_class
from onevisit.scope.models import Entry

COLUMNS = (
    Column("code", ("条目代码", "条目编码", "代码"), required=True),
    Column("wording", ("规范表述", "经营范围规范表述", "条目名称"), required=True),
    Column("industry", ("行业代码", "国民经济行业代码", "行业分类代码"), required=True),
    Column("kind", ("类型", "许可/一般", "条目类型"), required=True),
    Column("body", ("审批部门", "审批机关", "主管部门")),
)
KINDS = {"许可": True, "许可项目": True, "一般": False, "一般项目": False}


def _body(raw: str, bodies: dict[str, Body]) -> Body:
    found = bodies.get(raw)
    if found is None:
        raise RowProblem("body", _("no body with this code or name"))
    return found


def import_scope(
    source: bytes | Path | IO[bytes], filename: str, *, actor: Actor, dry_run: bool = False
) -> ImportReport:
    report, table = start("scope", source, filename, COLUMNS, dry_run)
    if table is None:
        return report
    bodies: dict[str, Body] = {}
    for body in Body.objects.all():
        bodies[body.code] = body
        bodies[body.name] = body
    rows: dict[str, dict[str, object]] = {}

    def check(number: int, values: dict[str, Any]) -> None:
        code = text_cell(values, "code", 20, required=True)
        if code in rows:
            raise RowProblem("code", _("this code appears twice in the file"))
        licensed = KINDS.get(text_cell(values, "kind", 10, required=True))
        if licensed is None:
            raise RowProblem("kind", _("use 许可 or 一般"))
        raw_body = text_cell(values, "body", 200)
        if licensed and not raw_body:
            raise RowProblem("body", _("a licensed entry names the body that approves it"))
        try:
            industry = industry_class(text_cell(values, "industry", 10, required=True))
        except ScopeRefused as error:
            raise RowProblem("industry", str(error)) from None
        rows[code] = {
            "wording": text_cell(values, "wording", 200, required=True),
            "industry_code": industry,
            "licensed": licensed,
            "approving_body": _body(raw_body, bodies) if licensed else None,
        }

    check_rows(table, report, check)
    if report.errors:
        return report
    with transaction.atomic():
        known = {e.code: e for e in Entry.objects.filter(Q(code__in=list(rows)))}
        for code, fields in rows.items():
            approving = fields["approving_body"]
            code_of = approving.code if isinstance(approving, Body) else None
            changes = {**fields, "approving_body": code_of}
            entry = known.get(code)
            if entry is None:
                entry = Entry.objects.create(code=code, status=Entry.Status.PUBLISHED, **fields)
                report.created += 1
                record(actor=actor, action="create", obj=entry, verb="import", changes=changes)
            elif any(getattr(entry, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(entry, key, value)
                entry.save()
                report.updated += 1
                record(actor=actor, action="update", obj=entry, verb="import", changes=changes)
            else:
                report.unchanged += 1
        if dry_run:
            transaction.set_rollback(True)
    return report
