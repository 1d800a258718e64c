"""Random planner instances for property tests."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from onevisit.planner.model import KINDS, NO_DOOR, Door, Enterprise, Id, Inspector, Instance, Task


@st.composite
def instances(draw: st.DrawFn, *, slack: bool = False, max_tasks: int = 12) -> Instance:
    weeks = draw(st.integers(1, 8))
    bodies: list[Id] = [f"B{b}" for b in range(draw(st.integers(1, 3)))]
    districts = [f"D{d}" for d in range(draw(st.integers(1, 2)))]
    enterprises: dict[Id, Enterprise] = {}
    for e in range(draw(st.integers(1, 5))):
        caps: dict[Id, int] = (
            {} if slack else draw(st.dictionaries(st.sampled_from(bodies), st.integers(0, 3)))
        )
        enterprises[f"E{e}"] = Enterprise(f"E{e}", draw(st.sampled_from(districts)), caps)
    inspectors = []
    if slack:
        # two roomy inspectors of every body in every district
        for body in bodies:
            for n in range(2):
                inspectors.append(Inspector(f"{body}-{n}", body, frozenset(districts), max_tasks))
    else:
        for i in range(draw(st.integers(0, 7))):
            inspectors.append(
                Inspector(
                    f"I{i}",
                    draw(st.sampled_from(bodies)),
                    frozenset(draw(st.lists(st.sampled_from(districts), min_size=1))),
                    draw(st.integers(0, 2)),
                    frozenset(draw(st.lists(st.integers(0, weeks - 1), max_size=3))),
                )
            )
    tasks = []
    for t in range(draw(st.integers(0, max_tasks))):
        first = draw(st.integers(0, weeks - 1))
        last = draw(st.integers(first, weeks - 1))
        tasks.append(
            Task(
                f"T{t}",
                draw(st.sampled_from(sorted(enterprises))),
                draw(st.sampled_from(bodies)),
                (first, last),
                draw(st.sampled_from(KINDS)),
                points=draw(st.integers(0, 4)),
            )
        )
    door = draw(doors()) if len(bodies) > 1 and not slack else NO_DOOR
    return Instance(date(2027, 1, 4), weeks, bodies, enterprises, inspectors, tasks, door)


def doors() -> st.SearchStrategy[Door]:
    """No limit, or a door that admits one or two bodies, or two or three inspectors."""
    return st.one_of(
        st.just(NO_DOOR),
        st.builds(
            Door,
            max_bodies=st.sampled_from([None, 1, 2]),
            max_inspectors=st.sampled_from([None, 2, 3]),
        ),
    )
