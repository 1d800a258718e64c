"""Import of enterprises, bodies and inspectors from xlsx/csv.

All rows are checked first; a file with any bad row changes nothing and the report names
every bad row with its row number, column and reason. Records are updated by their natural key
(USCC, body code, certificate number). Bodies and inspectors are written in one transaction;
the enterprise register is read as a stream and written in batches of 1,000 rows under the
all-or-nothing protocol of onevisit.imports, so other writers never wait for the whole file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, diff, record, snapshot
from onevisit.imports.actions import (
    BATCH_ROWS,
    Applier,
    Counts,
    do_commit_run,
    do_open_run,
    do_reject_run,
    do_stage_batch,
    write_run,
)
from onevisit.lib.imports import (
    ImportReport,
    Parsed,
    RowError,
    RowProblem,
    Source,
    bool_cell,
    choice_cell,
    decimal_cell,
    int_cell,
    open_stream,
    parse_chunks,
    parse_rows,
    start,
    text_cell,
)
from onevisit.lib.problems import Problem
from onevisit.lib.tabular import Column, parse_date
from onevisit.registry.actions import (
    BULK_ANALYZE_ROWS,
    EnterpriseUpsert,
    do_write_upsert,
    plan_bulk_upsert_enterprises,
    refresh_planner_statistics,
)
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.industries import check_enterprise_code
from onevisit.registry.models import GBT_2260, Body, District, Enterprise, Industry, Inspector


class DistrictLookup:
    def __init__(self) -> None:
        self.by_code = {d.code: d for d in District.objects.all()}
        self.by_name = {d.name: d for d in self.by_code.values()}
        self.local_codes = frozenset(
            code for code, d in self.by_code.items() if d.standard != GBT_2260
        )

    def get(self, values: dict[str, Any], key: str = "district") -> District:
        text = text_cell(values, key, 50, required=True)
        found = self.by_code.get(text) or self.by_name.get(text)
        if found is None:
            raise RowProblem(key, _("unknown district code (GB/T 2260)"))
        return found


# --- enterprises ------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    Column("uscc", ("统一社会信用代码", "信用代码", "社会信用代码"), required=True),
    Column("name", ("企业名称", "名称", "市场主体名称"), required=True),
    Column("district", ("行政区划代码", "区划代码", "所属区划", "行政区划"), required=True),
    Column("industry", ("国民经济行业代码", "行业代码", "所属行业代码"), required=True),
    Column("address", ("注册地址", "住所", "地址")),
    Column("legal_representative", ("法定代表人", "负责人")),
    Column("former_names", ("曾用名",)),
    Column("land_area_mu", ("占地面积亩", "占地面积", "land_area")),
    Column("employees", ("从业人数", "职工人数", "员工人数")),
    Column("above_scale", ("规上企业", "是否规上", "规模以上")),
    Column("status", ("登记状态", "经营状态", "状态")),
    Column("latitude", ("纬度", "lat")),
    Column("longitude", ("经度", "lng", "lon")),
)

STATUS_LABELS = {
    "存续": "active",
    "在业": "active",
    "开业": "active",
    "注销": "deregistered",
    "吊销": "revoked",
    "active": "active",
    "deregistered": "deregistered",
    "revoked": "revoked",
}


def _enterprise_fields(
    values: dict[str, Any], districts: DistrictLookup, industries: dict[str, Industry]
) -> dict[str, Any]:
    try:
        uscc = validate_uscc(text_cell(values, "uscc", 30, required=True), districts.local_codes)
    except InvalidIdentifier as error:
        raise RowProblem(
            "uscc", _("invalid code: %(reason)s") % {"reason": error.localized(_)}
        ) from None
    industry_text = text_cell(values, "industry", 10, required=True)
    try:
        division, full_code = check_enterprise_code(industry_text)
    except InvalidIdentifier as error:
        raise RowProblem("industry", error.localized(_)) from None
    industry = industries[division]
    former = re.split(r"[;；\n]", text_cell(values, "former_names", 1000))
    return {
        "uscc": uscc,
        "name": text_cell(values, "name", 200, required=True),
        "district": districts.get(values),
        "industry": industry,
        "industry_code": full_code,
        "address": text_cell(values, "address", 300),
        "legal_representative": text_cell(values, "legal_representative", 100),
        "former_names": "\n".join(f.strip() for f in former if f.strip()),
        "land_area_mu": decimal_cell(values, "land_area_mu", Decimal(0), Decimal(10**9)),
        "employees": int_cell(values, "employees"),
        "above_scale": bool_cell(values, "above_scale", False),
        "status": choice_cell(values, "status", STATUS_LABELS, "active"),
        "latitude": decimal_cell(values, "latitude", Decimal(-90), Decimal(90)),
        "longitude": decimal_cell(values, "longitude", Decimal(-180), Decimal(180)),
    }


def _check_geo(fields: dict[str, Any]) -> None:
    if (fields["latitude"] is None) != (fields["longitude"] is None):
        raise RowProblem("latitude", _("give both latitude and longitude, or neither"))


# --- generic driver ---------------------------------------------------------------------


def import_enterprises(
    source: Source,
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    reach: list[str] | None = None,
) -> ImportReport:
    """Read and check the register row by row, staging good rows as they come; write a file
    without bad rows through the batched protocol (onevisit.imports.actions).

    `reach`, the districts where the importing user acts (`User.reach_codes`), refuses each row
    placed outside them and each row that would change an enterprise registered outside them."""
    report, stream = open_stream("enterprises", source, filename, ENTERPRISE_COLUMNS, dry_run)
    if stream is None:
        return report
    districts = DistrictLookup()
    industries = {i.code: i for i in Industry.objects.filter(section__isnull=False)}

    def parse(values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        fields = _enterprise_fields(values, districts, industries)
        _check_geo(fields)
        if reach is not None and fields["district"].pk not in reach:
            raise RowProblem("district", _("lies outside the area your body acts in"))
        return fields["uscc"], _staged(fields), {}

    run = None if dry_run else do_open_run(kind="enterprises", filename=filename, actor=actor)
    expected = Counts()
    chunks = parse_chunks(stream, report, "uscc", parse, BATCH_ROWS)
    for number, chunk in enumerate(chunks):
        if reach is not None:
            report.errors += _registered_elsewhere(chunk, reach, stream.header_labels)
        if not report.ok:
            continue  # read on to report every bad row, but stage nothing more
        rows = [item.fields for item in chunk]
        if run is None:
            expected += _counts(*_classify(rows))
        else:
            do_stage_batch(run=run, number=number, rows=rows)
    if not report.ok:
        if run is not None:
            do_reject_run(run=run)
        return report
    if run is not None:
        do_commit_run(run=run, rows=report.rows)
        expected = write_run(run, ENTERPRISES)
    report.created, report.updated, report.unchanged = (
        expected.created,
        expected.updated,
        expected.unchanged,
    )
    return report


def _registered_elsewhere(
    chunk: list[Parsed], reach: list[str], labels: dict[str, str]
) -> list[RowError]:
    """Rows that would change an enterprise registered outside the importer's area."""
    rows = {item.key: item.row for item in chunk}
    outside = Enterprise.objects.filter(uscc__in=list(rows)).exclude(district__in=reach)
    return [
        RowError(
            rows[uscc],
            labels.get("uscc", "uscc"),
            uscc,
            _("this enterprise is registered in %(district)s, outside the area your body acts in")
            % {"district": name},
        )
        for uscc, name in outside.values_list("uscc", "district__name")
    ]


