"""亩产效益 scoring: figures and rules in, scores, classes and each indicator's part out.
Pure Python: no Django import.

Scores lie on a 100-point scale, as officials read 亩产效益 scores: the weights total 100, and
each indicator scores its weight times its value divided by the year's benchmark, at most its
full weight at the benchmark (the worked public formula of 黄岩, Zhejiang; Shandong's own
weights are not published, so all of them are settings of the year). A year may also reward
performance beyond the benchmark: with a cap above 1, each indicator adds bonus points up to
(cap − 1) × its weight, kept apart from the 100-point score and shown as 加分; the class is
decided on the two together. A benchmark left empty is the scope's mean of that indicator.
A missing figure is scored by the indicator's rule: "mean" (the scope's mean, as 黄岩 scores a
missing emission figure) or "zero". Decimal arithmetic throughout, so a closed year recomputed
from its stored figures and rules gives the published result to the last digit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

K = TypeVar("K")

# (code, Chinese name, unit)
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("tax_per_mu", "单位用地税收", "万元/亩"),
    ("sales_per_energy", "单位能耗销售收入", "万元/吨标准煤"),
    ("sales_per_emission", "单位污染物排放销售收入", "万元/吨"),
    ("rnd_share", "研发经费投入强度", "%"),
    ("output_per_employee", "全员劳动生产率", "万元/人"),
)
CODES = tuple(code for code, _, _ in INDICATORS)
CLASSES = ("A", "B", "C", "D")
CENT = Decimal("0.01")
ONE = Decimal(1)
RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class Figures:
    """One enterprise's figures for a year: money in 万元, energy in tonnes of standard coal,
    emissions in tonnes of the main pollutants, land in 亩. None: not reported."""

    tax: Decimal | None = None
    sales: Decimal | None = None
    energy_tce: Decimal | None = None
    emissions_t: Decimal | None = None
    rnd: Decimal | None = None
    employees: Decimal | None = None
    land_mu: Decimal | None = None


@dataclass(frozen=True)
class Rules:
    weights: Mapping[str, Decimal]
    benchmarks: Mapping[str, Decimal | None] = field(default_factory=dict)
    cap: Decimal = Decimal(1)  # above 1: bonus up to (cap − 1) × weight beyond the benchmark
    missing: Mapping[str, str] = field(default_factory=dict)  # code -> "mean" | "zero"
    thresholds: Mapping[str, Decimal] = field(default_factory=dict)  # A/B/C: lowest score

    def rule_for_missing(self, code: str) -> str:
        return self.missing.get(code, "zero")


@dataclass(frozen=True)
class Part:
    code: str
    value: Decimal | None  # the enterprise's own value; None when a figure is missing
    used: Decimal  # the value scored (own, the mean, or zero)
    imputed: bool
    ratio: Decimal  # used / benchmark, capped
    points: Decimal  # at most the weight
    bonus: Decimal = Decimal(0)  # beyond the benchmark, when the year's cap is above 1


@dataclass(frozen=True)
class Scored:
    score: Decimal  # on the 100-point scale
    klass: str
    parts: tuple[Part, ...]
    bonus: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.score + self.bonus

    def weakest(self, count: int = 2) -> list[Part]:
        return sorted(self.parts, key=lambda p: (p.ratio, p.code))[:count]


def _ratio(top: Decimal | None, bottom: Decimal | None, scale: int = 1) -> Decimal | None:
    if top is None or bottom is None or bottom <= 0:
        return None
    return (top * scale / bottom).quantize(RATIO, ROUND_HALF_UP)


def indicator_values(f: Figures) -> dict[str, Decimal | None]:
    return {
        "tax_per_mu": _ratio(f.tax, f.land_mu),
        "sales_per_energy": _ratio(f.sales, f.energy_tce),
        "sales_per_emission": _ratio(f.sales, f.emissions_t),
        "rnd_share": _ratio(f.rnd, f.sales, 100),
        "output_per_employee": _ratio(f.sales, f.employees),
    }


def _mean(values: list[Decimal]) -> Decimal:
    if not values:
        return Decimal(0)
    return (sum(values, Decimal(0)) / len(values)).quantize(RATIO, ROUND_HALF_UP)


def effective_rules(values: Mapping[K, dict[str, Decimal | None]], rules: Rules) -> Rules:
    """The rules with every empty benchmark filled by the scope's mean: what a year stores."""
    benchmarks: dict[str, Decimal | None] = {}
    for code in CODES:
        given = rules.benchmarks.get(code)
        present = [v[code] for v in values.values() if v[code] is not None]
        benchmarks[code] = given if given else _mean([p for p in present if p is not None])
    return Rules(rules.weights, benchmarks, rules.cap, rules.missing, rules.thresholds)


