"""Background work of oversight (Django's tasks framework)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from onevisit.oversight.actions import do_scan_warnings


@task()
def scan_enterprise_warnings(enterprise_id: int) -> int:
    """A visit closed or was rated: look at that enterprise's history again."""
    return do_scan_warnings(today=timezone.localdate(), enterprise_ids=[enterprise_id])
