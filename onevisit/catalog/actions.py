"""Writes to item lists: create, publish (retiring the previous version), withdraw, revise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor, diff, record, snapshot
from onevisit.catalog.models import CheckPoint, Item
from onevisit.registry.models import Body


class ItemRefused(ValueError):
    """An item write is refused; the message says why, in the reader's language."""


@dataclass(frozen=True)
class PointFields:
    content: str
    standard: str
    method: str
    guidance: str = ""
    topic: str = ""


def _item_snapshot(item: Item) -> dict[str, Any]:
    points = [
        {
            "number": p.number,
            "content": p.content,
            "standard": p.standard,
            "method": p.method,
            "topic": p.topic,
        }
        for p in item.points.all()
    ]
    return {**snapshot(item), "points": points}


def do_create_item(
    *, actor: Actor, body: Body, fields: dict[str, Any], points: Sequence[PointFields]
) -> Item:
    """A new draft item (version 1) with its checklist."""
    item = Item(body=body, **fields)
    item.full_clean()
    with transaction.atomic():
        item.save()
        _save_points(item, points)
        record(actor=actor, action="create", obj=item, changes=_item_snapshot(item))
    return item


def _save_points(item: Item, points: Sequence[PointFields]) -> None:
    CheckPoint.objects.bulk_create(
        CheckPoint(item=item, number=n, **vars(point)) for n, point in enumerate(points, start=1)
    )


def do_update_draft(
    *, actor: Actor, item: Item, fields: dict[str, Any], points: Sequence[PointFields] | None
) -> Item:
    """Change a draft in place; a published or withdrawn version never changes."""
    if item.status != Item.Status.DRAFT:
        raise ItemRefused(_("Only a draft can be edited; revise the published item instead."))
    before = _item_snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    with transaction.atomic():
        item.save()
        if points is not None:
            item.points.all().delete()
            _save_points(item, points)
        changes = diff(before, _item_snapshot(item))
        if changes:
            record(actor=actor, action="update", obj=item, changes=changes)
    return item


def do_publish_item(*, actor: Actor, item: Item) -> Item:
    """Publish a draft; the previously published version of the same item is withdrawn."""
    if item.status != Item.Status.DRAFT:
        raise ItemRefused(_("Only a draft can be published."))
    if not item.points.exists():
        raise ItemRefused(_("An item needs at least one check point before it is published."))
    now = timezone.now()
    with transaction.atomic():
        for previous in Item.objects.select_for_update().filter(
            body=item.body, code=item.code, status=Item.Status.PUBLISHED
        ):
            _withdraw(actor, previous, now, reason=f"superseded by version {item.version}")
        item.status = Item.Status.PUBLISHED
        item.published_at = now
        item.save(update_fields=["status", "published_at"])
        record(actor=actor, action="publish", obj=item, changes={"version": item.version})
    return item


def _withdraw(actor: Actor, item: Item, now: Any, reason: str) -> None:
    item.status = Item.Status.WITHDRAWN
    item.withdrawn_at = now
    item.save(update_fields=["status", "withdrawn_at"])
    record(actor=actor, action="withdraw", obj=item, changes={"reason": reason})


def do_withdraw_item(*, actor: Actor, item: Item, reason: str) -> Item:
    if item.status != Item.Status.PUBLISHED:
        raise ItemRefused(_("Only a published item can be withdrawn."))
    with transaction.atomic():
        _withdraw(actor, item, timezone.now(), reason)
    return item


def do_revise_item(*, actor: Actor, item: Item) -> Item:
    """A new draft version copied from `item`, to edit and publish in its place."""
    with transaction.atomic():
        existing = Item.objects.filter(body=item.body, code=item.code, status=Item.Status.DRAFT)
        if draft := existing.first():
            return draft
        latest = Item.objects.filter(body=item.body, code=item.code).order_by("-version").first()
        copy = Item(
            body=item.body,
            code=item.code,
            version=(latest.version if latest else item.version) + 1,
            name=item.name,
            legal_basis=item.legal_basis,
            responsible=item.responsible,
            held_by_level=item.held_by_level,
            industries=item.industries,
            recognition_days=item.recognition_days,
        )
        copy.save()
        _save_points(
            copy,
            [
                PointFields(p.content, p.standard, p.method, p.guidance, p.topic)
                for p in item.points.all()
            ],
        )
        record(actor=actor, action="revise", obj=copy, changes={"from_version": item.version})
    return copy
