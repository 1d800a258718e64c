"""Writes to the holiday table: remembering deadlines that were estimated, and entering a State
Council notice, which extends (never shortens) the open deadlines it affects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from onevisit.audit.actions import Actor, record
from onevisit.workdays.calendar import Deadline, working_deadline
from onevisit.workdays.models import CalendarYear, EstimatedDeadline, SpecialDay


def track_deadline(obj: models.Model, field: str, deadline: Deadline) -> None:
    """Remember how an estimated deadline stored on `obj.field` was counted; a deadline
    counted over notices only needs nothing remembered (and forgets an older estimate)."""
    content_type = ContentType.objects.get_for_model(obj)
    if not deadline.is_estimated:
        EstimatedDeadline.objects.filter(
            content_type=content_type, object_id=str(obj.pk), field=field
        ).delete()
        return
    EstimatedDeadline.objects.update_or_create(
        content_type=content_type,
        object_id=str(obj.pk),
        field=field,
        defaults={
            "start": deadline.start,
            "working_days": deadline.working_days,
            "date": deadline.date,
        },
    )


def copy_tracking(
    source: models.Model, source_field: str, target: models.Model, field: str
) -> None:
    """A deadline copied from another object (a finding's into its rectification) is
    extended with it."""
    estimate = EstimatedDeadline.objects.filter(
        content_type=ContentType.objects.get_for_model(source),
        object_id=str(source.pk),
        field=source_field,
    ).first()
    if estimate is not None:
        EstimatedDeadline.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(target),
            object_id=str(target.pk),
            field=field,
            defaults={
                "start": estimate.start,
                "working_days": estimate.working_days,
                "date": estimate.date,
            },
        )


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    is_workday: bool
    name: str


@dataclass
class Extension:
    obj: models.Model
    field: str
    before: dt.date
    after: dt.date


def do_enter_notice(
    *, actor: Actor, year: int, days: list[NoticeDay], source: str
) -> list[Extension]:
    """The notice replaces the year's estimated days; every open deadline that was estimated
    over the year is counted again and moved later where the notice gives more days off."""
    if any(day.date.year != year for day in days):
        raise ValueError(f"every day of the notice must be in {year}")
    with transaction.atomic():
        SpecialDay.objects.filter(date__year=year).delete()
        SpecialDay.objects.bulk_create(
            [SpecialDay(date=d.date, is_workday=d.is_workday, name=d.name) for d in days]
        )
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        record(
            actor=actor,
            action="enter_notice",
            object_type="workdays.calendaryear",
            object_id=str(year),
            object_repr=f"{year} {source}",
            changes={"days": len(days)},
        )
        return extend_estimated_deadlines(actor=actor, year=year)


def extend_estimated_deadlines(*, actor: Actor, year: int) -> list[Extension]:
    today = timezone.localdate()
    extensions: list[Extension] = []
    estimates = EstimatedDeadline.objects.filter(
        start__year__lte=year, date__year__gte=year
    ).select_related("content_type")
    for estimate in estimates:
        counted = working_deadline(estimate.start, estimate.working_days)
        model = estimate.content_type.model_class()
        obj = model._default_manager.filter(pk=estimate.object_id).first() if model else None
        if obj is None:
            estimate.delete()
            continue
        current: dt.date | None = getattr(obj, estimate.field)
        if current is not None and current >= today and counted.date > current:
            model._default_manager.filter(pk=obj.pk).update(**{estimate.field: counted.date})  # type: ignore[union-attr]
            extensions.append(Extension(obj, estimate.field, current, counted.date))
            record(
                actor=actor,
                action="extend_deadline",
                obj=obj,
                changes={estimate.field: [current, counted.date]},
                verb=f"holiday notice {year}",
            )
        if counted.is_estimated:
            estimate.date = max(counted.date, current or counted.date)
            estimate.save(update_fields=["date"])
        else:
            estimate.delete()
    return extensions