# Staged rows are JSON: foreign keys by id, decimals as text.
_DECIMALS = ("land_area_mu", "latitude", "longitude")


def _staged(fields: dict[str, Any]) -> dict[str, Any]:
    row = {**fields, "district_id": fields["district"].pk, "industry_id": fields["industry"].pk}
    del row["district"], row["industry"]
    for name in _DECIMALS:
        row[name] = None if row[name] is None else str(row[name])
    return row


def _unstaged(row: dict[str, Any]) -> dict[str, Any]:
    fields = dict(row)
    for name in _DECIMALS:
        fields[name] = None if fields[name] is None else Decimal(fields[name])
    return fields


def _classify(
    rows: list[dict[str, Any]],
) -> tuple[list[Enterprise], list[tuple[Enterprise, dict[str, Any]]], int]:
    """Which rows are new, which change an enterprise (and how), how many change nothing."""
    existing = _existing_enterprises([row["uscc"] for row in rows])
    new: list[Enterprise] = []
    changed: list[tuple[Enterprise, dict[str, Any]]] = []
    unchanged = 0
    for row in rows:
        fields = _unstaged(row)
        current = existing.get(fields["uscc"])
        if current is None:
            new.append(Enterprise(**fields))
            continue
        before = snapshot(current)
        for name, value in fields.items():
            setattr(current, name, value)
        change = diff(before, snapshot(current))
        if change:
            changed.append((current, {_field_name(k): v for k, v in change.items()}))
        else:
            unchanged += 1
    return new, changed, unchanged


