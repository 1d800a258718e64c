"""Reusable reads of the evaluation: counts by class, district and industry; the yearly trend
of the city's headline figures."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncHour

from onevisit.campaigns.models import RetirementUnit
from onevisit.evaluation.models import Advice, Diagnosis, Entry, Year
from onevisit.evaluation.scoring import CLASSES, INDICATORS
from onevisit.hj212.codec import BEIJING
from onevisit.monitoring.models import HourlyReading, Reading


def class_counts(year: Year) -> dict[str, int]:
    rows = Entry.objects.filter(year=year).exclude(klass="").values("klass").annotate(n=Count("id"))
    found = {r["klass"]: r["n"] for r in rows}
    return {klass: found.get(klass, 0) for klass in CLASSES}


def _by(year: Year, key: str, label: str) -> list[dict[str, Any]]:
    counts = {f"n_{k}": Count("id", filter=Q(klass=k)) for k in CLASSES}
    rows = (
        Entry.objects.filter(year=year)
        .exclude(klass="")
        .values(key, label)
        .annotate(total=Count("id"), **counts)
        .order_by(key)
    )
    return [
        {
            "key": r[key],
            "label": r[label],
            "total": r["total"],
            "classes": [r[f"n_{k}"] for k in CLASSES],
        }
        for r in rows
    ]


def by_district(year: Year) -> list[dict[str, Any]]:
    return _by(year, "enterprise__district_id", "enterprise__district__name")


def by_industry(year: Year) -> list[dict[str, Any]]:
    return _by(year, "enterprise__industry_id", "enterprise__industry__name")


def result_summary(year: Year) -> dict[str, Any]:
    """The counts the year's page shows, computed when the scores are written."""
    return {
        "classes": class_counts(year),
        "districts": by_district(year),
        "industries": by_industry(year),
    }


# indicator -> (numerator, denominator, scale): each year's figure over the whole scope is the
# total of the numerator over the total of the denominator, among the enterprises reporting both
AGGREGATES = {
    "tax_per_mu": ("tax", "land_mu", 1),
    "sales_per_energy": ("sales", "energy_tce", 1),
    "sales_per_emission": ("sales", "emissions_t", 1),
    "rnd_share": ("rnd", "sales", 100),
    "output_per_employee": ("sales", "employees", 1),
}


@dataclass(frozen=True)
class TrendCell:
    value: Decimal | None
    change: Decimal | None  # % against the year before


@dataclass(frozen=True)
class TrendRow:
    year: int
    area: str
    enterprises: int
    cells: list[TrendCell]  # in the order of scoring.INDICATORS


