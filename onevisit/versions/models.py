"""What leaves the platform is final: one mechanism for every kind of record that is published
(公示), approved, issued or answered.

When such a record leaves, `actions.do_freeze` writes a `Version`: what it said (a snapshot, with
its SHA-256), when and by whom, and, where the law gives one, its own period (a 公示's objection
window). The version never changes. A later change does not rewrite it: it makes the next
version, with its reason, its actor, its notice (what the public or the enterprise is told
changed) and its own period, and the earlier one is kept, marked superseded (or withdrawn), and
stays readable. The audit log holds both.

The records themselves (an evaluation year, a diagnosis, an assessment, a request's answer, a
regional scope entry, a filed plan, a draw) keep their working state; their pages show the
current version beside its history, and their actions refuse a change that a frozen version
forbids (`actions.require_not_frozen`)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PROPOSAL = "proposal", _("proposed")
    PUBLICATION = "publication", _("published (公示)")
    FINAL = "final", _("final result")
    APPROVAL = "approval", _("approved")
    ISSUE = "issue", _("issued")
    ANSWER = "answer", _("answered")
    FILING = "filing", _("filed (备案)")
    DRAW = "draw", _("drawn")


class VersionQuerySet(models.QuerySet["Version"]):
    def of(self, obj: models.Model) -> VersionQuerySet:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=str(obj.pk))

    def current(self) -> VersionQuerySet:
        return self.filter(state=Version.State.CURRENT)


def snapshot_sha256(snapshot: Any) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Version(models.Model):
    class State(models.TextChoices):
        CURRENT = "current", _("in force")
        SUPERSEDED = "superseded", _("superseded")
        WITHDRAWN = "withdrawn", _("withdrawn")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64)
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    snapshot = models.JSONField(_("what it said"))
    sha256 = models.CharField(_("SHA-256 of what it said"), max_length=64)
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_by_name = models.CharField(_("made by"), max_length=150)
    reason = models.TextField(_("why this version replaces the one before"), blank=True)
    notice = models.TextField(_("notice of what changed"), blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CURRENT
    )
    ended_at = models.DateTimeField(_("superseded or withdrawn at"), null=True, blank=True)
    end_reason = models.TextField(_("why it was superseded or withdrawn"), blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "number"]
        verbose_name = _("frozen version")
        verbose_name_plural = _("frozen versions")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state="current"),
                name="one_version_in_force",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]

    def __str__(self) -> str:
        return str(
            _("%(record)s %(id)s, version %(n)s")
            % {"record": self.content_type.name, "id": self.object_id, "n": self.number}
        )

    @property
    def is_current(self) -> bool:
        return self.state == self.State.CURRENT

    def intact(self) -> bool:
        """Whether what it says is still what was frozen."""
        return snapshot_sha256(self.snapshot) == self.sha256
