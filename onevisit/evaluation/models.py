"""亩产效益 evaluation: a year opened by the lead department, the figures each source department
reports, the scores and classes, and the enterprises' objections during 公示."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.evaluation import scoring
from onevisit.registry.models import Body, District, Enterprise

FIGURES: tuple[tuple[str, Any], ...] = (
    ("tax", _("tax paid (万元)")),
    ("sales", _("sales revenue (万元)")),
    ("energy_tce", _("energy use (t standard coal)")),
    ("emissions_t", _("main pollutant emissions (t)")),
    ("rnd", _("R&D spending (万元)")),
    ("employees", _("average employees")),
    ("land_mu", _("land area (亩)")),
)
FIGURE_CODES = tuple(code for code, _label in FIGURES)
DEFAULT_WEIGHTS = {
    "tax_per_mu": 40,
    "sales_per_energy": 20,
    "sales_per_emission": 15,
    "rnd_share": 15,
    "output_per_employee": 10,
}
# the lowest total of classes A, B and C on the 100-point scale (docs/evaluation.md)
DEFAULT_THRESHOLDS = {"A": 80, "B": 55, "C": 35}


class Year(models.Model):
    class Status(models.TextChoices):
        COLLECTING = "collecting", _("collecting figures")
        PUBLISHED = "published", _("published for objections (公示)")
        FINAL = "final", _("final")

    year = models.PositiveSmallIntegerField(_("year"))
    lead_body = models.ForeignKey(
        Body, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        District,
        verbose_name=_("area evaluated"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the lead department's city or county: its enterprises are evaluated"),
    )  # one evaluation per area and year: the cities of a province each evaluate theirs
    industries = models.CharField(
        _("industries in scope (GB/T 4754)"),
        max_length=200,
        default="B,C",
        help_text=_("codes of any level, comma-separated; 规上 industrial enterprises by default"),
    )
    excluded = models.CharField(
        _("excluded industries"),
        max_length=200,
        blank=True,
        default="D",
        help_text=_("电力、热力、燃气及水的生产和供应业 (D) is excluded by the province's rules"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.COLLECTING
    )
    weights = models.JSONField(_("weights"), default=dict)
    benchmarks = models.JSONField(_("benchmarks"), default=dict, blank=True)
    cap = models.DecimalField(
        _("bonus cap (× benchmark)"),
        max_digits=5,
        decimal_places=2,
        default=1,
        help_text=_(
            "1: an indicator scores at most its weight, at the benchmark (a 100-point scale); "
            "above 1: performance beyond the benchmark adds bonus points (加分), shown apart"
        ),
    )
    max_missing_share = models.DecimalField(
        _("largest share of the scope an indicator may miss when published"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.10"),
        help_text=_(
            "publishing is refused while a weighted indicator is missing for more of the "
            "enterprises than this share: its department has not reported yet"
        ),
    )
    thresholds = models.JSONField(_("class thresholds"), default=dict)
    rules_used = models.JSONField(_("rules of the published result"), default=dict, blank=True)
    summary = models.JSONField(
        _("counts of the result"), default=dict, blank=True, editable=False
    )  # by class, district and industry: written with the scores, read by the year's page
    electricity_gap = models.DecimalField(
        _("electricity check: tolerated share"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.10"),
        help_text=_(
            "flag an enterprise whose monitored electricity, in standard coal, exceeds its "
            "reported energy use by more than this share"
        ),
    )
    objection_days = models.PositiveSmallIntegerField(
        _("objection window (working days)"), default=5
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    figures_changed_at = models.DateTimeField(_("figures last changed at"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    objections_until = models.DateField(_("objections until"), null=True, blank=True)
    final_on = models.DateField(_("final on"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "area"]
        verbose_name = _("evaluation year")
        verbose_name_plural = _("evaluation years")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "area"], name="one_evaluation_per_area_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} 亩产效益评价"

    def rules(self) -> scoring.Rules:
        return scoring.Rules(
            weights={k: Decimal(str(v)) for k, v in (self.weights or DEFAULT_WEIGHTS).items()},
            benchmarks={
                k: Decimal(str(v)) for k, v in self.benchmarks.items() if v not in ("", None)
            },
            cap=Decimal(self.cap),
            missing={"sales_per_emission": "mean"},
            thresholds={
                k: Decimal(str(v)) for k, v in (self.thresholds or DEFAULT_THRESHOLDS).items()
            },
        )

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def scores_are_stale(self) -> bool:
        """Figures were imported after the year was last scored."""
        if self.scored_at is None:
            return True
        return self.figures_changed_at is not None and self.figures_changed_at > self.scored_at


class Source(models.Model):
    """Which department reports which figure for a year (税务: tax; 统计: sales, …)."""

    year = models.ForeignKey(
        Year, verbose_name=_("year"), on_delete=models.CASCADE, related_name="sources"
    )
    figure = models.CharField(_("figure"), max_length=12, choices=FIGURES)
    body = models.ForeignKey(
        Body, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("figure source")
        verbose_name_plural = _("figure sources")
        constraints = [
            models.UniqueConstraint(fields=["year", "figure"], name="one_source_per_figure")
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.get_figure_display()}: {self.body}"


def _figure_field(label: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(label, max_digits=16, decimal_places=4, null=True, blank=True)


class Entry(models.Model):
    """An enterprise in a year's scope: its figures, its confirmation, its score and class."""

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("not yet confirmed")
        CONFIRMED = "confirmed", _("confirmed by the enterprise")

    year = models.ForeignKey(
        Year, verbose_name=_("year"), on_delete=models.CASCADE, related_name="entries"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    tax = _figure_field(_("tax paid (万元)"))
    sales = _figure_field(_("sales revenue (万元)"))
    energy_tce = _figure_field(_("energy use (t standard coal)"))
    emissions_t = _figure_field(_("main pollutant emissions (t)"))
    rnd = _figure_field(_("R&D spending (万元)"))
    employees = _figure_field(_("average employees"))
    land_mu = _figure_field(_("land area (亩)"))
    confirmation = models.CharField(
        _("confirmation"),
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.PENDING,
    )
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True)
    bonus = models.DecimalField(_("bonus (加分)"), max_digits=8, decimal_places=2, default=0)
    klass = models.CharField(_("class"), max_length=1, blank=True)
    parts = models.JSONField(_("parts of the score"), default=list, blank=True)

    class Meta:
        ordering = ["year", "-score", "id"]
        verbose_name = _("evaluated enterprise")
        verbose_name_plural = _("evaluated enterprises")
        constraints = [
            models.UniqueConstraint(fields=["year", "enterprise"], name="one_entry_per_year")
        ]
        indexes = [
            models.Index(fields=["year", "-score"], name="evaluation_year_score"),
            models.Index(fields=["year", "klass", "-score"], name="evaluation_class_score"),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.enterprise}"

    def figures(self) -> scoring.Figures:
        return scoring.Figures(**{code: getattr(self, code) for code in FIGURE_CODES})

    @property
    def total(self) -> Decimal | None:
        """The score the class is decided on: the 100-point score and any bonus."""
        return None if self.score is None else self.score + self.bonus


