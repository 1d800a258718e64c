from onevisit.planning.scoring import GREEN, RED, YELLOW, Policy, Record, score

POLICY = Policy(industry_points={"C": 10, "C26": 30})


def test_it_scores_a_clean_shop_green_with_no_factors() -> None:
    result = score(Record(industry_code="F5211"), POLICY)
    assert (result.level, result.points, result.factors) == (GREEN, 0, ())


def test_it_takes_the_longest_industry_prefix_and_explains_each_factor() -> None:
    result = score(Record(industry_code="C2614", employees=450, credit_class="C"), POLICY)
    assert result.level == RED
    assert [(f.code, f.detail, f.points) for f in result.factors] == [
        ("industry", "C26", 30),
        ("size", "450", 10),
        ("credit", "C", 20),
    ]
    assert result.points == 60


def test_it_counts_each_finding() -> None:
    result = score(Record(industry_code="C3311", findings=2), POLICY)
    assert result.level == YELLOW
    assert result.points == 10 + 2 * 10


def test_it_turns_red_on_serious_findings_and_overdue_rectifications() -> None:
    record = Record(industry_code="C2614", serious_findings=1, overdue_rectifications=1)
    result = score(record, POLICY)
    assert result.level == RED
    assert result.points == 30 + 25 + 15
