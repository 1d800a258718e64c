"""The scoring core on its own: value over benchmark, capped, times weight; missing figures;
classes; the same figures and rules always give the same result."""

from __future__ import annotations

from decimal import Decimal as D

from onevisit.evaluation.scoring import Figures, Rules, classify, indicator_values, score_all

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
    cap=D("1.5"),
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


def test_it_scores_each_indicator_against_its_benchmark_capped_and_weighted() -> None:
    results, _rules = score_all({"bearings": BEARINGS}, RULES)
    scored = results["bearings"]
    points = {p.code: p.points for p in scored.parts}
    # 6/10×40 = 24; 3/2 = 1.5 (cap) ×20 = 30; 2000/1000 → cap 1.5 ×15 = 22.5; 3/2 ×15 = 22.5;
    # 80/100 ×10 = 8
    assert points == {
        "tax_per_mu": D("24.00"),
        "sales_per_energy": D("30.00"),
        "sales_per_emission": D("22.50"),
        "rnd_share": D("22.50"),
        "output_per_employee": D("8.00"),
    }
    assert (scored.score, scored.klass) == (D("107.00"), "A")
    assert [p.code for p in scored.weakest()] == ["tax_per_mu", "output_per_employee"]


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
