"""Import of enterprises, bodies and inspectors from xlsx/csv.

All rows are checked first; a file with any bad row changes nothing and the report names
every bad row with its row number, column and reason. A good file is written in one
transaction, updating existing records by their natural key (USCC, body code, certificate
number).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, diff, record, snapshot
from onevisit.lib.problems import Problem
from onevisit.lib.tabular import Column, Table, TableError, parse_date, read_table
from onevisit.registry.actions import (
    BULK_ANALYZE_ROWS,
    do_bulk_upsert_enterprises,
    refresh_planner_statistics,
)
from onevisit.registry.identifiers import InvalidIdentifier, split_industry_code, validate_uscc
from onevisit.registry.models import Body, District, Enterprise, Industry, Inspector

KINDS = ("enterprises", "bodies", "inspectors", "items", "ledger", "penalties")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    @classmethod
    def of(
        cls, row: int, problem: RowProblem, values: dict[str, Any], labels: dict[str, str]
    ) -> RowError:
        """The error of a refused row: the column by its label in the file, the value as given."""
        raw = values.get(problem.column)
        shown = raw.isoformat() if isinstance(raw, dt.date) else str(raw or "")
        return cls(row, labels.get(problem.column, problem.column), shown[:60], problem.reason)

    def __str__(self) -> str:
        shown = f" {self.value!r}" if self.value else ""
        return _("row %(row)s, %(column)s%(value)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "value": shown,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    def summary(self) -> str:
        counts = {
            "rows": self.rows,
            "bad": len(self.errors),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.file_error:
            return _("file rejected: %(reason)s") % {"reason": self.file_error}
        if self.errors:
            return _("file rejected: %(bad)s bad rows of %(rows)s; nothing was changed") % counts
        if self.dry_run:
            return (
                _(
                    "%(rows)s rows: would create %(created)s, update %(updated)s, leave "
                    "%(unchanged)s unchanged (dry run, nothing written)"
                )
                % counts
            )
        return (
            _("%(rows)s rows: created %(created)s, updated %(updated)s, unchanged %(unchanged)s")
            % counts
        )


class RowProblem(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _text(values: dict[str, Any], key: str, max_length: int, required: bool = False) -> str:
    value = values.get(key)
    text = value.isoformat() if isinstance(value, dt.date) else (value or "")
    text = str(text).strip()
    if required and not text:
        raise RowProblem(key, _("is empty"))
    if len(text) > max_length:
        raise RowProblem(
            key,
            _("is longer than %(max)s characters (%(length)s)")
            % {"max": max_length, "length": len(text)},
        )
    return text


def _optional_decimal(
    values: dict[str, Any], key: str, low: Decimal, high: Decimal
) -> Decimal | None:
    text = _text(values, key, 30)
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise RowProblem(key, _("is not a number")) from None
    if not number.is_finite() or not low <= number <= high:
        raise RowProblem(
            key, _("must lie between %(low)s and %(high)s") % {"low": low, "high": high}
        )
    return number.quantize(Decimal("0.000001")) if high <= 180 else number.quantize(Decimal("0.01"))


def _optional_int(values: dict[str, Any], key: str) -> int | None:
    text = _text(values, key, 12)
    if not text:
        return None
    if not re.fullmatch(r"\d+", text.replace(",", "")):
        raise RowProblem(key, _("must be a whole number of 0 or more"))
    return int(text.replace(",", ""))


def _bool(values: dict[str, Any], key: str, default: bool) -> bool:
    text = _text(values, key, 10).lower()
    if not text:
        return default
    if text in {"是", "y", "yes", "true", "1", "在岗", "公开"}:
        return True
    if text in {"否", "n", "no", "false", "0", "离岗", "不公开"}:
        return False
    raise RowProblem(key, _("must be 是 or 否 (yes/no)"))


def _choice(values: dict[str, Any], key: str, options: dict[str, str], default: str | None) -> str:
    text = _text(values, key, 30)
    if not text:
        if default is None:
            raise RowProblem(key, _("is empty"))
        return default
    for label, value in options.items():
        if text.lower() in {label.lower(), value.lower()}:
            return value
    raise RowProblem(key, _("must be one of %(options)s") % {"options": ", ".join(options)})


class DistrictLookup:
    def __init__(self) -> None:
        self.by_code = {d.code: d for d in District.objects.all()}
        self.by_name = {d.name: d for d in self.by_code.values()}

    def get(self, values: dict[str, Any], key: str = "district") -> District:
        text = _text(values, key, 50, required=True)
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
        uscc = validate_uscc(_text(values, "uscc", 30, required=True))
    except InvalidIdentifier as error:
        raise RowProblem(
            "uscc", _("invalid code: %(reason)s") % {"reason": error.localized(_)}
        ) from None
    industry_text = _text(values, "industry", 10, required=True)
    try:
        section, division, full_code = split_industry_code(industry_text)
    except InvalidIdentifier as error:
        raise RowProblem("industry", error.localized(_)) from None
    industry = industries.get(division)
    if industry is None or (section is not None and industry.section_id != section):
        raise RowProblem("industry", _("unknown industry code (GB/T 4754-2017)"))
    former = re.split(r"[;；\n]", _text(values, "former_names", 1000))
    return {
        "uscc": uscc,
        "name": _text(values, "name", 200, required=True),
        "district": districts.get(values),
        "industry": industry,
        "industry_code": full_code,
        "address": _text(values, "address", 300),
        "legal_representative": _text(values, "legal_representative", 100),
        "former_names": "\n".join(f.strip() for f in former if f.strip()),
        "land_area_mu": _optional_decimal(values, "land_area_mu", Decimal(0), Decimal(10**9)),
        "employees": _optional_int(values, "employees"),
        "status": _choice(values, "status", STATUS_LABELS, "active"),
        "latitude": _optional_decimal(values, "latitude", Decimal(-90), Decimal(90)),
        "longitude": _optional_decimal(values, "longitude", Decimal(-180), Decimal(180)),
    }


def _check_geo(fields: dict[str, Any]) -> None:
    if (fields["latitude"] is None) != (fields["longitude"] is None):
        raise RowProblem("latitude", _("give both latitude and longitude, or neither"))


# --- generic driver ---------------------------------------------------------------------


@dataclass
class Parsed:
    row: int
    key: str
    fields: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_rows(
    table: Table,
    report: ImportReport,
    key_column: str,
    parse: Callable[[dict[str, Any]], tuple[str, dict[str, Any], dict[str, Any]]],
) -> list[Parsed]:
    seen: dict[str, int] = {}
    parsed: list[Parsed] = []
    labels = table.header_labels
    for number, values in table.rows:
        try:
            key, fields, extra = parse(values)
        except RowProblem as problem:
            report.errors.append(RowError.of(number, problem, values, labels))
            continue
        if key in seen:
            report.errors.append(
                RowError(
                    number,
                    labels.get(key_column, key_column),
                    key,
                    _("duplicate in this file (first in row %(row)s)") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        parsed.append(Parsed(number, key, fields, extra))
    return parsed


def _start(
    kind: str,
    source: bytes | Path | IO[bytes],
    filename: str,
    columns: Sequence[Column],
    dry_run: bool,
) -> tuple[ImportReport, Table | None]:
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        table = read_table(source, filename, columns, settings.ONEVISIT_IMPORT_MAX_BYTES)
    except TableError as error:
        report.file_error = error.localized(_)
        return report, None
    report.rows = len(table.rows)
    report.ignored_columns = table.ignored_headers
    return report, table


def import_enterprises(
    source: bytes | Path | IO[bytes], filename: str, *, actor: Actor, dry_run: bool = False
) -> ImportReport:
    report, table = _start("enterprises", source, filename, ENTERPRISE_COLUMNS, dry_run)
    if table is None:
        return report
    districts = DistrictLookup()
    industries = {i.code: i for i in Industry.objects.filter(section__isnull=False)}

    def parse(values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        fields = _enterprise_fields(values, districts, industries)
        _check_geo(fields)
        return fields["uscc"], fields, {}

    parsed = _parse_rows(table, report, "uscc", parse)
    if report.errors:
        return report
    existing = _existing_enterprises([p.key for p in parsed])
    new: list[Enterprise] = []
    changed: list[tuple[Enterprise, dict[str, Any]]] = []
    for item in parsed:
        current = existing.get(item.key)
        if current is None:
            new.append(Enterprise(**item.fields))
            continue
        before = snapshot(current)
        for name, value in item.fields.items():
            setattr(current, name, value)
        change = diff(before, snapshot(current))
        if change:
            changed.append((current, {_field_name(k): v for k, v in change.items()}))
        else:
            report.unchanged += 1
    report.created, report.updated = len(new), len(changed)
    if not dry_run:
        with transaction.atomic():
            do_bulk_upsert_enterprises(actor=actor, new=new, changed=changed)
        if len(new) + len(changed) >= BULK_ANALYZE_ROWS:
            refresh_planner_statistics()
    return report


def _field_name(attname: str) -> str:
    return attname.removesuffix("_id") if attname in {"district_id", "industry_id"} else attname


def _existing_enterprises(codes: list[str]) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        for enterprise in Enterprise.objects.filter(uscc__in=chunk):
            found[enterprise.uscc] = enterprise
    return found


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
    source: bytes | Path | IO[bytes], filename: str, *, actor: Actor, dry_run: bool = False
) -> ImportReport:
    report, table = _start("bodies", source, filename, BODY_COLUMNS, dry_run)
    if table is None:
        return report
    districts = DistrictLookup()
    existing = {b.code: b for b in Body.objects.all()}
    codes_in_file = {str(v.get("code") or "").strip() for _, v in table.rows}

    def parse(values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        code = _text(values, "code", 30, required=True)
        kind = _choice(values, "kind", BODY_KINDS, None)
        entrusting = _text(values, "entrusted_by", 30)
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
            "name": _text(values, "name", 100, required=True),
            "kind": kind,
            "level": _choice(values, "level", LEVELS, None),
            "district": districts.get(values),
            "published": _bool(values, "published", False),
            "duties": _text(values, "duties", 2000),
            "phone": _text(values, "phone", 30),
        }
        return code, fields, {"entrusted_by": entrusting}

    parsed = _parse_rows(table, report, "code", parse)
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
    source: bytes | Path | IO[bytes],
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
    only_body: Body | None = None,
) -> ImportReport:
    """`only_body`: a department admin may import only their own body's inspectors."""
    report, table = _start("inspectors", source, filename, INSPECTOR_COLUMNS, dry_run)
    if table is None:
        return report
    districts = DistrictLookup()
    bodies = {b.code: b for b in Body.objects.all()}

    def parse(values: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        code = _text(values, "body", 30, required=True)
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
        for part in re.split(r"[,，;；、\s]+", _text(values, "districts", 500, required=True)):
            if part:
                served.append(districts.get({"districts": part}, "districts"))
        fields = {
            "certificate_number": _text(values, "certificate_number", 30, required=True),
            "name": _text(values, "name", 50, required=True),
            "body": body,
            "certificate_valid_from": start,
            "certificate_valid_until": end,
            "active": _bool(values, "active", True),
            "phone": _text(values, "phone", 30),
        }
        return str(fields["certificate_number"]), fields, {"districts": served}

    parsed = _parse_rows(table, report, "certificate_number", parse)
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


def run_import(
    kind: str,
    source: bytes | Path | IO[bytes],
    filename: str,
    *,
    actor: Actor,
    dry_run: bool,
    user: User | None = None,
) -> ImportReport:
    """Dispatch by kind; a department admin's inspector import is limited to their body."""
    if kind == "enterprises":
        return import_enterprises(source, filename, actor=actor, dry_run=dry_run)
    if kind == "bodies":
        return import_bodies(source, filename, actor=actor, dry_run=dry_run)
    only = user.body if user is not None and user.is_body_admin else None
    if kind == "inspectors":
        return import_inspectors(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "items":
        from onevisit.catalog.imports import import_items  # the catalog builds on the registry

        return import_items(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "ledger":
        from onevisit.rectification.imports import import_ledger  # rectification builds on it

        return import_ledger(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    if kind == "penalties":
        from onevisit.penalties.imports import import_catalogue

        return import_catalogue(source, filename, actor=actor, dry_run=dry_run, only_body=only)
    raise ValueError(f"unknown import kind {kind!r}: choose from {', '.join(KINDS)}")
