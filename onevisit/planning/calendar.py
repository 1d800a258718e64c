"""An inspector's planned visits as an iCalendar feed (RFC 5545) for phone calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from icalendar import Calendar, Event

from onevisit.planning.models import PlannedVisit
from onevisit.registry.models import Inspector


def schedule_ics(inspector: Inspector, visits: Sequence[PlannedVisit]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//onevisit//planned inspections//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{inspector.name} 检查计划")
    stamp = timezone.now()
    for visit in visits:
        bodies = sorted({task.body.name for task in visit.tasks.all()})
        team = "、".join(i.name for i in visit.inspectors.all())
        event = Event()
        event.add("uid", f"visit-{visit.pk}@onevisit")
        event.add("dtstamp", stamp)
        # a visit is planned for a week; the day is agreed with the enterprise (双向预约)
        event.add("dtstart", visit.week_start)
        event.add("dtend", visit.week_start + dt.timedelta(days=5))
        kind = "联合检查" if visit.joint else "检查"
        event.add("summary", f"{kind}：{visit.enterprise.name}")
        event.add("location", visit.enterprise.address or visit.enterprise.district.name)
        event.add(
            "description",
            f"牵头部门：{visit.lead_body.name}\n参与部门：{'、'.join(bodies)}\n检查组：{team}",
        )
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
