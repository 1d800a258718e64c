"""The demo city's rectifications: findings on some of this year's visits, most closed out,
some open, some overdue, then the escalation ladder run once (idempotent)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from onevisit.inspections.models import Finding, PointResult, Visit
from onevisit.rectification.actions import do_escalate_rectifications
from onevisit.rectification.models import Event, Evidence, Rectification, working_days_for
from onevisit.workdays.calendar import add_working_days

SHARE = 0.12


def load_rectifications(say: Callable[[str], object]) -> None:
    if (
        Rectification.objects.filter(
            finding__isnull=False, finding__visit__planned_visit__isnull=True
        ).count()
        > 5
    ):
        return
    today = timezone.localdate()
    rng = random.Random(371500)
    visits = list(
        Visit.objects.filter(
            status=Visit.Status.CLOSED, date__year=today.year, findings__isnull=True
        )
        .select_related("enterprise")
        .order_by("pk")
    )
    chosen = [v for v in visits if rng.random() < SHARE]
    with transaction.atomic():
        for visit in chosen:
            _finding(visit, rng, today)
    ladder = do_escalate_rectifications(today=today)
    say(
        f"Rectifications: {Rectification.objects.count():,} "
        f"({Rectification.objects.filter(status='closed').count():,} closed out, "
        f"{Rectification.objects.overdue(today).count():,} overdue; "
        f"{ladder.to_supervisor} passed to the supervisor)."
    )


def _finding(visit: Visit, rng: random.Random, today: dt.date) -> None:
    result = PointResult.objects.filter(visit=visit).select_related("point__item").first()
    if result is None:
        return
    result.outcome = PointResult.Outcome.NONCOMPLIANT
    result.save(update_fields=["outcome"])
    severity = rng.choice(["general", "general", "minor", "serious"])
    body_id = result.point.item.body_id
    deadline = add_working_days(visit.date, working_days_for(body_id, severity))
    finding = Finding.objects.create(
        visit=visit,
        point=result.point,
        body_id=body_id,
        severity=severity,
        description=f"{result.point.content}不符合要求：{result.point.standard}"[:500],
        rectify_by=deadline,
    )
    roll = rng.random()
    closed = roll < 0.7 and deadline < today
    status = (
        Rectification.Status.CLOSED
        if closed
        else (Rectification.Status.SUBMITTED if roll < 0.8 else Rectification.Status.OPEN)
    )
    rect = Rectification.objects.create(
        finding=finding,
        enterprise=visit.enterprise,
        unit_name=visit.enterprise.name,
        body_id=body_id,
        found_on=visit.date,
        severity=severity,
        problem=finding.description,
        measure=result.point.guidance,
        responsible=visit.enterprise_signed_by,
        deadline=deadline,
        status=status,
        closed_on=min(today, deadline - dt.timedelta(days=rng.randint(0, 5))) if closed else None,
        verification=Rectification.Verification.DOCUMENTS if closed else "",
    )
    Event.objects.create(rectification=rect, status=status, note="演示数据")
    if status != Rectification.Status.OPEN:
        _evidence(rect, rng)


def _evidence(rect: Rectification, rng: random.Random) -> None:
    """A photo of the fixed site, as the enterprise would upload it: something to verify."""
    buffer = io.BytesIO()
    shade = rng.randint(90, 200)
    Image.new("RGB", (640, 480), (shade, shade + 20, shade - 30)).save(buffer, format="JPEG")
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    evidence = Evidence(
        rectification=rect,
        text=f"已按要求整改：{rect.measure or rect.problem}"[:500],
        file_name="整改后现场照片.jpg",
        sha256=digest,
        content_type="image/jpeg",
    )
    evidence.file.save(digest[:32], ContentFile(data), save=False)
    evidence.save()
