"""Import of a year's State Council holiday notice (国务院办公厅关于某年部分节假日安排的通知) from
xlsx/csv: one row per day off or adjusted working day. Every bad row is reported and nothing is
written unless the whole file is good; a notice that would put a statutory holiday to work is
refused. Entering it extends the open deadlines that were estimated over the year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor
from onevisit.lib.imports import ImportReport, RowError, RowProblem, check_rows, start, text_cell
from onevisit.lib.problems import Problem
from onevisit.lib.tabular import Column, parse_date
from onevisit.workdays.actions import NoticeDay, do_enter_notice
from onevisit.workdays.statutory import LAST_YEAR, REVISIONS, statutory_off_days

NOTICE_COLUMNS = (
    Column("date", ("日期",), required=True),
    Column("kind", ("类型", "放假/上班"), required=True),
    Column("name", ("节日", "名称"), required=True),
)
OFF = {"放假", "休", "休息", "假"}
WORK = {"上班", "班", "调休上班", "补班"}


def _day(values: dict[str, Any]) -> dt.date:
    try:
        day = parse_date(values.get("date"))
    except ValueError as error:
        reason = error.localized(_) if isinstance(error, Problem) else str(error)
        raise RowProblem("date", reason) from None
    if day.year < REVISIONS[0].in_force:
        raise RowProblem("date", _("notices are kept from %(year)s on") % {"year": 2008})
    if day.year > LAST_YEAR:
        raise RowProblem(
            "date", _("the calendar reaches to %(year)s; no later notice") % {"year": LAST_YEAR}
        )
    return day


def _row(values: dict[str, Any]) -> NoticeDay:
    day = _day(values)
    kind = text_cell(values, "kind", 10, required=True)
    if kind not in OFF | WORK:
        raise RowProblem("kind", _("use 放假 or 上班"))
    is_workday = kind in WORK
    if is_workday and any(o.date == day and not o.in_lieu for o in statutory_off_days(day.year)):
        raise RowProblem("kind", _("a statutory holiday cannot be worked"))
    if is_workday and day.weekday() < 5:
        raise RowProblem("kind", _("a weekday is a working day already; list only the swaps"))
    return NoticeDay(day, is_workday, text_cell(values, "name", 50, required=True))


def import_notice(
    source: bytes | Path | IO[bytes],
    filename: str,
    *,
    actor: Actor,
    dry_run: bool = False,
) -> ImportReport:
    report, table = start("holidays", source, filename, NOTICE_COLUMNS, dry_run)
    if table is None:
        return report
    labels = table.header_labels
    days: dict[dt.date, tuple[int, NoticeDay]] = {}
    listed: set[dt.date] = set()  # dates in the file, good rows or not

    def check(number: int, values: dict[str, Any]) -> None:
        listed.add(_day(values))
        day = _row(values)
        if day.date in days:
            raise RowProblem(
                "date",
                _("duplicate in this file (first in row %(row)s)") % {"row": days[day.date][0]},
            )
        days[day.date] = (number, day)

    check_rows(table, report, check)
    years = sorted({day.year for day in days})
    if len(years) != 1:
        report.file_error = _("a notice covers one year; this file has days of %(years)s") % {
            "years": ", ".join(map(str, years)) or "—"
        }
        return report
    year = years[0]
    by_law = {o.date: o for o in statutory_off_days(year) if not o.in_lieu}
    for when, (number, entry) in sorted(days.items()):
        if entry.is_workday and when in by_law:
            report.errors.append(
                RowError(number, labels["kind"], "上班", _("a statutory holiday cannot be worked"))
            )
    for when, holiday in by_law.items():
        if when not in listed and when.weekday() < 5:  # a weekend is off without saying so
            report.errors.append(
                RowError(
                    0,
                    labels["date"],
                    when.isoformat(),
                    _("%(name)s is a holiday by law and is missing from the notice")
                    % {"name": holiday.name},
                )
            )
    if report.errors:
        report.errors.sort(key=lambda error: error.row)
        return report
    report.created = len(days)
    if not dry_run:
        extended = do_enter_notice(
            actor=actor,
            year=year,
            days=[entry for _number, entry in days.values()],
            source=_("State Council notice (%(file)s)") % {"file": Path(filename).name[:60]},
        )
        report.notes.append(
            _("%(count)s open deadlines estimated over %(year)s were extended by the notice")
            % {"count": len(extended), "year": year}
        )
    return report
