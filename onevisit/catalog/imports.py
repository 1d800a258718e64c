"""Import of item lists from xlsx/csv, one row per check point (the export's own shape).

Rows of one item (same body code and item code) must agree on the item's columns. An item
that differs from its published version comes in as a new draft version; with 状态 = 发布 it is
published at once (withdrawing the previous version). Any bad row rejects the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor
from onevisit.catalog.actions import (
    PointFields,
    do_create_item,
    do_publish_item,
    do_revise_item,
    do_update_draft,
)
from onevisit.catalog.models import Item
from onevisit.lib.imports import (
    ImportReport,
    RowProblem,
    check_rows,
    choice_cell,
    int_cell,
    start,
    text_cell,
)
from onevisit.lib.tabular import Column
from onevisit.registry.identifiers import InvalidIdentifier
from onevisit.registry.industries import industry_targets
from onevisit.registry.models import Body

ITEM_COLUMNS = (
    Column("body", ("主体编码", "检查主体编码"), required=True),
    Column("code", ("事项编码", "检查事项编码"), required=True),
    Column("name", ("事项名称", "检查事项名称"), required=True),
    Column("legal_basis", ("设定依据", "检查依据"), required=True),
    Column("responsible", ("实施层级/科室", "实施层级", "责任科室")),
    Column("industries", ("适用行业", "行业代码")),
    Column("recognition_days", ("互认期限(天)", "互认期限")),
    Column("status", ("状态",)),
    Column("number", ("序号", "检查项序号")),
    Column("content", ("检查内容",), required=True),
    Column("standard", ("检查标准",), required=True),
    Column("method", ("检查方法",), required=True),
    Column("guidance", ("整改指引",)),
    Column("topic", ("共享检查点", "共享检查点编码")),
)
ITEM_FIELDS = ("name", "legal_basis", "responsible", "industries", "recognition_days")
STATUS = {
    "草稿": "draft",
    "发布": "published",
    "已发布": "published",
    "draft": "draft",
    "published": "published",
}


@dataclass
class ItemRows:
    first_row: int
    body: Body
    code: str
    fields: dict[str, Any]
    publish: bool
    points: list[tuple[int, PointFields]] = field(default_factory=list)


def import_items(
    source: bytes | Path | IO[bytes],
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    only_body: Body | None = None,
) -> ImportReport:
    report, table = start("items", source, filename, ITEM_COLUMNS, dry_run)
    if table is None:
        return report
    bodies = {b.code: b for b in Body.objects.all()}
    groups: dict[tuple[str, str], ItemRows] = {}

    def check(number: int, values: dict[str, Any]) -> None:
        _add_row(groups, number, values, bodies, only_body)

    check_rows(table, report, check)
    if report.errors:
        return report
    with transaction.atomic():
        for group in groups.values():
            _apply(group, actor, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _add_row(
    groups: dict[tuple[str, str], ItemRows],
    number: int,
    values: dict[str, Any],
    bodies: dict[str, Body],
    only_body: Body | None,
) -> None:
    body_code = text_cell(values, "body", 30, required=True)
    body = bodies.get(body_code)
    if body is None:
        raise RowProblem("body", _("no body with this code"))
    if only_body is not None and body != only_body:
        raise RowProblem("body", _("you may import only your own body's items"))
    code = text_cell(values, "code", 40, required=True)
    days = int_cell(values, "recognition_days")
    fields = {
        "name": text_cell(values, "name", 200, required=True),
        "legal_basis": text_cell(values, "legal_basis", 4000, required=True),
        "responsible": text_cell(values, "responsible", 100),
        "industries": _industries(values),
        "recognition_days": 365 if days is None else days,
    }
    if text_cell(values, "status", 10) in {"已撤回", "withdrawn"}:
        raise RowProblem("status", _("a withdrawn version cannot be imported: remove the row"))
    publish = choice_cell(values, "status", STATUS, "draft") == "published"
    point_number = int_cell(values, "number")
    point = PointFields(
        text_cell(values, "content", 2000, required=True),
        text_cell(values, "standard", 2000, required=True),
        text_cell(values, "method", 200, required=True),
        text_cell(values, "guidance", 2000),
        text_cell(values, "topic", 40),
    )
    group = groups.get((body_code, code))
    if group is None:
        group = groups[(body_code, code)] = ItemRows(number, body, code, fields, publish)
    else:
        for name in ITEM_FIELDS:
            if group.fields[name] != fields[name]:
                raise RowProblem(
                    name,
                    _("differs from row %(row)s of the same item") % {"row": group.first_row},
                )
    order = point_number if point_number is not None else len(group.points) + 1
    if any(n == order for n, _p in group.points):
        raise RowProblem("number", _("point number repeated within the item"))
    group.points.append((order, point))


def _industries(values: dict[str, Any]) -> str:
    try:
        return industry_targets(text_cell(values, "industries", 200))
    except InvalidIdentifier as error:
        raise RowProblem("industries", error.localized(_)) from None


def _same(item: Item, group: ItemRows, points: Sequence[PointFields]) -> bool:
    current = [
        PointFields(p.content, p.standard, p.method, p.guidance, p.topic) for p in item.points.all()
    ]
    return current == list(points) and all(
        getattr(item, name) == value for name, value in group.fields.items()
    )


def _apply(group: ItemRows, actor: Actor, report: ImportReport) -> None:
    points = [point for _n, point in sorted(group.points, key=lambda pair: pair[0])]
    versions = Item.objects.filter(body=group.body, code=group.code)
    draft = versions.filter(status=Item.Status.DRAFT).first()
    published = versions.filter(status=Item.Status.PUBLISHED).first()
    if draft is None and published is not None and _same(published, group, points):
        report.unchanged += 1
        return
    if draft is None and published is None:
        draft = do_create_item(
            actor=actor,
            body=group.body,
            fields={"code": group.code, **group.fields},
            points=points,
        )
        report.created += 1
    else:
        if draft is None:
            assert published is not None
            draft = do_revise_item(actor=actor, item=published)
        do_update_draft(actor=actor, item=draft, fields=group.fields, points=points)
        report.updated += 1
    if group.publish:
        do_publish_item(actor=actor, item=draft)
