"""Reading and writing the spreadsheets officials keep: xlsx and csv, headers in Chinese or English.

Pure Python (openpyxl, csv): no Django import. Readers raise TableError with a message a
person can act on. `read_table` never returns half a table; `open_table` hands the rows out one
by one (a large import checks and stages them as they come) and raises TableError from the
iteration when a later row is unreadable.
"""

from __future__ import annotations

import array
import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, overload
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from onevisit.lib.archives import ArchiveProblem, zip_members
from onevisit.lib.problems import Problem, gettext_noop

MAX_ROWS = 1_000_000
_TOO_LARGE = gettext_noop("the file is larger than %(megabytes)s MB")
_UNREADABLE = gettext_noop(
    "the file cannot be read: open it in Excel and save it again as .xlsx, or as .csv"
)
_NOT_XLSX = gettext_noop(
    "not a readable .xlsx workbook: open it in Excel and save it again as .xlsx (Excel workbook)"
)
MAX_CELL_CHARS = 2000
MAX_COLUMNS = 200
# An xlsx is a zip: a small file can unpack to gigabytes (one 400 MB shared string fits in a
# 400 KB file). The archive is measured before openpyxl reads a byte of it: its members together
# and how far any member swells. Its shared strings, which openpyxl would hold in memory whole
# (2.1 GB for a table of 264 MB), are spooled to a temporary file instead (`SpooledStrings`):
# memory holds 8 bytes per string, whatever their length, up to MAX_SHARED_STRINGS of them.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_SHARED_STRINGS = 4_000_000
_BOMB = gettext_noop(
    "the workbook unpacks to more than its content can need (%(member)s): save it again in "
    "Excel, or split it"
)


_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"


class TableError(Problem):
    """The file as a whole cannot be read (format, encoding, headers, size)."""


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]
    required: bool = False
    max_length: int = 200

    def matches(self, header: str) -> bool:
        wanted = _header_key(header)
        return any(_header_key(h) == wanted for h in (self.key, *self.headers))


Row = tuple[int, dict[str, str | dt.date | None]]


@dataclass
class Table:
    columns: dict[str, int]
    rows: list[Row]
    header_labels: dict[str, str]
    ignored_headers: list[str] = field(default_factory=list)


@dataclass
class RowStream:
    """A table whose rows are read while they are used: memory stays flat whatever its length."""

    columns: dict[str, int]
    rows: Iterator[Row]
    header_labels: dict[str, str]
    ignored_headers: list[str] = field(default_factory=list)


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-（）()*:：]", "", str(text)).lower()


def _cell(value: Any) -> str | dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _check_archive(data: bytes, max_unpacked: int) -> None:
    """Refuse a workbook whose members unpack to more than the limits, before parsing it."""
    try:
        zip_members(data, max_unpacked)
    except ArchiveProblem as problem:
        if not problem.readable:
            raise TableError(_NOT_XLSX) from None
        raise TableError(_BOMB, member=problem.member) from None


class SpooledStrings(Sequence[str]):
    """A workbook's shared strings in a temporary file, looked up by index as the sheet's cells
    name them. Each string is read as openpyxl reads it (`Text.content`, the same escapes
    undone); memory keeps only where each one starts."""

    def __init__(self, source: IO[bytes]) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the table
        self.starts = array.array("Q", [0])
        root = None
        for event, node in iterparse(source, events=("start", "end")):
            if root is None:
                root = node
            if event != "end" or node.tag != _STRING_TAG:
                continue
            found = Text.from_tree(node)
            text = found.content.replace("x005F_", "") if found is not None else ""
            root.clear()  # the table's element would otherwise keep every string's, emptied
            self.starts.append(self.starts[-1] + self.file.write(text.encode("utf-8")))
            if len(self.starts) > MAX_SHARED_STRINGS + 1:
                raise TableError(
                    gettext_noop(
                        "the workbook holds more than %(limit)s different texts: save it as "
                        "CSV, or split it"
                    ),
                    limit=f"{MAX_SHARED_STRINGS:,}",
                )

    def __len__(self) -> int:
        return len(self.starts) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        start, end = self.starts[index], self.starts[index + 1]
        self.file.seek(start)
        return self.file.read(end - start).decode("utf-8")


class _SpoolingReader(ExcelReader):
    """openpyxl's reader, with the shared strings spooled to disk instead of kept in a list."""

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]
        if found is not None:
            with self.archive.open(found.PartName[1:]) as source:
                self.shared_strings = SpooledStrings(source)  # type: ignore[assignment]


def _xlsx_rows(data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> Iterable[Sequence[Any]]:
    _check_archive(data, max_unpacked)
    try:
        reader = _SpoolingReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        workbook = reader.wb
    except TableError:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(_NOT_XLSX) from None
    except ParseError:
        raise TableError(_UNREADABLE) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise TableError(gettext_noop("the workbook has no sheet"))
    # The rows the sheet holds, not the number its <dimension> claims: a file whose metadata
    # says two rows and holds ten is read to its last row (the row limit counts as they come).
    sheet.reset_dimensions()
    return sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)


