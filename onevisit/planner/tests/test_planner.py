"""The consolidation planner's rules, as properties over random instances and as examples."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

import pytest
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
from onevisit.planner.model import (
    CAP_REACHED,
    CAPACITY,
    DOOR_CAP,
    NO_DOOR,
    NO_INSPECTOR,
    TOO_FEW_INSPECTORS,
    Door,
    Enterprise,
    Id,
    Inspector,
    Instance,
    Plan,
    Task,
    Visit,
)

from .reference import solve_named
from .strategies import instances

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def city(
    tasks: list[Task],
    inspectors: list[Inspector],
    caps: dict | None = None,  # type: ignore[type-arg]
    door: Door = NO_DOOR,
) -> Instance:
    enterprises = {
        e: Enterprise(e, "D1", caps or {}) for e in sorted({task.enterprise for task in tasks})
    }
    bodies = sorted({task.body for task in tasks} | {"SCJG", "STHJ", "YJ"})
    return Instance(date(2027, 1, 4), 52, bodies, enterprises, inspectors, tasks, door)


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
    if not exact.unscheduled:  # the lower bound holds for the optimum, behind any door
        assert len(exact.visits) >= lower_bound(instance)


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


def _objective(unscheduled: list, visits: list) -> tuple[int, int, int]:  # type: ignore[type-arg]
    """Both models' objective, in its order: tasks left, visits, bookings (person-visits)."""
    return len(unscheduled), len(visits), sum(len(visit.inspectors) for visit in visits)


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
    assert again.door == NO_DOOR and "door" not in instance_to_dict(instance)


def test_it_reads_the_door_from_plan_file_input_when_it_is_given() -> None:
    instance = five_bodies_at_one_door(Door(max_bodies=4, max_inspectors=8))
    written = instance_to_dict(instance)
    assert written["door"] == {"max_bodies": 4, "max_inspectors": 8}
    assert parse_instance(json.loads(json.dumps(written))).door == instance.door
    written["door"] = {"max_bodies": 0}
    with pytest.raises(ValueError, match=r"door: .max_bodies. must be an integer ≥ 1"):
        parse_instance(written)


FIVE_BODIES: list[Id] = ["SCJG", "STHJ", "YJ", "ZJ", "XF"]


def five_bodies_at_one_door(door: Door, weeks: int = 4) -> Instance:
    """E1 owes five bodies a check each, all due in the first `weeks` weeks."""
    tasks = [Task(body, "E1", body, (0, weeks - 1)) for body in FIVE_BODIES]
    inspectors = [inspector for body in FIVE_BODIES for inspector in pair(str(body))]
    instance = city(tasks, inspectors, door=door)
    instance.weeks = weeks
    return instance


def bodies_per_visit(instance: Instance, visits: list[Visit]) -> list[int]:
    body_of = {task.id: task.body for task in instance.tasks}
    return sorted(len({body_of[t] for t in visit.tasks}) for visit in visits)


def test_it_brings_no_more_bodies_to_the_door_than_it_admits_in_the_greedy() -> None:
    instance = five_bodies_at_one_door(Door(max_bodies=4))
    result = plan(instance, repair_seconds=0)
    assert violations(instance, result) == []
    assert result.unscheduled == []
    # two visits; 2 + 3 bodies bring five people, where 4 + 1 (a body alone brings two) bring six
    assert bodies_per_visit(instance, result.visits) == [2, 3]
    assert result.bookings == 5
    # without the door, one visit of five bodies
    assert len(plan(five_bodies_at_one_door(NO_DOOR), repair_seconds=0).visits) == 1


def test_it_brings_no_more_inspectors_than_the_door_admits_in_the_greedy() -> None:
    instance = five_bodies_at_one_door(Door(max_inspectors=3))
    result = plan(instance, repair_seconds=0)
    assert violations(instance, result) == []
    assert result.unscheduled == []
    assert max(len(visit.inspectors) for visit in result.visits) <= 3


def test_it_keeps_the_door_in_the_exact_core_with_the_fewest_visits() -> None:
    instance = five_bodies_at_one_door(Door(max_bodies=2, max_inspectors=3))
    result = solve_exact(instance, time_limit=30)
    assert result is not None and result.optimal
    assert violations(instance, Plan(result.visits, result.unscheduled, 0, 0)) == []
    assert result.unscheduled == []
    # five bodies through a door of two: three visits at least, and the lone body brings two
    assert bodies_per_visit(instance, result.visits) == [1, 2, 2]
    assert sum(len(visit.inspectors) for visit in result.visits) == 6


