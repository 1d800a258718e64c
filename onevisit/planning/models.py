"""Risk tiers, frequency rules, annual plans, tasks and planning runs (the joint visits)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevisit.catalog.models import Item
from onevisit.planner.model import Door
from onevisit.planning import scoring
from onevisit.registry.models import Body, Enterprise, Inspector


class Level(models.TextChoices):
    RED = scoring.RED, _("red")
    YELLOW = scoring.YELLOW, _("yellow")
    GREEN = scoring.GREEN, _("green")


class TierPolicy(models.Model):
    """分级分类规则: how a body (or, with no body, the whole city) scores enterprises."""

    body = models.OneToOneField(
        Body,
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tier_policy",
    )
    industry_points = models.TextField(
        _("industry risk points"),
        blank=True,
        help_text=_("one 'prefix points' pair per line, e.g. 'C26 30' for chemicals"),
    )
    large_employees = models.PositiveIntegerField(_("large from employees"), default=300)
    large_points = models.PositiveIntegerField(_("points for a large enterprise"), default=10)
    credit_c_points = models.PositiveIntegerField(_("points for credit class C"), default=20)
    credit_d_points = models.PositiveIntegerField(_("points for credit class D"), default=40)
    finding_points = models.PositiveIntegerField(_("points per finding"), default=10)
    serious_finding_points = models.PositiveIntegerField(
        _("points per serious finding"), default=25
    )
    penalty_points = models.PositiveIntegerField(_("points per penalty"), default=15)
    open_rectification_points = models.PositiveIntegerField(
        _("points per open rectification"), default=5
    )
    overdue_rectification_points = models.PositiveIntegerField(
        _("points per overdue rectification"), default=15
    )
    verified_tip_points = models.PositiveIntegerField(_("points per verified tip"), default=10)
    alert_points = models.PositiveIntegerField(_("points per monitoring alert"), default=5)
    red_at = models.PositiveIntegerField(_("red from score"), default=60)
    yellow_at = models.PositiveIntegerField(_("yellow from score"), default=30)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")
        constraints = [
            models.UniqueConstraint(
                fields=["body"], condition=Q(body__isnull=True), name="one_city_tier_policy"
            ),
            models.CheckConstraint(
                condition=Q(red_at__gt=models.F("yellow_at")), name="red_above_yellow"
            ),
        ]

    def __str__(self) -> str:
        return str(self.body or _("city default"))

    def parsed_industry_points(self) -> dict[str, int]:
        points: dict[str, int] = {}
        for line in self.industry_points.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                points[parts[0].upper()] = int(parts[1])
        return points

    def as_policy(self) -> scoring.Policy:
        return scoring.Policy(
            industry_points=self.parsed_industry_points(),
            large_employees=self.large_employees,
            large_points=self.large_points,
            credit_points={"C": self.credit_c_points, "D": self.credit_d_points},
            finding_points=self.finding_points,
            serious_finding_points=self.serious_finding_points,
            penalty_points=self.penalty_points,
            open_rectification_points=self.open_rectification_points,
            overdue_rectification_points=self.overdue_rectification_points,
            verified_tip_points=self.verified_tip_points,
            alert_points=self.alert_points,
            red_at=self.red_at,
            yellow_at=self.yellow_at,
        )


class Tier(models.Model):
    """An enterprise's current tier for one body: computed, or overridden with a reason."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tiers")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="tiers")
    computed_level = models.CharField(_("computed tier"), max_length=6, choices=Level.choices)
    score = models.PositiveIntegerField(_("score"))
    factors = models.JSONField(_("factors"), default=list)
    computed_at = models.DateTimeField(_("computed at"))
    override_level = models.CharField(
        _("override"), max_length=6, choices=Level.choices, blank=True
    )
    override_reason = models.TextField(_("override reason"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_until = models.DateField(_("override until"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk tier")
        verbose_name_plural = _("risk tiers")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "body"], name="one_tier_per_body"),
            models.CheckConstraint(
                condition=Q(override_level="")
                | (~Q(override_reason="") & Q(override_until__isnull=False)),
                name="override_has_reason_and_expiry",
            ),
        ]
        indexes = [models.Index(fields=["body", "computed_level"])]

    def __str__(self) -> str:
        return f"{self.enterprise} / {self.body}: {self.level}"

    def override_active(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return bool(self.override_level) and (
            self.override_until is None or self.override_until >= on
        )

    @property
    def level(self) -> str:
        return self.override_level if self.override_active() else self.computed_level

    def get_level_display(self) -> str:
        return str(Level(self.level).label)


class TierHistory(models.Model):
    class Source(models.TextChoices):
        COMPUTED = "computed", _("computed")
        OVERRIDE = "override", _("override")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=6, choices=Level.choices)
    score = models.PositiveIntegerField()
    factors = models.JSONField(default=list)
    source = models.CharField(max_length=8, choices=Source.choices)
    reason = models.TextField(blank=True)
    until = models.DateField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier history")
        indexes = [models.Index(fields=["enterprise", "body", "-at"])]


class FrequencyRule(models.Model):
    """频次规则: minimum checks by tier and the annual cap, per body and optionally industry."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="frequency_rules")
    industry_prefix = models.CharField(
        _("industry prefix"),
        max_length=5,
        blank=True,
        help_text=_("a GB/T 4754 code of any level, e.g. C26 or 3451; empty for every industry"),
    )
    red_per_year = models.PositiveSmallIntegerField(_("red: at least per year"), default=4)
    yellow_per_year = models.PositiveSmallIntegerField(_("yellow: at least per year"), default=2)
    green_sample_share = models.DecimalField(
        _("green: share sampled per year"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.05"))],
    )
    annual_cap = models.PositiveSmallIntegerField(
        _("annual cap of visits"),
        default=4,
        help_text=_("triggered checks, checks deployed from above and re-checks do not count"),
    )

    class Meta:
        ordering = ["body_id", "industry_prefix"]
        verbose_name = _("frequency rule")
        verbose_name_plural = _("frequency rules")
        constraints = [
            models.UniqueConstraint(fields=["body", "industry_prefix"], name="one_rule_per_scope"),
            models.CheckConstraint(
                condition=Q(green_sample_share__lte=Decimal("0.05")),
                name="green_sample_at_most_five_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.industry_prefix or '*'}"

    def minimum_for(self, level: str) -> int:
        minimums: dict[str, int] = {
            Level.RED: self.red_per_year,
            Level.YELLOW: self.yellow_per_year,
        }
        return minimums.get(level, 0)

    def contradicts(self, level: str) -> bool:
        return self.minimum_for(level) > self.annual_cap


class AnnualPlan(models.Model):
    """年度检查计划: a body's plan for a year, filed with the supervisor by the end of March."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FILED = "filed", _("filed")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    green_pool = models.PositiveIntegerField(_("green pool"), default=0)
    green_sample = models.PositiveIntegerField(_("green enterprises to draw"), default=0)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comments = models.TextField(_("supervisor's comments"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "body_id"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="one_plan_per_body_year")
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.year}"

    @property
    def filing_deadline(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    @property
    def is_late(self) -> bool:
        """Filed after the end of March, or not filed and March is over."""
        if self.filed_at is not None:
            return timezone.localtime(self.filed_at).date() > self.filing_deadline
        return timezone.localdate() > self.filing_deadline

    @property
    def editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class Kind(models.TextChoices):
    ROUTINE = "routine", _("routine (日常)")
    SPECIAL = "special", _("special (专项)")
    TRIGGERED = "triggered", _("triggered (触发)")
    DEPLOYED = "deployed", _("deployed from above (上级部署)")
    RECHECK = "recheck", _("re-check of rectification (复查)")


class PlanEntry(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="entries")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    tier = models.CharField(_("tier"), max_length=6, choices=Level.choices, blank=True)
    window_start = models.DateField(_("window from"))
    window_end = models.DateField(_("window to"))
    items = models.ManyToManyField(Item, related_name="+")
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["window_start", "enterprise_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="entry_window_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(kind="special") | ~Q(reason=""), name="special_entry_has_reason"
            ),
        ]


class TaskQuerySet(models.QuerySet["Task"]):
    def in_year(self, year: int) -> TaskQuerySet:
        return self.filter(window_start__year__lte=year, window_end__year__gte=year)


class Task(models.Model):
    """检查任务: one required check of one enterprise by one body within a window."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task status", "open")
        DONE = "done", _("done")
        RECOGNISED = "recognised", _("recognised (covered by another body's result)")
        CANCELLED = "cancelled", _("cancelled")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="tasks")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    window_start = models.DateField(_("window from"))
    window_end = models.DateField(_("window to"))
    items: models.ManyToManyField[Item, TaskItem] = models.ManyToManyField(
        Item, through="TaskItem", related_name="tasks"
    )
    cause = models.TextField(_("cause"), blank=True)
    plan_entry = models.ForeignKey(
        PlanEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    draw = models.ForeignKey(
        "draws.Draw", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # a recognised task: the task whose check stands for it, and why
    covered_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recognised_reason = models.TextField(_("why recognised"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["window_end", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="task_window_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(kind="triggered") | ~Q(cause=""), name="triggered_task_has_cause"
            ),
        ]
        indexes = [models.Index(fields=["status", "window_end"])]

    def __str__(self) -> str:
        return f"{self.body} → {self.enterprise} ({self.window_start}–{self.window_end})"


class TaskItem(models.Model):
    """The link that enforces 清单之外无检查: a task can carry only published items."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE)
    item = models.ForeignKey(Item, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "item"], name="task_item_unique")]

    def save(self, *args: object, **kwargs: object) -> None:
        self.item.assert_plannable()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class InspectorAbsence(models.Model):
    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="absences")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_ordered")
        ]


