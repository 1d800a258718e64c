"""政企沟通: a door, a window and an answer. An enterprise, or a member of the public about an
enterprise matter, raises a request (诉求); it is routed by kind and body, acknowledged and
answered within working-day deadlines, and rated by the one who asked. A request for a
guidance visit (有求必应) becomes a service visit that inspects nothing and counts toward no
cap."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onevisit.lib.receipts import secret_matches
from onevisit.registry.models import Body, Enterprise

LOW_RATING = 2  # an answer rated this or lower may be reopened, once


class Kind(models.TextChoices):
    QUESTION = "question", _("a question about a rule or an item")
    PROBLEM = "problem", _("a problem with an inspection")
    GUIDANCE = "guidance", _("a guidance visit (有求必应)")
    SUGGESTION = "suggestion", _("a suggestion")


# Working days to acknowledge and to answer, by kind.
DEADLINES: dict[str, tuple[int, int]] = {
    Kind.QUESTION: (1, 5),
    Kind.PROBLEM: (1, 10),
    Kind.GUIDANCE: (2, 10),
    Kind.SUGGESTION: (2, 15),
}
# The kinds a requester may raise without naming themselves: a problem names its visit and a
# guidance visit its enterprise, so neither can hide who asks.
ANONYMOUS_KINDS = (Kind.QUESTION, Kind.SUGGESTION)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def open(self) -> ConcernQuerySet:
        return self.filter(status__in=Concern.OPEN)

    def overdue(self, today: object) -> ConcernQuerySet:
        return self.open().filter(
            Q(status=Concern.Status.RECEIVED, ack_due__lt=today) | Q(answer_due__lt=today)
        )


class Concern(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("status of a request", "received")
        ACKNOWLEDGED = "acknowledged", _("acknowledged, being answered")
        ANSWERED = "answered", _("answered, waiting for the rating")
        CLOSED = "closed", _("rated and closed")

    OPEN = (Status.RECEIVED, Status.ACKNOWLEDGED)

    receipt = models.CharField(_("receipt number"), max_length=20, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.ForeignKey(
        Body,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concerns",
        help_text=_("empty until the supervisor routes it"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    enterprise_name = models.CharField(_("enterprise named"), max_length=200, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    identity_sealed = models.TextField(blank=True)
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item asked about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit = models.ForeignKey(
        "inspections.Visit",
        verbose_name=_("visit concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("what you would like"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    ack_due = models.DateField(_("acknowledge by"))
    answer_due = models.DateField(_("answer by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_visit = models.ForeignKey(
        "inspections.Visit",
        verbose_name=_("guidance visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the answer"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened once"), default=False)
    reopen_reason = models.TextField(_("why reopened"), blank=True)
    created = models.DateTimeField(_("raised at"), auto_now_add=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("request (诉求)")
        verbose_name_plural = _("requests (诉求)")
        indexes = [models.Index(fields=["body", "status"], name="concern_body_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="concern_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(kind__in=ANONYMOUS_KINDS),
                name="concern_anonymous_only_where_allowed",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt

    def secret_matches(self, secret: str) -> bool:
        return secret_matches(self.secret_sha256, secret)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def can_reopen(self) -> bool:
        return (
            self.status == self.Status.CLOSED
            and not self.reopened
            and self.rating is not None
            and self.rating <= LOW_RATING
        )

    def shown_enterprise(self) -> str:
        """What a handler sees of who asks: nothing when the requester asked to stay hidden."""
        if self.anonymous:
            return str(_("anonymous"))
        return self.enterprise.name if self.enterprise else self.enterprise_name


class Reply(models.Model):
    """One round of a request: the answer sent (frozen once sent) and what the requester made of
    it. A request reopened after a low rating is answered again in a new round; every round
    stays, so the thread shows each answer, each rating and why it was reopened."""

    concern = models.ForeignKey(
        Concern, verbose_name=_("request (诉求)"), on_delete=models.CASCADE, related_name="replies"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    answer = models.TextField(_("answer"))
    answered_at = models.DateTimeField(_("answered at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the answer"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopen_reason = models.TextField(_("why it was reopened after this answer"), blank=True)

    class Meta:
        ordering = ["concern", "number"]
        verbose_name = _("answer of a request")
        verbose_name_plural = _("answers of requests")
        constraints = [
            models.UniqueConstraint(fields=["concern", "number"], name="one_reply_per_round"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="reply_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concern} #{self.number}"
