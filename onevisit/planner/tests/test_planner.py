"""The consolidation planner's rules, as properties over random instances and as examples."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

from hypothesis import HealthCheck, given, settings

from onevisit.planner import (
    instance_to_dict,
    lower_bound,
    parse_instance,
    plan,
    solve_exact,
    stab_count,
    synthetic,
    violations,
)
from onevisit.planner.bounds import baseline_visits, capacity_bound, weekly_bound
from onevisit.planner.check import explain
from onevisit.planner.exact import BOOKING_COST, VISIT_COST
from onevisit.planner.model import (
    CAP_REACHED,
    CAPACITY,
    NO_INSPECTOR,
    TOO_FEW_INSPECTORS,
    Enterprise,
    Inspector,
    Instance,
    Plan,
    Task,
    Visit,
)

from .reference import solve_named
from .strategies import instances

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def city(tasks: list[Task], inspectors: list[Inspector], caps: dict | None = None) -> Instance:  # type: ignore[type-arg]
    enterprises = {
        e: Enterprise(e, "D1", caps or {}) for e in sorted({task.enterprise for task in tasks})
    }
    return Instance(date(2027, 1, 4), 52, ["SCJG", "STHJ", "YJ"], enterprises, inspectors, tasks)


def pair(body: str, capacity: int = 5, off: frozenset[int] = frozenset()) -> list[Inspector]:
    return [
        Inspector(f"{body}-1", body, frozenset({"D1"}), capacity, off),
        Inspector(f"{body}-2", body, frozenset({"D1"}), capacity, off),
    ]


@PROPERTY
@given(instances())
def test_it_never_breaks_a_rule_and_accounts_for_every_task(instance: Instance) -> None:
    result = plan(instance, repair_seconds=0)
    assert violations(instance, result) == []
    assert result.lower_bound <= result.baseline_visits


@PROPERTY
@given(instances(slack=True))
def test_it_meets_the_lower_bound_when_capacity_is_slack(instance: Instance) -> None:
    result = plan(instance, repair_seconds=0)
    assert violations(instance, result) == []
    assert result.unscheduled == []
    assert len(result.visits) == result.lower_bound


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tasks=7))
def test_it_is_never_better_than_the_exact_optimum(instance: Instance) -> None:
    greedy = plan(instance, repair_seconds=0)
    exact = solve_exact(instance, time_limit=30)
    assert exact is not None and exact.optimal
    assert violations(instance, Plan(exact.visits, exact.unscheduled, 0, 0)) == []
    assert (len(exact.unscheduled), len(exact.visits)) <= (
        len(greedy.unscheduled),
        len(greedy.visits),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tasks=7))
def test_it_keeps_every_rule_when_repairing_with_the_exact_model(instance: Instance) -> None:
    repaired = plan(instance, repair_seconds=5)
    greedy = plan(instance, repair_seconds=0)
    assert violations(instance, repaired) == []
    assert len(repaired.unscheduled) <= len(greedy.unscheduled)


def test_it_merges_the_checks_of_three_bodies_into_one_joint_visit() -> None:
    tasks = [
        Task("food", "E1", "SCJG", (0, 12), items=("食品经营",), points=5),
        Task("waste", "E1", "STHJ", (4, 25), points=2),
        Task("safety", "E1", "YJ", (10, 30), points=3),
    ]
    instance = city(tasks, pair("SCJG") + pair("STHJ") + pair("YJ"))
    result = plan(instance)
    assert result.baseline_visits == 3
    assert result.lower_bound == 1
    [visit] = result.visits
    assert visit.week in range(10, 13)
    assert sorted(visit.tasks) == ["food", "safety", "waste"]
    assert visit.lead_body == "SCJG"
    assert len(visit.inspectors) == 3


def test_it_sends_two_inspectors_when_one_body_comes_alone() -> None:
    instance = city([Task("food", "E1", "SCJG", (0, 3))], pair("SCJG"))
    [visit] = plan(instance).visits
    assert sorted(visit.inspectors) == ["SCJG-1", "SCJG-2"]


def test_it_says_why_a_task_cannot_be_placed() -> None:
    tasks = [
        Task("nobody", "E1", "YJ", (0, 3)),
        Task("alone", "E2", "STHJ", (0, 3)),
    ]
    lonely = [Inspector("STHJ-1", "STHJ", frozenset({"D1"}), 5)]
    result = plan(city(tasks, lonely))
    assert {(item.task, item.reason) for item in result.unscheduled} == {
        ("nobody", NO_INSPECTOR),
        ("alone", TOO_FEW_INSPECTORS),
    }


def test_it_never_books_an_inspector_in_an_unavailable_week_or_beyond_capacity() -> None:
    tasks = [Task(f"T{n}", f"E{n}", "SCJG", (0, 1)) for n in range(5)]
    result = plan(city(tasks, pair("SCJG", capacity=2, off=frozenset({1}))), repair_seconds=0)
    assert {visit.week for visit in result.visits} == {0}
    assert len(result.visits) == 2
    assert {item.reason for item in result.unscheduled} == {CAPACITY}
    assert len(result.unscheduled) == 3


def test_it_stops_at_the_annual_cap_but_not_for_exempt_kinds() -> None:
    tasks = [
        Task("q1", "E1", "SCJG", (0, 12)),
        Task("q2", "E1", "SCJG", (13, 25)),
        Task("cause", "E1", "SCJG", (30, 31), kind="triggered"),
        Task("recheck", "E1", "SCJG", (40, 41), kind="recheck"),
    ]
    result = plan(city(tasks, pair("SCJG"), caps={"SCJG": 1}))
    assert [(item.task, item.reason) for item in result.unscheduled] == [("q2", CAP_REACHED)]
    assert len(result.visits) == 3
    exact = solve_exact(city(tasks, pair("SCJG"), caps={"SCJG": 1}))
    assert exact is not None
    # either quarter's check may be the one left: both plans are optimal
    assert [item.reason for item in exact.unscheduled] == [CAP_REACHED]
    assert exact.unscheduled[0].task in {"q1", "q2"}


def test_it_counts_the_lower_bound_and_baseline_by_interval_stabbing() -> None:
    assert stab_count([]) == 0
    assert stab_count([(0, 5), (3, 8), (6, 9), (9, 9)]) == 2
    assert stab_count([(0, 0), (1, 1), (2, 2)]) == 3
    tasks = [
        Task("a", "E1", "SCJG", (0, 5)),
        Task("b", "E1", "STHJ", (3, 8)),
        Task("c", "E1", "SCJG", (6, 9)),
        Task("d", "E2", "SCJG", (0, 51)),
    ]
    instance = city(tasks, [])
    assert lower_bound(instance) == 2 + 1
    assert baseline_visits(instance) == 2 + 1 + 1


def test_it_explains_an_unplaced_task_for_the_exact_model() -> None:
    instance = city([Task("t", "E1", "YJ", (0, 3))], pair("SCJG"))
    assert explain(instance, instance.tasks[0], []) == NO_INSPECTOR


def test_it_levels_the_weekly_load_without_changing_the_visits() -> None:
    tasks = [Task(f"T{n}", f"E{n}", "SCJG", (0, 3)) for n in range(4)]
    instance = city(tasks, pair("SCJG", capacity=4))
    piled = plan(instance, balance_load=False)
    assert {visit.week for visit in piled.visits} == {3}
    level = plan(instance)
    assert sorted(visit.week for visit in level.visits) == [0, 1, 2, 3]
    assert violations(instance, level) == []
    assert len(level.visits) == len(piled.visits) and level.bookings == piled.bookings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tasks=10))
def test_it_keeps_every_rule_when_it_repairs_piece_by_piece(instance: Instance) -> None:
    # as at city scale: pieces of one district around the tasks left unplaced
    with mock.patch("onevisit.planner.solve.MAX_WHOLE_VARIABLES", 0):
        repaired = plan(instance, repair_seconds=3)
    greedy = plan(instance, repair_seconds=0)
    assert violations(instance, repaired) == []
    assert len(repaired.unscheduled) <= len(greedy.unscheduled)
    assert repaired.upper_bound_placed is not None
    assert repaired.scheduled_tasks <= repaired.upper_bound_placed


def _objective(unscheduled: list, visits: list) -> tuple[int, float]:  # type: ignore[type-arg]
    """Both models' objective: tasks left first, then visits and, with a smaller weight,
    bookings."""
    bookings = sum(len(visit.inspectors) for visit in visits)
    return len(unscheduled), VISIT_COST * len(visits) + BOOKING_COST * bookings


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tasks=8))
def test_it_finds_the_same_optimum_as_the_model_that_books_inspectors_by_name(
    instance: Instance,
) -> None:
    pooled = solve_exact(instance, time_limit=30)
    named = solve_named(instance, time_limit=30)
    assert pooled is not None and pooled.optimal
    assert named is not None and named.optimal
    assert violations(instance, Plan(pooled.visits, pooled.unscheduled, 0, 0)) == []
    assert _objective(pooled.unscheduled, pooled.visits) == _objective(
        named.unscheduled, named.visits
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tasks=8))
def test_it_never_places_more_than_its_upper_bound_and_the_bound_holds_for_the_optimum(
    instance: Instance,
) -> None:
    result = plan(instance, repair_seconds=5)
    named = solve_named(instance, time_limit=30)
    assert named is not None and named.optimal
    optimum = len(instance.tasks) - len(named.unscheduled)
    assert result.upper_bound_placed is not None
    assert result.scheduled_tasks <= optimum <= result.upper_bound_placed
    assert optimum <= capacity_bound(instance)
    weekly = weekly_bound(instance)
    assert weekly is not None and optimum <= weekly
    # small instances are solved whole: the bound is the proven optimum
    assert result.upper_bound_placed == optimum == result.scheduled_tasks


def test_it_names_inspectors_when_one_member_of_a_pool_holds_most_of_its_capacity() -> None:
    # SCJG-1 can go three times that week, SCJG-2 once: only one visit can have both, so of
    # three enterprises visited by SCJG alone, one is visited and two wait for the next week
    inspectors = [
        Inspector("SCJG-1", "SCJG", frozenset({"D1"}), 3, frozenset({1})),
        Inspector("SCJG-2", "SCJG", frozenset({"D1"}), 1, frozenset({1})),
    ]
    tasks = [Task(f"t{e}", f"E{e}", "SCJG", (0, 1)) for e in range(3)]
    instance = city(tasks, inspectors)
    instance.weeks = 2
    result = solve_exact(instance)
    assert result is not None and result.optimal
    assert violations(instance, Plan(result.visits, result.unscheduled, 0, 0)) == []
    assert len(result.visits) == 1
    assert sorted(result.visits[0].inspectors) == ["SCJG-1", "SCJG-2"]
    assert plan(instance).upper_bound_placed == 1


def test_it_refuses_a_team_member_whose_body_has_no_task_in_the_visit() -> None:
    tasks = [Task("t1", "E1", "SCJG", (0, 3))]
    instance = city(tasks, pair("SCJG") + pair("STHJ"))
    visit = Visit("E1", 0, ["t1"], ["SCJG-1", "STHJ-1"], "SCJG")
    assert violations(instance, Plan([visit], [], 0, 0)) == [
        "visit to E1 in week 0: inspector STHJ-1's body has no task in the visit"
    ]


def test_it_returns_the_plan_the_solver_proved_not_the_start_it_was_given() -> None:
    # HiGHS 1.16 hands back the start when its presolve solves the model whole; with the start
    # (the first phase's plan: a separate visit for the wide task t0) the second phase must
    # still return the proven fewest visits
    tasks = [
        Task("t0", "E1", "SCJG", (0, 5)),
        *(Task(f"t{n}", "E1", "SCJG", (0, 0)) for n in (1, 2, 3)),
        Task("t4", "E2", "SCJG", (0, 0)),
        Task("t5", "E1", "SCJG", (3, 3)),
        Task("t6", "E2", "SCJG", (0, 4)),
    ]
    instance = city(tasks, pair("SCJG", capacity=1))
    instance.weeks = 6
    result = solve_exact(instance)
    assert result is not None and result.optimal
    assert [item.task for item in result.unscheduled] == ["t4"]
    assert len(result.visits) == 3


def test_it_spends_no_time_on_the_exact_core_when_the_bounds_prove_the_greedy_best() -> None:
    # two enterprises need the only pair in week 0: one is visited, the other cannot be, and
    # the weekly bound proves it, so the greedy's plan stands without a solver run
    tasks = [Task("a", "E1", "SCJG", (0, 0)), Task("b", "E2", "SCJG", (0, 0))]
    instance = city(tasks, pair("SCJG", capacity=1))
    result = plan(instance)
    assert (result.scheduled_tasks, result.upper_bound_placed) == (1, 1)
    assert result.method == "greedy" and "repair_seconds" not in result.stats


def test_it_writes_an_instance_that_plan_file_reads_back_the_same() -> None:
    instance = synthetic.tight(seed=0)
    again = parse_instance(json.loads(json.dumps(instance_to_dict(instance))))
    assert (again.start, again.weeks, again.bodies) == (
        instance.start,
        instance.weeks,
        instance.bodies,
    )
    assert again.enterprises == instance.enterprises
    assert again.inspectors == instance.inspectors
    assert again.tasks == instance.tasks
