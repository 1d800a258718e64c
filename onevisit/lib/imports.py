"""The import framework every importer shares: the report (ImportReport, RowError), the row
helpers that read one cell as text, number, yes/no or choice, and the all-or-nothing driver.

Every row is checked before anything is written; a file with any bad row changes nothing, and the
report names each bad row with its number, column and reason. Small lists (bodies, inspectors,
items) are read whole and written in one transaction; the enterprise register, which runs to
hundreds of thousands of rows, is read as a stream and written through the batched protocol of
`onevisit.imports` (checked rows staged, then written in short transactions).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from onevisit.lib.fields import has_control_characters, without_invisible
from onevisit.lib.tabular import (
    Column,
    Row,
    RowStream,
    Table,
    TableError,
    open_table,
    read_table,
)

Source = bytes | Path | IO[bytes]
T = TypeVar("T")


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
    notes: list[str] = field(default_factory=list)  # what else the import did, for the reader

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


def text_cell(values: dict[str, Any], key: str, max_length: int, required: bool = False) -> str:
    value = values.get(key)
    text = value.isoformat() if isinstance(value, dt.date) else (value or "")
    text = without_invisible(str(text)).strip()
    if has_control_characters(text):
        raise RowProblem(key, _("contains a control character"))
    if required and not text:
        raise RowProblem(key, _("is empty"))
    if len(text) > max_length:
        raise RowProblem(
            key,
            _("is longer than %(max)s characters (%(length)s)")
            % {"max": max_length, "length": len(text)},
        )
    return text


def decimal_cell(values: dict[str, Any], key: str, low: Decimal, high: Decimal) -> Decimal | None:
    text = text_cell(values, key, 30)
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise RowProblem(key, _("is not a number")) from None
    if not number.is_finite() or not low <= number <= high:
        raise RowProblem(
            key,
            _("must lie between %(low)s and %(high)s") % {"low": f"{low:,}", "high": f"{high:,}"},
        )
    return number.quantize(Decimal("0.000001")) if high <= 180 else number.quantize(Decimal("0.01"))


def int_cell(values: dict[str, Any], key: str) -> int | None:
    text = text_cell(values, key, 12)
    if not text:
        return None
    if not re.fullmatch(r"\d+", text.replace(",", "")):
        raise RowProblem(key, _("must be a whole number of 0 or more"))
    return int(text.replace(",", ""))


def bool_cell(values: dict[str, Any], key: str, default: bool) -> bool:
    text = text_cell(values, key, 10).lower()
    if not text:
        return default
    if text in {"是", "y", "yes", "true", "1", "在岗", "公开"}:
        return True
    if text in {"否", "n", "no", "false", "0", "离岗", "不公开"}:
        return False
    raise RowProblem(key, _("must be 是 or 否 (yes/no)"))


def choice_cell(
    values: dict[str, Any], key: str, options: dict[str, str], default: str | None
) -> str:
    text = text_cell(values, key, 30)
    if not text:
        if default is None:
            raise RowProblem(key, _("is empty"))
        return default
    for label, value in options.items():
        if text.lower() in {label.lower(), value.lower()}:
            return value
    raise RowProblem(key, _("must be one of %(options)s") % {"options": ", ".join(options)})


@dataclass
class Parsed:
    row: int
    key: str
    fields: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


Parse = Callable[[dict[str, Any]], tuple[str, dict[str, Any], dict[str, Any]]]


def parse_rows(
    table: Table,
    report: ImportReport,
    key_column: str,
    parse: Parse,
) -> list[Parsed]:
    """Parse a table read whole: the good rows, the bad ones reported."""
    return list(_parse_each(table.rows, table.header_labels, report, key_column, parse))


def check_rows(
    table: Table, report: ImportReport, check: Callable[[int, dict[str, Any]], None]
) -> None:
    """Run `check` on each row of a table read whole (for importers that gather rows their own
    way); a row it refuses goes into the report, and the next row is checked."""
    for _checked in _each_row(table.rows, table.header_labels, report, check):
        pass


def _each_row(
    rows: Iterable[Row],
    labels: dict[str, str],
    report: ImportReport,
    check: Callable[[int, dict[str, Any]], T],
) -> Iterator[T]:
    """The one row loop of every import, whole or streamed: a row that `check` refuses
    (RowProblem) goes into the report with its number, column and value; the others' results
    come out."""
    for number, values in rows:
        try:
            result = check(number, values)
        except RowProblem as problem:
            report.errors.append(RowError.of(number, problem, values, labels))
            continue
        yield result


def _parse_each(
    rows: Iterable[Row],
    labels: dict[str, str],
    report: ImportReport,
    key_column: str,
    parse: Parse,
) -> Iterator[Parsed]:
    """Rows parsed, a key seen before refused. Only the keys are remembered, so memory does not
    grow with the rows' content."""
    seen: dict[str, int] = {}

    def keyed(number: int, values: dict[str, Any]) -> Parsed:
        key, fields, extra = parse(values)
        if key in seen:
            raise RowProblem(
                key_column,
                _("duplicate in this file (first in row %(row)s)") % {"row": seen[key]},
            )
        seen[key] = number
        return Parsed(number, key, fields, extra)

    yield from _each_row(rows, labels, report, keyed)


def start(
    kind: str,
    source: Source,
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


def open_stream(
    kind: str, source: Source, filename: str, columns: Sequence[Column], dry_run: bool
) -> tuple[ImportReport, RowStream | None]:
    """Like `start`, for a file read row by row: the report counts rows as they are parsed."""
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        stream = open_table(source, filename, columns, settings.ONEVISIT_IMPORT_MAX_BYTES)
    except TableError as error:
        report.file_error = error.localized(_)
        return report, None
    report.ignored_columns = stream.ignored_headers
    return report, stream


def parse_chunks(
    stream: RowStream, report: ImportReport, key_column: str, parse: Parse, size: int
) -> Iterator[list[Parsed]]:
    """Parse the rows as they are read and hand out the good ones `size` at a time.

    Rows go through the same loop as `parse_rows`; a file that turns out unreadable half way sets
    `report.file_error` and ends the iteration."""
    chunk: list[Parsed] = []
    try:
        for parsed in _parse_each(
            _counted(stream.rows, report), stream.header_labels, report, key_column, parse
        ):
            chunk.append(parsed)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except TableError as error:
        report.file_error = error.localized(_)
        return
    if chunk:
        yield chunk


def _counted(rows: Iterable[Row], report: ImportReport) -> Iterator[Row]:
    for row in rows:
        report.rows += 1
        yield row