def _counts(
    new: list[Enterprise], changed: list[tuple[Enterprise, dict[str, Any]]], unchanged: int
) -> Counts:
    return Counts(len(new), len(changed), unchanged)


@dataclass(frozen=True)
class EnterprisesPlan:
    upsert: EnterpriseUpsert
    counts: Counts


def _plan_enterprises(actor: Actor, rows: list[dict[str, Any]]) -> EnterprisesPlan:
    new, changed, unchanged = _classify(rows)
    upsert = plan_bulk_upsert_enterprises(actor=actor, new=new, changed=changed)
    return EnterprisesPlan(upsert, _counts(new, changed, unchanged))


def _write_enterprises(plan: EnterprisesPlan) -> Counts:
    do_write_upsert(plan.upsert)
    return plan.counts


def _after_enterprises(counts: Counts) -> None:
    if counts.created + counts.updated >= BULK_ANALYZE_ROWS:
        refresh_planner_statistics()


ENTERPRISES = Applier(plan=_plan_enterprises, write=_write_enterprises, finish=_after_enterprises)


def _field_name(attname: str) -> str:
    return attname.removesuffix("_id") if attname in {"district_id", "industry_id"} else attname


def _existing_enterprises(codes: list[str]) -> dict[str, Enterprise]:
    return {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}


# --- bodies -----------------------------------------------------------------------------

BODY_COLUMNS = (
    Column("code", ("主体编码", "编码", "机关代码"), required=True),
    Column("name", ("主体名称", "名称", "机关名称"), required=True),
    Column("kind", ("主体类型", "类型"), required=True),
    Column("level", ("层级",), required=True),
    Column("district", ("行政区划代码", "区划代码", "所属区划"), required=True),
    Column("entrusted_by", ("委托机关编码", "委托机关")),
    Column("published", ("是否公开", "公开")),
    Column("duties", ("职责", "执法职责")),
    Column("phone", ("电话", "联系电话")),
    Column("doc_prefix", ("机关代字", "文书代字")),
)
BODY_KINDS = {
    "行政机关": "administrative",
    "法律法规授权组织": "authorized",
    "受委托组织": "entrusted",
    "administrative": "administrative",
    "authorized": "authorized",
    "entrusted": "entrusted",
}
LEVELS = {
    "市": "city",
    "市级": "city",
    "县": "county",
    "县级": "county",
    "区": "county",
    "city": "city",
    "county": "county",
}