def _csv_rows(data: bytes) -> Iterable[Sequence[Any]]:
    if b"\x00" in data[:4096]:
        raise TableError(gettext_noop("not a text CSV file (it contains binary data)"))
    # Excel in Chinese Windows saves CSV as GB18030/GBK; everything else says UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(gettext_noop("CSV is neither UTF-8 nor GB18030 text"))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise TableError(
            gettext_noop("CSV cannot be parsed: %(error)s"), error=str(error)
        ) from None


def read_table(
    source: bytes | Path | IO[bytes], filename: str, columns: Sequence[Column], max_bytes: int
) -> Table:
    """Read the first sheet (or the CSV) whole, its header row mapped onto the columns."""
    stream = open_table(source, filename, columns, max_bytes)
    return Table(stream.columns, list(stream.rows), stream.header_labels, stream.ignored_headers)


def open_table(
    source: bytes | Path | IO[bytes], filename: str, columns: Sequence[Column], max_bytes: int
) -> RowStream:
    """Map the header row now; read the data rows as they are asked for."""
    data = _read_bytes(source, max_bytes)
    suffix = Path(filename).suffix.lower()
    if not data:
        raise TableError(gettext_noop("the file is empty"))
    if suffix == ".xlsx":
        raw_rows = _xlsx_rows(data)
    elif suffix == ".csv":
        raw_rows = _csv_rows(data)
    else:
        raise TableError(
            gettext_noop("unsupported file type %(suffix)s: use .xlsx or .csv"),
            suffix=suffix or "(none)",
        )
    return _to_stream(iter(raw_rows), columns)


def _read_bytes(source: bytes | Path | IO[bytes], max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, Path):
        if not source.is_file():
            raise TableError(gettext_noop("no such file: %(path)s"), path=str(source))
        if source.stat().st_size > max_bytes:
            raise TableError(_TOO_LARGE, megabytes=max_bytes // (1024 * 1024))
        data = source.read_bytes()
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError(_TOO_LARGE, megabytes=max_bytes // (1024 * 1024))
    return data


def _to_stream(raw_rows: Iterator[Sequence[Any]], columns: Sequence[Column]) -> RowStream:
    try:
        header_row = next(raw_rows)
    except StopIteration:
        raise TableError(gettext_noop("the file is empty")) from None
    except Exception:
        raise TableError(_UNREADABLE) from None
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    mapping, labels, ignored = _map_headers(headers, columns)
    return RowStream(mapping, _data_rows(raw_rows, mapping), labels, ignored)


def _data_rows(raw_rows: Iterator[Sequence[Any]], mapping: dict[str, int]) -> Iterator[Row]:
    count = 0
    try:
        for number, raw in enumerate(raw_rows, start=2):
            values = {key: _cell(raw[i]) if i < len(raw) else None for key, i in mapping.items()}
            _check_cells(number, values)
            if all(v is None for v in values.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise TableError(
                    gettext_noop("more than %(limit)s rows: split the file"), limit=f"{MAX_ROWS:,}"
                )
            yield number, values
    except TableError:
        raise
    except Exception:
        raise TableError(_UNREADABLE) from None
    if not count:
        raise TableError(gettext_noop("the file has a header row but no data rows"))


def _check_cells(number: int, values: dict[str, str | dt.date | None]) -> None:
    for value in values.values():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise TableError(
                gettext_noop("row %(row)s holds a cell of more than %(limit)s characters"),
                row=number,
                limit=f"{MAX_CELL_CHARS:,}",
            )


def _map_headers(
    headers: list[str], columns: Sequence[Column]
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    mapping: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        column = next((c for c in columns if c.matches(header)), None)
        if column is None:
            ignored.append(header)
            continue
        if column.key in mapping:
            raise TableError(gettext_noop("column %(header)s appears twice"), header=header)
        mapping[column.key] = index
        labels[column.key] = header
    missing = [c for c in columns if c.required and c.key not in mapping]
    if missing:
        names = "、".join(c.headers[0] if c.headers else c.key for c in missing)
        raise TableError(
            gettext_noop("required columns missing from the header row: %(names)s"), names=names
        )
    return mapping, labels, ignored


DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: str | dt.date | None) -> dt.date:
    if isinstance(value, dt.date):
        return value
    match = DATE_RE.match(value or "")
    if not match:
        raise Problem(gettext_noop("not a date (use 2026-01-31)"))
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Problem(gettext_noop("no such day in the calendar")) from None


def write_xlsx(
    stream: IO[bytes], title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Stream rows into a one-sheet workbook (write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_value(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_value(sheet, v) for v in row])
    workbook.save(stream)


# Text that a spreadsheet would run as a formula (OWASP's CSV-injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """Values as cells: text stays text. A name such as =HYPERLINK(…) is written as a string
    cell, never as a formula, and control characters (which openpyxl refuses) are dropped."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, int | float | dt.date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text
