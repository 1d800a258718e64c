"""The consolidation planner: all bodies' tasks for a horizon in, as few joint visits out.

Pure Python (HiGHS through highspy for the exact pieces); Django calls it, it never calls Django.
"""

from .bounds import baseline_visits, lower_bound, stab_count
from .check import violations
from .exact import solve_exact
from .fileio import instance_to_dict, parse_instance, plan_to_dict
from .model import EXEMPT_KINDS, KINDS, REASONS, Enterprise, Inspector, Instance, Plan, Task
from .solve import plan

__all__ = [
    "EXEMPT_KINDS",
    "KINDS",
    "REASONS",
    "Enterprise",
    "Inspector",
    "Instance",
    "Plan",
    "Task",
    "baseline_visits",
    "instance_to_dict",
    "lower_bound",
    "parse_instance",
    "plan",
    "plan_to_dict",
    "solve_exact",
    "stab_count",
    "violations",
]
