"""Background work of the audit log: the scheduled checkpoint (Django's tasks framework)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from onevisit.audit.checkpoints import write_checkpoint


@task()
def write_audit_checkpoint() -> int:
    """Sign the chain's end into the checkpoint files, and come back after the interval."""
    point = write_checkpoint()
    schedule_checkpoints(delay=dt.timedelta(minutes=settings.ONEVISIT_AUDIT_CHECKPOINT_MINUTES))
    return point.count


def schedule_checkpoints(delay: dt.timedelta = dt.timedelta(0)) -> bool:
    """Make sure a checkpoint waits in the queue (`serve` calls this as it starts, each
    checkpoint as it ends): True if one was queued. Nothing with an interval of 0 or a backend
    that cannot defer work."""
    from django_tasks_db.models import DBTaskResult

    if settings.ONEVISIT_AUDIT_CHECKPOINT_MINUTES <= 0:
        return False
    if not write_audit_checkpoint.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=write_audit_checkpoint.module_path, status="READY"
    )
    if waiting.exists():
        return False
    write_audit_checkpoint.using(run_after=timezone.now() + delay).enqueue()
    return True