class Objection(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("to decide")
        UPHELD = "upheld", _("upheld: figures corrected")
        REJECTED = "rejected", _("rejected")

    entry = models.ForeignKey(
        Entry,
        verbose_name=_("evaluated enterprise"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    reason = models.TextField(_("reason"))
    filed = models.DateTimeField(_("filed"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    # an upheld objection's correction of the enterprise's figures: {figure: [before, after]}
    corrections = models.JSONField(_("figures corrected"), default=dict, blank=True)

    class Meta:
        ordering = ["filed"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.entry}: {self.reason[:30]}"


INDICATOR_CHOICES = [(code, name) for code, name, _unit in scoring.INDICATORS]


class Recommendation(models.Model):
    """An entry of a department's catalogue of improvements (工业绿色诊断), tied to the
    indicator it improves: for high energy per sales, 电机能效提升, 余热回收, …"""

    body = models.ForeignKey(
        Body, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.CharField(_("indicator"), max_length=24, choices=INDICATOR_CHOICES)
    title = models.CharField(_("recommendation"), max_length=100)
    text = models.TextField(_("what to do"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["indicator", "title"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.title


class Diagnosis(models.Model):
    """工业绿色诊断 of one evaluated enterprise: drafted and edited by the lead department,
    issued to the enterprise, its recommendations followed up one by one."""

    entry = models.OneToOneField(
        Entry,
        verbose_name=_("evaluated enterprise"),
        on_delete=models.CASCADE,
        related_name="diagnosis",
    )
    summary = models.TextField(_("the department's summary"), blank=True)
    issued = models.DateField(_("issued on"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")

    def __str__(self) -> str:
        return f"{self.entry} 诊断"


class Advice(models.Model):
    """One recommendation issued in a diagnosis, and whether the enterprise acted on it."""

    diagnosis = models.ForeignKey(
        Diagnosis, verbose_name=_("diagnosis"), on_delete=models.CASCADE, related_name="advice"
    )
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    followed_up = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up_note = models.CharField(_("what was done"), max_length=500, blank=True)

    class Meta:
        ordering = ["recommendation__indicator", "pk"]
        verbose_name = _("issued recommendation")
        verbose_name_plural = _("issued recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["diagnosis", "recommendation"], name="one_advice_per_recommendation"
            )
        ]

    def __str__(self) -> str:
        return str(self.recommendation)
