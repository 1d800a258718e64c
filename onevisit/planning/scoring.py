"""分级分类: an enterprise's risk score and tier for one body, from explainable rules. Pure.

Each factor is a count from the enterprise's record times the points the policy gives it; the
industry adds its base risk, the credit class its own points. The tier follows from the total
and the policy's thresholds; every contributing factor is returned so a page can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RED, YELLOW, GREEN = "red", "yellow", "green"


@dataclass(frozen=True)
class Record:
    """What the platform knows of an enterprise, counted for one body."""

    industry_code: str
    employees: int | None = None
    credit_class: str = ""
    findings: int = 0
    serious_findings: int = 0
    penalties: int = 0
    open_rectifications: int = 0
    overdue_rectifications: int = 0
    verified_tips: int = 0
    alerts: int = 0


@dataclass(frozen=True)
class Policy:
    industry_points: dict[str, int] = field(default_factory=dict)  # GB/T 4754 prefix -> points
    large_employees: int = 300
    large_points: int = 10
    credit_points: dict[str, int] = field(default_factory=lambda: {"C": 20, "D": 40})
    finding_points: int = 10
    serious_finding_points: int = 25
    penalty_points: int = 15
    open_rectification_points: int = 5
    overdue_rectification_points: int = 15
    verified_tip_points: int = 10
    alert_points: int = 5
    red_at: int = 60
    yellow_at: int = 30


@dataclass(frozen=True)
class Factor:
    code: str
    detail: str
    count: int
    points: int


@dataclass(frozen=True)
class Score:
    points: int
    level: str
    factors: tuple[Factor, ...]


def industry_points(policy: Policy, code: str) -> tuple[str, int]:
    """The longest matching prefix wins: C26 (chemicals) over C (manufacturing)."""
    best = ""
    for prefix in policy.industry_points:
        if code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return best, policy.industry_points.get(best, 0)


def score(record: Record, policy: Policy) -> Score:
    factors: list[Factor] = []
    prefix, points = industry_points(policy, record.industry_code)
    if points:
        factors.append(Factor("industry", prefix, 1, points))
    if record.employees is not None and record.employees >= policy.large_employees:
        factors.append(Factor("size", str(record.employees), 1, policy.large_points))
    credit = policy.credit_points.get(record.credit_class, 0)
    if credit:
        factors.append(Factor("credit", record.credit_class, 1, credit))
    counted = (
        ("findings", record.findings, policy.finding_points),
        ("serious_findings", record.serious_findings, policy.serious_finding_points),
        ("penalties", record.penalties, policy.penalty_points),
        ("open_rectifications", record.open_rectifications, policy.open_rectification_points),
        (
            "overdue_rectifications",
            record.overdue_rectifications,
            policy.overdue_rectification_points,
        ),
        ("verified_tips", record.verified_tips, policy.verified_tip_points),
        ("alerts", record.alerts, policy.alert_points),
    )
    for code, count, each in counted:
        if count and each:
            factors.append(Factor(code, "", count, count * each))
    total = sum(f.points for f in factors)
    level = RED if total >= policy.red_at else YELLOW if total >= policy.yellow_at else GREEN
    return Score(total, level, tuple(factors))