def indicator_trends(years: QuerySet[Year]) -> list[TrendRow]:
    """The five indicators over the years for the evaluated (规上) enterprises, each area's
    year on its year before. 单位能耗销售收入 is the figure the city reports (up 32.47 % in its
    campaign)."""
    rows: list[TrendRow] = []
    before_in: dict[str, dict[str, Decimal | None]] = {}
    for year in years.select_related("area").order_by("area", "year"):
        previous = before_in.setdefault(year.area_id, {})
        sums: dict[str, Any] = {"n": Count("id")}
        for code, (top, bottom, _scale) in AGGREGATES.items():
            both = Q(**{f"{top}__isnull": False, f"{bottom}__gt": 0})
            sums[f"{code}_top"] = Sum(top, filter=both)
            sums[f"{code}_bottom"] = Sum(bottom, filter=both)
        totals = Entry.objects.filter(year=year).aggregate(**sums)
        cells = []
        for code, _name, _unit in INDICATORS:
            top_sum, bottom_sum = totals[f"{code}_top"], totals[f"{code}_bottom"]
            value = None
            if top_sum is not None and bottom_sum:
                scale = AGGREGATES[code][2]
                value = (Decimal(top_sum) * scale / Decimal(bottom_sum)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
            before = previous.get(code)
            change = None
            if value is not None and before:
                change = ((value - before) * 100 / before).quantize(Decimal("0.01"), ROUND_HALF_UP)
            cells.append(TrendCell(value, change))
            previous[code] = value
        rows.append(TrendRow(year.year, year.area.name, totals["n"], cells))
    return rows


@dataclass(frozen=True)
class Comparison:
    code: str
    name: str
    unit: str
    own: Decimal | None
    median: Decimal | None
    top_quartile: Decimal | None  # 75th percentile of the city's enterprises of the division
    peers: int


def compare_with_industry(entry: Entry) -> list[Comparison]:
    """Each indicator of an enterprise beside its industry division's median and top quartile
    among the year's evaluated enterprises (every indicator: higher is better)."""
    peers = list(
        Entry.objects.filter(
            year_id=entry.year_id, enterprise__industry_id=entry.enterprise.industry_id
        ).values_list("parts", flat=True)
    )
    own = {p["code"]: p["value"] for p in entry.parts}
    found = []
    for code, name, unit in INDICATORS:
        values = sorted(
            Decimal(p["value"])
            for parts in peers
            for p in parts
            if p["code"] == code and p["value"] is not None
        )
        median = statistics.median(values) if values else None
        top = statistics.quantiles(values, n=4)[2] if len(values) > 1 else median
        found.append(
            Comparison(
                code,
                name,
                unit,
                None if own.get(code) is None else Decimal(own[code]),
                None if median is None else Decimal(median).quantize(Decimal("0.01")),
                None if top is None else Decimal(top).quantize(Decimal("0.01")),
                len(values),
            )
        )
    return found


def diagnosis_counts(year: Year) -> dict[str, int]:
    """What the city counts of 工业绿色诊断: diagnoses and recommendations issued, followed up."""
    advice = Advice.objects.filter(diagnosis__entry__year=year, diagnosis__issued__isnull=False)
    return {
        "diagnoses": Diagnosis.objects.filter(entry__year=year, issued__isnull=False).count(),
        "recommendations": advice.count(),
        "followed_up": advice.filter(followed_up__isnull=False).count(),
    }


def retirement_lists(entry: Entry) -> list[dict[str, Any]]:
    """For a D-class enterprise: its 一企一策 lists in 淘汰落后产能 campaigns, if any."""
    return list(
        RetirementUnit.objects.filter(enterprise_id=entry.enterprise_id)
        .values("campaign_id", "campaign__name")
        .annotate(units=Count("id"))
        .order_by("campaign_id")
    )


def d_class_on_retirement_lists(year: Year) -> int:
    listed = RetirementUnit.objects.values("enterprise_id")
    return Entry.objects.filter(year=year, klass="D", enterprise_id__in=listed).count()


# GB/T 2589-2020, appendix A: electricity at its equivalent value, 0.1229 kgce per kWh.
KWH_TO_TCE = Decimal("0.0001229")


@dataclass(frozen=True)
class Metered:
    """An enterprise's electricity as its power monitors measured it over a year."""

    kwh: Decimal
    hours: int  # hours with readings, so a monitor installed mid-year is read as such
    reported_tce: Decimal | None
    tolerated: Decimal

    @property
    def tce(self) -> Decimal:
        return (self.kwh * KWH_TO_TCE).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def flagged(self) -> bool:
        """Electricity alone exceeds the whole reported energy use beyond the tolerated share
        (or no energy figure was reported): the figure needs a look."""
        if self.reported_tce is None:
            return self.kwh > 0
        return self.tce > self.reported_tce * (1 + self.tolerated)


def monitored_electricity(year: Year, entries: list[Entry]) -> dict[int, Metered]:
    """Yearly electricity of the enterprises that have power monitors: the hourly means of
    their active power P (kW) summed over the year's hours = kWh. Hours already folded into
    hourly rows are read there, recent ones from the raw readings."""
    by_enterprise = {e.enterprise_id: e for e in entries}
    start = dt.datetime(year.year, 1, 1, tzinfo=BEIJING)
    end = dt.datetime(year.year + 1, 1, 1, tzinfo=BEIJING)
    scope = {"factor": "P", "kind": "Rtd", "device__enterprise_id__in": list(by_enterprise)}
    hours: dict[tuple[int, int, dt.datetime], float] = {}
    for enterprise, device, hour, mean in HourlyReading.objects.filter(
        hour__gte=start, hour__lt=end, **scope
    ).values_list("device__enterprise_id", "device_id", "hour", "mean"):
        hours[(enterprise, device, hour)] = mean
    raw = (
        Reading.objects.filter(data_time__gte=start, data_time__lt=end, **scope)
        .annotate(hour=TruncHour("data_time"))
        .values_list("device__enterprise_id", "device_id", "hour")
        .annotate(mean=Avg("value"))
        .order_by()
    )
    for enterprise, device, hour, mean in raw:
        hours.setdefault((enterprise, device, hour), mean)
    totals: dict[int, list[float]] = {}
    for (enterprise, _device, _hour), mean in hours.items():
        totals.setdefault(enterprise, []).append(mean)
    return {
        enterprise: Metered(
            Decimal(str(round(sum(means), 2))),
            len(means),
            by_enterprise[enterprise].energy_tce,
            year.electricity_gap,
        )
        for enterprise, means in totals.items()
    }
