"""A device's readings as a spreadsheet for the people who read them in Excel: one row per data
time, one column per factor and kind, the raw readings still held and, for the hours the
retention job has folded, each hour's mean. Rows are streamed from the database in time order,
so a year of ten-minute data never sits in memory."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from onevisit.monitoring.factors import factor_label
from onevisit.monitoring.models import Device, HourlyReading, Reading

# Excel's last row is 1,048,576; the header takes one.
MAX_ROWS = 1_048_575
NORMAL_FLAGS = {"", "N"}  # HJ 212: N is normal; D fault, M maintenance, C calibration, …
RAW, HOURLY = "实时数据", "小时均值"


def _window(
    device: Device, start: dt.date, end: dt.date
) -> tuple[QuerySet[Reading], QuerySet[HourlyReading]]:
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    raw = Reading.objects.filter(device=device, data_time__gte=since, data_time__lt=until)
    hourly = HourlyReading.objects.filter(device=device, hour__gte=since, hour__lt=until)
    return raw, hourly


def columns(device: Device, start: dt.date, end: dt.date) -> list[tuple[str, str]]:
    """The (factor, kind) pairs the device sent in the window, in code order."""
    raw, hourly = _window(device, start, end)
    found = set(raw.values_list("factor", "kind").distinct())
    found |= set(hourly.values_list("factor", "kind").distinct())
    return sorted(found)


def row_count(device: Device, start: dt.date, end: dt.date) -> int:
    """How many rows the sheet will have: one per distinct data time."""
    raw, hourly = _window(device, start, end)
    return raw.values("data_time").distinct().count() + hourly.values("hour").distinct().count()


def headers(pairs: list[tuple[str, str]]) -> list[str]:
    return ["数据时间", "数据类型", *(factor_label(f, k) for f, k in pairs), "异常标记"]


def rows(
    device: Device, start: dt.date, end: dt.date, pairs: list[tuple[str, str]]
) -> Iterator[list[Any]]:
    """One row per data time: the hourly means first where an hour was folded, then the raw
    readings, merged in time order; a flag other than normal is named in the last column."""
    raw, hourly = _window(device, start, end)
    position = {pair: index for index, pair in enumerate(pairs)}
    readings = (
        (when, RAW, factor, kind, value, flag)
        for factor, kind, when, value, flag in raw.order_by("data_time")
        .values_list("factor", "kind", "data_time", "value", "flag")
        .iterator(chunk_size=5000)
    )
    means = (
        (when, HOURLY, factor, kind, round(value, 3), "")
        for factor, kind, when, value in hourly.order_by("hour")
        .values_list("factor", "kind", "hour", "mean")
        .iterator(chunk_size=5000)
    )
    merged = heapq.merge(means, readings, key=lambda r: (r[0], r[1] == RAW))
    for (when, source), group in itertools.groupby(merged, key=lambda r: (r[0], r[1])):
        values: list[Any] = [None] * len(pairs)
        flags = []
        for _when, _source, factor, kind, value, flag in group:
            values[position[(factor, kind)]] = value
            if flag not in NORMAL_FLAGS:
                flags.append(f"{factor_label(factor, kind)}: {flag}")
        yield [timezone.localtime(when), source, *values, "；".join(flags)]