def test_it_says_the_door_was_full_when_a_task_fits_no_visit() -> None:
    # one week, a door of two bodies: three bodies cannot all come
    instance = five_bodies_at_one_door(Door(max_bodies=2), weeks=1)
    for repair_seconds in (0, 5):
        result = plan(instance, repair_seconds=repair_seconds)
        assert violations(instance, result) == []
        assert len(result.visits) == 1
        assert {item.reason for item in result.unscheduled} == {DOOR_CAP}
    # the exact core proves that no plan places more
    assert result.upper_bound_placed == 2


def test_it_reports_a_visit_beyond_the_door_as_broken() -> None:
    instance = five_bodies_at_one_door(Door(max_bodies=4, max_inspectors=4))
    visit = Visit("E1", 0, FIVE_BODIES, [f"{body}-1" for body in FIVE_BODIES], "SCJG")
    assert violations(instance, Plan([visit], [], 0, 0)) == [
        "visit to E1 in week 0 brings 5 bodies, the door admits 4",
        "visit to E1 in week 0 brings 5 inspectors, the door admits 4",
    ]


def test_it_bounds_the_fewest_visits_by_the_door() -> None:
    assert lower_bound(five_bodies_at_one_door(Door(max_bodies=2))) == 3
    # every body must come twice (in week 0 and in week 3): ten body-visits, two at a time
    twice = five_bodies_at_one_door(Door(max_bodies=2))
    twice.tasks = [
        Task(f"{body}-{week}", "E1", body, (week, week)) for body in FIVE_BODIES for week in (0, 3)
    ]
    assert lower_bound(twice) == 5
    assert lower_bound(five_bodies_at_one_door(Door(max_inspectors=4))) == 2
    assert lower_bound(five_bodies_at_one_door(NO_DOOR)) == 1


def people_or_visits() -> Instance:
    """Two visits are needed (A comes in week 0 and again in week 1). C and D can come either
    week: with A in both, five people (A+C+D, A+A) or four (A+C, A+D)."""
    tasks = [
        Task("A1", "E1", "SCJG", (0, 0)),
        Task("A2", "E1", "SCJG", (1, 1)),
        Task("C", "E1", "STHJ", (0, 1)),
        Task("D", "E1", "YJ", (0, 1)),
    ]
    instance = city(tasks, pair("SCJG") + pair("STHJ") + pair("YJ"))
    instance.weeks = 2
    return instance


def test_it_brings_the_fewest_people_after_the_fewest_visits_in_the_exact_core() -> None:
    instance = people_or_visits()
    result = solve_exact(instance, time_limit=30)
    assert result is not None and result.optimal
    assert len(result.visits) == 2
    assert sum(len(visit.inspectors) for visit in result.visits) == 4


def test_it_brings_the_fewest_people_after_the_fewest_visits_in_the_planner() -> None:
    instance = people_or_visits()
    result = plan(instance, repair_seconds=0)
    assert violations(instance, result) == []
    assert (len(result.visits), result.bookings) == (2, 4)
    assert result.stats["people_saved"] >= 0


def test_it_never_buys_fewer_people_with_more_visits() -> None:
    # one visit of three bodies (3 people) beats two visits (A+C, D alone with two: 4 people)
    tasks = [
        Task("A", "E1", "SCJG", (0, 1)),
        Task("C", "E1", "STHJ", (0, 1)),
        Task("D", "E1", "YJ", (0, 1)),
    ]
    instance = city(tasks, pair("SCJG") + pair("STHJ") + pair("YJ"))
    instance.weeks = 2
    result = solve_exact(instance, time_limit=30)
    assert result is not None and result.optimal
    assert (len(result.visits), sum(len(v.inspectors) for v in result.visits)) == (1, 3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tasks=10))
def test_it_keeps_every_rule_when_it_searches_neighbourhoods(instance: Instance) -> None:
    # as in a tight city of a few hundred enterprises: the relaxation's neighbourhood, then
    # small exact re-solves
    with mock.patch("onevisit.planner.solve.MAX_PROVEN_VARIABLES", 0):
        searched = plan(instance, repair_seconds=3)
    greedy = plan(instance, repair_seconds=0)
    assert violations(instance, searched) == []
    assert len(searched.unscheduled) <= len(greedy.unscheduled)
    assert searched.upper_bound_placed is not None
    assert searched.scheduled_tasks <= searched.upper_bound_placed


def test_it_places_what_the_greedy_left_by_searching_neighbourhoods() -> None:
    instance = synthetic.tight(seed=3)
    greedy = plan(instance, repair_seconds=0)
    with mock.patch("onevisit.planner.solve.MAX_PROVEN_VARIABLES", 0):
        searched = plan(instance, repair_seconds=8)
    assert violations(instance, searched) == []
    assert searched.method == "greedy+search"
    assert searched.scheduled_tasks > greedy.scheduled_tasks
