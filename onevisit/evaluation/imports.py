"""Each source department's figures for a year, from xlsx or csv: a department fills only the
figures the year assigns to it; every bad row is reported and a file with one changes nothing.
The lead department may also add enterprises to the scope (the statistics bureau's 规上 list)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.evaluation.models import FIGURE_CODES, Entry, Year
from onevisit.lib.imports import (
    ImportReport,
    RowProblem,
    decimal_cell,
    parse_rows,
    start,
    text_cell,
)
from onevisit.lib.tabular import Column
from onevisit.registry.models import Body, Enterprise

COLUMNS = (
    Column("uscc", ("统一社会信用代码", "信用代码"), required=True),
    Column("name", ("企业名称",)),
    Column("tax", ("实缴税金（万元）", "税收（万元）", "实缴税金")),
    Column("sales", ("销售收入（万元）", "营业收入（万元）", "销售收入")),
    Column("energy_tce", ("综合能耗（吨标准煤）", "综合能耗")),
    Column("emissions_t", ("主要污染物排放量（吨）", "污染物排放量")),
    Column("rnd", ("研发经费（万元）", "研发经费")),
    Column("employees", ("年平均职工人数", "从业人员")),
    Column("land_mu", ("用地面积（亩）", "用地面积")),
)
TOP = Decimal(10) ** 11


class _Rows:
    def __init__(self, year: Year, body: Body) -> None:
        self.own = set(year.sources.filter(body=body).values_list("figure", flat=True))
        self.may_add = body.pk == year.lead_body_id
        self.entries = {e.enterprise.uscc: e for e in year.entries.select_related("enterprise")}
        self.year = year

    def parse(self, values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        uscc = text_cell(values, "uscc", 18, required=True).upper()
        entry = self.entries.get(uscc)
        if entry is None:
            enterprise = Enterprise.objects.filter(uscc=uscc).first()
            if enterprise is None:
                raise RowProblem("uscc", _("no enterprise with this credit code"))
            if not self.may_add:
                raise RowProblem("uscc", _("not in this year's scope; the lead department adds it"))
            if not Enterprise.objects.in_area(self.year.area_id).filter(pk=enterprise.pk).exists():
                raise RowProblem(
                    "uscc", _("the enterprise lies outside the area this year evaluates")
                )
        fields: dict[str, Any] = {}
        for code in FIGURE_CODES:
            value = decimal_cell(values, code, Decimal(0), TOP)
            if value is None:
                continue
            if code not in self.own:
                raise RowProblem(code, _("another department reports this figure"))
            fields[code] = value
        return uscc, fields, {"entry": entry}


def import_figures(
    source: Any, filename: str, *, actor: Actor, year: Year, body: Body, dry_run: bool
) -> ImportReport:
    report, table = start("evaluation", source, filename, COLUMNS, dry_run)
    if table is None:
        return report
    if year.is_final:
        report.file_error = _("the year is final; its figures no longer change")
        return report
    if year.is_published:
        report.file_error = _(
            "the year is published for objections (公示): its figures change only through "
            "objections decided by the lead department, or after the 公示 is withdrawn"
        )
        return report
    rows = _Rows(year, body)
    if not rows.own and not rows.may_add:
        report.file_error = _("this year assigns no figure to your department")
        return report
    parsed = parse_rows(table, report, "uscc", rows.parse)
    if not report.ok:
        return report
    with transaction.atomic():
        for row in parsed:
            entry: Entry | None = row.extra["entry"]
            if entry is None:
                entry = Entry(year=year, enterprise=Enterprise.objects.get(uscc=row.key))
                report.created += 1
            elif all(getattr(entry, k) == v for k, v in row.fields.items()):
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            for key, value in row.fields.items():
                setattr(entry, key, value)
            if not dry_run:
                entry.save()
        if not dry_run:
            year.figures_changed_at = timezone.now()
            year.save(update_fields=["figures_changed_at"])
            record(
                actor=actor,
                action="import",
                obj=year,
                changes={"figures": [None, f"{body.code}: {report.created + report.updated}"]},
            )
    return report
