from __future__ import annotations

from django.contrib import admin

from onevisit.audit.admin import ReadOnlyAdmin
from onevisit.versions.models import Version


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    """Frozen versions are read here, never changed."""

    list_display = ["id", "content_type", "object_id", "number", "kind", "state", "made_at"]
    list_filter = ["kind", "state"]
    search_fields = ["object_id", "made_by_name", "reason", "notice"]
