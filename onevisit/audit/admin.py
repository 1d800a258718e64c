from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onevisit.audit.models import AuditEntry, QuarantinedEntry


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """To read, never to add, edit or delete: not even a superuser through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor_name", "action", "verb", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_name"]


@admin.register(QuarantinedEntry)
class QuarantinedEntryAdmin(ReadOnlyAdmin):
    """What a database writer appended to the log, set aside."""

    list_display = ["id", "found"]
    readonly_fields = ["found", "row"]
