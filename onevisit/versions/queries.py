"""Reading versions of many records at once, for list pages."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models

from onevisit.versions.models import Version


def versions_by_object(objects: Sequence[models.Model]) -> dict[str, list[Version]]:
    """Each object's versions, oldest first, by its primary key as text: one query."""
    if not objects:
        return {}
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=True)
    found: dict[str, list[Version]] = {}
    versions = Version.objects.filter(
        content_type=content_type, object_id__in=[str(o.pk) for o in objects]
    ).order_by("object_id", "number")
    for version in versions:
        found.setdefault(version.object_id, []).append(version)
    return found
