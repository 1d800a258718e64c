"""The scoring core on its own: value over benchmark times weight, on a 100-point scale, with
any bonus beyond the benchmark apart; missing figures; classes; the same figures and rules
always give the same result."""

from __future__ import annotations

from decimal import Decimal as D

from onevisit.evaluation.scoring import (
    Figures,
    Rules,
    classify,
    indicator_values,
    missing_indicators,
    score_all,
    weights_problem,
)

WEIGHTS = {
    "tax_per_mu": D(40),
    "sales_per_energy": D(20),
    "sales_per_emission": D(15),
    "rnd_share": D(15),
    "output_per_employee": D(10),
}
BENCHMARKS = {
    "tax_per_mu": D(10),
    "sales_per_energy": D(2),
    "sales_per_emission": D(1000),
    "rnd_share": D(2),
    "output_per_employee": D(100),
}
RULES = Rules(
    WEIGHTS,
    BENCHMARKS,
    missing={"sales_per_emission": "mean"},
    thresholds={"A": D(80), "B": D(55), "C": D(35)},
)
BEARINGS = Figures(  # a 临清 bearing works: 50 亩, 300 万元 tax, 12,000 万元 sales
    tax=D(300),
    sales=D(12000),
    energy_tce=D(4000),
    emissions_t=D(6),
    rnd=D(360),
    employees=D(150),
    land_mu=D(50),
)
CHEMICALS = Figures(  # a chemical plant: no emission figure reported
    tax=D(1500),
    sales=D(60000),
    energy_tce=D(80000),
    emissions_t=None,
    rnd=D(600),
    employees=D(400),
    land_mu=D(300),
)


def test_it_computes_the_five_indicators_from_the_figures() -> None:
    assert indicator_values(BEARINGS) == {
        "tax_per_mu": D(6),
        "sales_per_energy": D(3),
        "sales_per_emission": D(2000),
        "rnd_share": D(3),
        "output_per_employee": D(80),
    }


def test_it_scores_each_indicator_on_a_100_point_scale_full_at_the_benchmark() -> None:
    results, _rules = score_all({"bearings": BEARINGS}, RULES)
    scored = results["bearings"]
    points = {p.code: p.points for p in scored.parts}
    # 6/10 ×40 = 24; 3/2 beyond the benchmark: the full 20; 2000/1000: the full 15; 3/2: the
    # full 15; 80/100 ×10 = 8
    assert points == {
        "tax_per_mu": D("24.00"),
        "sales_per_energy": D("20.00"),
        "sales_per_emission": D("15.00"),
        "rnd_share": D("15.00"),
        "output_per_employee": D("8.00"),
    }
    assert (scored.score, scored.bonus, scored.klass) == (D("82.00"), D(0), "A")
    assert [p.code for p in scored.weakest()] == ["tax_per_mu", "output_per_employee"]


def test_it_never_scores_above_100_without_an_explicit_bonus() -> None:
    best = Figures(  # far beyond every benchmark
        tax=D(10**6),
        sales=D(10**6),
        energy_tce=D(1),
        emissions_t=D(1),
        rnd=D(10**5),
        employees=D(1),
        land_mu=D(1),
    )
    results, _rules = score_all({"best": best, "bearings": BEARINGS}, RULES)
    assert results["best"].score == D(100) and results["best"].bonus == D(0)


def test_it_adds_the_bonus_beyond_the_benchmark_apart_when_the_year_allows_it() -> None:
    generous = Rules(WEIGHTS, BENCHMARKS, cap=D("1.2"), thresholds=RULES.thresholds)
    scored = score_all({"bearings": BEARINGS}, generous)[0]["bearings"]
    # beyond the benchmark by at most 0.2: 20×0.2 + 15×0.2 + 15×0.2 = 10 bonus points
    assert (scored.score, scored.bonus, scored.total) == (D("82.00"), D("10.00"), D("92.00"))


def test_it_says_when_the_weights_are_not_a_100_point_scale() -> None:
    assert weights_problem(WEIGHTS) == ""
    assert "110" in weights_problem({**WEIGHTS, "tax_per_mu": D(50)})
    assert weights_problem({**WEIGHTS, "tax_per_mu": D(-1), "rnd_share": D(56)}) != ""


def test_it_counts_each_weighted_indicator_missing() -> None:
    no_land = Figures(tax=D(1), sales=D(100), energy_tce=D(1), emissions_t=D(1), rnd=D(1))
    missing = missing_indicators({"a": no_land, "b": BEARINGS}, WEIGHTS)
    assert missing["tax_per_mu"] == 1 and missing["output_per_employee"] == 1
    assert missing["sales_per_energy"] == 0


def test_it_scores_a_missing_emission_figure_at_the_scopes_mean() -> None:
    results, _rules = score_all({"bearings": BEARINGS, "chemicals": CHEMICALS}, RULES)
    part = next(p for p in results["chemicals"].parts if p.code == "sales_per_emission")
    assert (part.value, part.used, part.imputed) == (None, D(2000), True)
    energy = next(p for p in results["chemicals"].parts if p.code == "sales_per_energy")
    assert energy.ratio == D("0.375")  # 0.75 万元/tce against 2


def test_it_fills_an_empty_benchmark_with_the_scopes_mean_and_returns_it() -> None:
    rules = Rules(WEIGHTS, {}, missing={}, thresholds=RULES.thresholds)
    _results, effective = score_all({"bearings": BEARINGS, "chemicals": CHEMICALS}, rules)
    assert effective.benchmarks["tax_per_mu"] == D("5.5")  # (6 + 5) / 2


def test_it_reproduces_a_result_from_the_rules_it_returned() -> None:
    figures = {"bearings": BEARINGS, "chemicals": CHEMICALS}
    first, effective = score_all(figures, Rules(WEIGHTS, {}, thresholds=RULES.thresholds))
    again, _ = score_all(figures, effective)
    assert first == again


def test_it_classes_by_the_lowest_score_of_each_class() -> None:
    thresholds = RULES.thresholds
    assert [classify(D(s), thresholds) for s in ("80", "79.99", "55", "35", "34.99")] == [
        "A",
        "B",
        "B",
        "C",
        "D",
    ]