def classify(score: Decimal, thresholds: Mapping[str, Decimal]) -> str:
    for klass in ("A", "B", "C"):
        if score >= thresholds.get(klass, Decimal("Infinity")):
            return klass
    return "D"


def scope_means(figures: Mapping[K, Figures]) -> dict[str, Decimal]:
    """Each indicator's mean over the enterprises that have it: what a missing figure is scored
    at where its rule says "mean"."""
    values = [indicator_values(f) for f in figures.values()]
    return {
        code: _mean([v[code] for v in values if v[code] is not None])  # type: ignore[misc]
        for code in CODES
    }


def score_all(
    figures: Mapping[K, Figures], rules: Rules, means: Mapping[str, Decimal] | None = None
) -> tuple[dict[K, Scored], Rules]:
    """Score every enterprise of a year; returns the results and the effective rules. `means`
    gives the scope's means when only some enterprises are scored again (a correction during
    公示, against the published benchmarks and means)."""
    values = {key: indicator_values(f) for key, f in figures.items()}
    effective = effective_rules(values, rules)
    if means is None:
        means = scope_means(figures)
    results: dict[K, Scored] = {}
    for key, own in values.items():
        parts = []
        for code in CODES:
            value = own[code]
            imputed = value is None
            used = (
                value
                if value is not None
                else (means[code] if rules.rule_for_missing(code) == "mean" else Decimal(0))
            )
            benchmark = effective.benchmarks.get(code) or Decimal(0)
            ratio = min(used / benchmark, max(rules.cap, ONE)) if benchmark > 0 else Decimal(0)
            ratio = ratio.quantize(RATIO, ROUND_HALF_UP)
            weight = rules.weights.get(code, Decimal(0))
            points = (min(ratio, ONE) * weight).quantize(CENT, ROUND_HALF_UP)
            bonus = (max(ratio - ONE, Decimal(0)) * weight).quantize(CENT, ROUND_HALF_UP)
            parts.append(Part(code, value, used, imputed, ratio, points, bonus))
        score = sum((p.points for p in parts), Decimal(0))
        bonus = sum((p.bonus for p in parts), Decimal(0))
        klass = classify(score + bonus, rules.thresholds)
        results[key] = Scored(score, klass, tuple(parts), bonus)
    return results, effective


def weights_problem(weights: Mapping[str, Decimal]) -> str:
    """Why the weights are not a 100-point scale ("" when they are)."""
    unknown = sorted(set(weights) - set(CODES))
    if unknown:
        return f"unknown indicators: {', '.join(unknown)}"
    if any(w < 0 for w in weights.values()):
        return "a weight is negative"
    total = sum(weights.values(), Decimal(0))
    return "" if total == 100 else f"the weights total {total}, not 100"


def missing_indicators(
    figures: Mapping[K, Figures], weights: Mapping[str, Decimal]
) -> dict[str, int]:
    """For each weighted indicator, how many enterprises lack a value for it."""
    values = [indicator_values(f) for f in figures.values()]
    return {
        code: sum(1 for v in values if v[code] is None)
        for code in CODES
        if weights.get(code, Decimal(0)) > 0
    }


# The figures each indicator is computed from.
INDICATOR_FIGURES: dict[str, tuple[str, ...]] = {
    "tax_per_mu": ("tax", "land_mu"),
    "sales_per_energy": ("sales", "energy_tce"),
    "sales_per_emission": ("sales", "emissions_t"),
    "rnd_share": ("rnd", "sales"),
    "output_per_employee": ("sales", "employees"),
}
