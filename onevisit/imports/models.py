"""A large import written in batches: the run and the rows it has checked but not yet written.

The protocol (see actions.py): every row is checked and staged first; nothing the platform shows
changes until the run is committed; a committed run is written in short batches and, if its
process dies, finished by the next one. So a file lands whole or not at all, and other writers
wait for one batch, never for the whole file.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class State(models.TextChoices):
        STAGING = "staging", _("checking")
        COMMITTED = "committed", _("writing")
        DONE = "done", _("done")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        ENTERPRISES = "enterprises", _("enterprise register")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    actor_id = models.BigIntegerField(_("user id"), null=True)
    actor_name = models.CharField(_("by"), max_length=150)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("rows created"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    touched_at = models.DateTimeField(_("last batch"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.get_state_display()})"


class StagedBatch(models.Model):
    """Checked rows of a run, as JSON-ready field values, waiting to be written together."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(_("batch"))
    rows = models.JSONField(_("rows"))

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="staged_batch_once_per_run")
        ]
        verbose_name = _("staged batch")
        verbose_name_plural = _("staged batches")

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"