DEFAULT_MAX_BODIES = 4
DEFAULT_MAX_INSPECTORS = 8


class DoorLimitQuerySet(models.QuerySet["DoorLimit"]):
    def for_city(self, city_code: str | None) -> DoorLimit:
        """The city's limits; else the platform's (the row without a city); else the defaults
        (unsaved)."""
        rows = {row.city_id: row for row in self.filter(Q(city_id=city_code) | Q(city=None))}
        return rows.get(city_code) or rows.get(None) or DoorLimit()


class DoorLimit(models.Model):
    """The burden at the door (进一次门): how many bodies and inspectors may come on one visit to
    an enterprise, kept by the planner and by the registration of a visit."""

    city = models.OneToOneField(
        "registry.District",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("empty: every city without limits of its own"),
    )
    max_bodies = models.PositiveSmallIntegerField(
        _("bodies per visit at most"),
        default=DEFAULT_MAX_BODIES,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    max_inspectors = models.PositiveSmallIntegerField(
        _("inspectors at the door at most"),
        default=DEFAULT_MAX_INSPECTORS,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    objects = DoorLimitQuerySet.as_manager()

    class Meta:
        verbose_name = _("limit at the door")
        verbose_name_plural = _("limits at the door")

    def __str__(self) -> str:
        return f"{self.max_bodies} / {self.max_inspectors}"

    @property
    def door(self) -> Door:
        return Door(max_bodies=self.max_bodies, max_inspectors=self.max_inspectors)


class PlanningRunQuerySet(models.QuerySet["PlanningRun"]):
    def current_ids(self) -> list[int]:
        """The runs whose plans stand, for each year: the latest run of every city at once, or,
        when a city's run finished after it, the latest run of each city since (no enterprise
        is ever in two standing plans)."""
        chosen: dict[tuple[int, str | None], int] = {}
        by_city: set[int] = set()  # years whose latest run was a city's
        closed: set[int] = set()
        finished = self.filter(status=PlanningRun.Status.DONE).order_by(
            models.F("finished").desc(nulls_last=True), "-pk"
        )
        for run_id, year, city in finished.values_list("id", "year", "city_id"):
            if year in closed:
                continue
            if city is None:
                if year not in by_city:
                    chosen[(year, None)] = run_id
                closed.add(year)
            else:
                chosen.setdefault((year, city), run_id)
                by_city.add(year)
        return list(chosen.values())

    def of_latest_year(self) -> PlanningRunQuerySet:
        """Runs of the year whose run finished last (the plan the workbenches work from)."""
        year = (
            self.filter(status=PlanningRun.Status.DONE)
            .order_by(models.F("finished").desc(nulls_last=True), "-pk")
            .values_list("year", flat=True)
            .first()
        )
        return self.filter(year=year) if year is not None else self.none()


class PlanningRun(models.Model):
    """One run of the consolidation planner over a year's open tasks, and its result: of one
    city of the province, or of every city at once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    year = models.PositiveSmallIntegerField(_("year"))
    city = models.ForeignKey(
        "registry.District",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("empty: every city at once"),
    )
    horizon_start = models.DateField(_("first Monday"))
    weeks = models.PositiveSmallIntegerField(default=52)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    visits = models.PositiveIntegerField(default=0)
    joint_visits = models.PositiveIntegerField(default=0)
    lower_bound = models.PositiveIntegerField(default=0)
    baseline_visits = models.PositiveIntegerField(default=0)
    unscheduled = models.PositiveIntegerField(default=0)
    # no plan under the same rules places more tasks (null: runs from before the bound)
    upper_bound_placed = models.PositiveIntegerField(null=True, blank=True)
    # the limits at the door the run planned with (null: runs from before the limits)
    door_max_bodies = models.PositiveSmallIntegerField(null=True, blank=True)
    door_max_inspectors = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=20, blank=True)
    seconds = models.FloatField(default=0)
    # enterprises by number of visits: {"before": {visits: enterprises}, "after": {...}}
    distribution = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    objects = PlanningRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"

    def week_start(self, week: int) -> dt.date:
        return self.horizon_start + dt.timedelta(weeks=week)

    @property
    def percent(self) -> int:
        return round(100 * self.progress / self.total) if self.total else 0

    @property
    def method_label(self) -> str:
        return str(PLANNER_METHODS.get(self.method, self.method))

    @property
    def saved_percent(self) -> float:
        """How many fewer enterprise visits than if every body planned alone, in percent."""
        if not self.baseline_visits:
            return 0.0
        return round(100 * (1 - self.visits / self.baseline_visits), 1)

    @property
    def placed(self) -> int:
        return self.total - self.unscheduled

    @property
    def placeable_gap(self) -> int | None:
        """Tasks that a better plan might still place (0: the plan places the most possible)."""
        if self.upper_bound_placed is None:
            return None
        return max(0, self.upper_bound_placed - self.placed)


PLANNER_METHODS = {
    "greedy": _("earliest-deadline greedy"),
    "greedy+milp": _("greedy, improved by the exact model"),
    "milp": _("exact model, proven optimal"),
    "greedy+search": _("greedy, improved by neighbourhood search with the exact model"),
}


class PlannedVisit(models.Model):
    run = models.ForeignKey(PlanningRun, on_delete=models.CASCADE, related_name="planned_visits")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    week = models.PositiveSmallIntegerField()
    week_start = models.DateField()
    lead_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    joint = models.BooleanField(default=False)
    tasks = models.ManyToManyField(Task, related_name="planned_visits")
    inspectors = models.ManyToManyField(Inspector, related_name="planned_visits")

    class Meta:
        ordering = ["week", "enterprise_id"]
        indexes = [models.Index(fields=["run", "week"]), models.Index(fields=["enterprise", "run"])]


class UnplacedTask(models.Model):
    run = models.ForeignKey(PlanningRun, on_delete=models.CASCADE, related_name="unplaced")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=30)
