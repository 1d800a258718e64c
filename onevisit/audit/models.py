"""An append-only, hash-chained log of every change to registry and enforcement records.

Each entry stores the hash of the previous entry and its own hash over its content, so that
removing, reordering or editing any entry breaks the chain from that entry on.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.lib.gm import chain_hash
from onevisit.lib.suites import suite_field

GENESIS_HASH = "0" * 64


class AuditHead(models.Model):
    """One row holding the hash of the newest entry; locking it serialises appends. Its seal
    (over count and hash, with the audit key) shows that onevisit, not a database writer, set it."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)
    seal = models.CharField(max_length=64, blank=True, default="")

    def state(self) -> str:
        return f"head:{self.count}:{self.last_hash}"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        ACTION = "action", _("action")

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    verb = models.CharField(_("verb"), max_length=64, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # HMAC of the hash with the audit key (audit.keys); empty only on entries written before
    # entries were sealed
    seal = models.CharField(_("seal"), max_length=64, blank=True, default="")
    # The hash function of this entry: SM3 under the gm suite, SHA-256 under intl (and for
    # every entry written before the suites); a chain may cross from one to the other.
    suite = suite_field()

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.object_type}:{self.object_id}"

    def payload(self) -> dict[str, Any]:
        """The content the hash covers. Changing this list is a format change of the chain."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor_name,
            "actor_id": self.actor_id,
            "action": self.action,
            "verb": self.verb,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(
            self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        return chain_hash(self.suite, (self.prev_hash + canonical).encode("utf-8"))


class QuarantinedEntry(models.Model):
    """A row found in the log beyond its head, not written by onevisit (no valid seal): set aside
    here, whole, when the next append finds it, so that appends go on; `audit verify` keeps
    reporting it."""

    found = models.DateTimeField(_("found"))
    row = models.JSONField(_("row as found"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("forged audit entry set aside")
        verbose_name_plural = _("forged audit entries set aside")
