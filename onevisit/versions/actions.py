"""Freezing, superseding and withdrawing versions: the one mechanism every app calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, record
from onevisit.lib.problems import Problem
from onevisit.versions.models import Kind, Version, snapshot_sha256


class VersionRefused(Problem):
    """A change a frozen version forbids, or one without its reason; the message says which."""


def current_version(obj: models.Model) -> Version | None:
    return Version.objects.of(obj).current().first()


def versions_of(obj: models.Model) -> list[Version]:
    return list(Version.objects.of(obj).select_related("made_by").order_by("number"))


def require_not_frozen(obj: models.Model, what: str) -> None:
    """Refuse a change of `obj` while a version of it is in force; `what` names the change."""
    version = current_version(obj)
    if version is not None:
        raise VersionRefused(
            _(
                "%(what)s: version %(number)s of %(day)s is in force and does not change. "
                "Make a new version, with its reason."
            )
            % {"what": what, "number": version.number, "day": f"{version.made_at:%Y-%m-%d}"}
        )


def do_freeze(
    *,
    actor: Actor,
    by: Any,
    obj: models.Model,
    kind: Kind,
    snapshot: Any,
    period: tuple[dt.date, dt.date] | None = None,
    reason: str = "",
    notice: str = "",
) -> Version:
    """Freeze what `obj` says now as its next version. The version in force, if any, is
    superseded: that needs the reason of the change (and is told in `notice`)."""
    with transaction.atomic():
        existing = Version.objects.of(obj).select_for_update().order_by("number")
        previous = [v for v in existing if v.is_current]
        if previous and not reason.strip():
            raise VersionRefused(_("A new version needs the reason of the change."))
        now = timezone.now()
        for old in previous:
            _end(old, Version.State.SUPERSEDED, now, reason)
        last = max((v.number for v in existing), default=0)
        version = Version.objects.create(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=str(obj.pk),
            number=last + 1,
            kind=kind,
            snapshot=snapshot,
            sha256=snapshot_sha256(snapshot),
            made_at=now,
            made_by=by if getattr(by, "pk", None) else None,
            made_by_name=actor.name,
            reason=reason.strip(),
            notice=notice.strip(),
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
        )
        record(
            actor=actor,
            action="freeze",
            verb=str(kind),
            obj=obj,
            changes={
                "version": version.number,
                "sha256": version.sha256,
                "supersedes": previous[0].number if previous else None,
                "reason": version.reason,
            },
        )
    return version


def do_end_version(
    *, actor: Actor, obj: models.Model, reason: str, withdraw: bool = False
) -> Version:
    """End the version in force without a successor yet: withdrawn (a 公示 taken back), or
    superseded by a correction whose new version is still to be made. It stays readable."""
    if not reason.strip():
        raise VersionRefused(_("Give the reason."))
    with transaction.atomic():
        version = Version.objects.of(obj).select_for_update().current().first()
        if version is None:
            raise VersionRefused(_("No version is in force."))
        state = Version.State.WITHDRAWN if withdraw else Version.State.SUPERSEDED
        _end(version, state, timezone.now(), reason)
        record(
            actor=actor,
            action="withdraw" if withdraw else "supersede",
            obj=obj,
            changes={"version": version.number, "reason": reason.strip()},
        )
    return version


def _end(version: Version, state: str, now: dt.datetime, reason: str) -> None:
    version.state = state
    version.ended_at = now
    version.end_reason = reason.strip()
    version.save(update_fields=["state", "ended_at", "end_reason"])