def import_bodies(
    source: Source, filename: str, *, actor: Actor, dry_run: bool = False
) -> ImportReport:
    report, table = start("bodies", source, filename, BODY_COLUMNS, dry_run)
    if table is None:
        return report
    districts = DistrictLookup()
    existing = {b.code: b for b in Body.objects.all()}
    codes_in_file = {str(v.get("code") or "").strip() for _, v in table.rows}

    def parse(values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        code = text_cell(values, "code", 30, required=True)
        kind = choice_cell(values, "kind", BODY_KINDS, None)
        entrusting = text_cell(values, "entrusted_by", 30)
        if kind == "entrusted" and not entrusting:
            raise RowProblem(
                "entrusted_by", _("an entrusted organisation names its entrusting body")
            )
        if kind != "entrusted" and entrusting:
            raise RowProblem("entrusted_by", _("only an entrusted organisation has one"))
        if entrusting and entrusting not in existing and entrusting not in codes_in_file:
            raise RowProblem("entrusted_by", _("no body with this code"))
        if entrusting == code:
            raise RowProblem("entrusted_by", _("a body cannot entrust itself"))
        fields = {
            "code": code,
            "name": text_cell(values, "name", 100, required=True),
            "kind": kind,
            "level": choice_cell(values, "level", LEVELS, None),
            "district": districts.get(values),
            "published": bool_cell(values, "published", False),
            "duties": text_cell(values, "duties", 2000),
            "phone": text_cell(values, "phone", 30),
            "doc_prefix": text_cell(values, "doc_prefix", 12),
        }
        return code, fields, {"entrusted_by": entrusting}

    parsed = parse_rows(table, report, "code", parse)
    if report.errors:
        return report
    # Entrusting bodies first, so that every reference resolves inside the transaction.
    parsed.sort(key=lambda p: bool(p.extra["entrusted_by"]))
    with transaction.atomic():
        for item in parsed:
            _upsert_body(item, existing, report, actor)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _upsert_body(
    item: Parsed, existing: dict[str, Body], report: ImportReport, actor: Actor
) -> None:
    entrusting = item.extra["entrusted_by"]
    fields = {**item.fields, "entrusted_by": existing[entrusting] if entrusting else None}
    body = existing.get(item.key)
    if body is None:
        body = Body(**fields)
        body.save()
        existing[body.code] = body
        record(actor=actor, action="create", obj=body, verb="import", changes=snapshot(body))
        report.created += 1
        return
    before = snapshot(body)
    for name, value in fields.items():
        setattr(body, name, value)
    change = diff(before, snapshot(body))
    if not change:
        report.unchanged += 1
        return
    body.save()
    record(actor=actor, action="update", obj=body, verb="import", changes=change)
    report.updated += 1


# --- inspectors -------------------------------------------------------------------------

INSPECTOR_COLUMNS = (
    Column("certificate_number", ("执法证号", "执法证件号", "证件号"), required=True),
    Column("name", ("姓名",), required=True),
    Column("body", ("所属主体编码", "所属主体", "主体编码"), required=True),
    Column("certificate_valid_from", ("证件有效期起", "有效期起", "valid_from"), required=True),
    Column("certificate_valid_until", ("证件有效期止", "有效期止", "valid_until"), required=True),
    Column("districts", ("服务区划", "执法区域", "区划代码"), required=True),
    Column("active", ("在岗", "是否在岗")),
    Column("phone", ("电话", "联系电话")),
)


def import_inspectors(
    source: Source,
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    only_body: Body | None = None,
) -> ImportReport:
    """`only_body`: a department admin may import only their own body's inspectors."""
    report, table = start("inspectors", source, filename, INSPECTOR_COLUMNS, dry_run)
    if table is None:
        return report
    districts = DistrictLookup()
    bodies = {b.code: b for b in Body.objects.all()}

    def parse(values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        code = text_cell(values, "body", 30, required=True)
        body = bodies.get(code)
        if body is None:
            raise RowProblem("body", _("no body with this code"))
        if only_body is not None and body.pk != only_body.pk:
            raise RowProblem("body", _("you may import only your own body's inspectors"))
        start, end = (
            _date(values, "certificate_valid_from"),
            _date(values, "certificate_valid_until"),
        )
        if end < start:
            raise RowProblem("certificate_valid_until", _("is before the start of validity"))
        served = []
        for part in re.split(r"[,，;；、\s]+", text_cell(values, "districts", 500, required=True)):
            if part:
                served.append(districts.get({"districts": part}, "districts"))
        fields = {
            "certificate_number": text_cell(values, "certificate_number", 30, required=True),
            "name": text_cell(values, "name", 50, required=True),
            "body": body,
            "certificate_valid_from": start,
            "certificate_valid_until": end,
            "active": bool_cell(values, "active", True),
            "phone": text_cell(values, "phone", 30),
        }
        return str(fields["certificate_number"]), fields, {"districts": served}

    parsed = parse_rows(table, report, "certificate_number", parse)
    if report.errors:
        return report
    existing = {i.certificate_number: i for i in Inspector.objects.prefetch_related("districts")}
    for item in parsed:
        current = existing.get(item.key)
        if current is not None and only_body is not None and current.body_id != only_body.pk:
            report.errors.append(
                RowError(item.row, "certificate_number", item.key, _("belongs to another body"))
            )
    if report.errors:
        return report
    with transaction.atomic():
        for item in parsed:
            _upsert_inspector(item, existing.get(item.key), report, actor)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _date(values: dict[str, Any], key: str) -> dt.date:
    try:
        return parse_date(values.get(key))
    except ValueError as error:
        reason = error.localized(_) if isinstance(error, Problem) else str(error)
        raise RowProblem(key, reason) from None


def _upsert_inspector(
    item: Parsed, inspector: Inspector | None, report: ImportReport, actor: Actor
) -> None:
    served: list[District] = item.extra["districts"]
    codes = sorted(d.code for d in served)
    if inspector is None:
        inspector = Inspector(**item.fields)
        inspector.save()
        inspector.districts.set(served)
        changes = {**snapshot(inspector), "districts": codes}
        record(actor=actor, action="create", obj=inspector, verb="import", changes=changes)
        report.created += 1
        return
    before = {**snapshot(inspector), "districts": sorted(d.code for d in inspector.districts.all())}
    for name, value in item.fields.items():
        setattr(inspector, name, value)
    change = diff(before, {**snapshot(inspector), "districts": codes})
    if not change:
        report.unchanged += 1
        return
    inspector.save()
    inspector.districts.set(served)
    record(actor=actor, action="update", obj=inspector, verb="import", changes=change)
    report.updated += 1
