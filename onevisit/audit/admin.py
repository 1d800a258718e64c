from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from onevisit.audit.models import AuditEntry, QuarantinedEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: nobody edits the log, not even a superuser through the admin."""

    list_display = ["id", "at", "actor_name", "action", "verb", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(QuarantinedEntry)
class QuarantinedEntryAdmin(admin.ModelAdmin[QuarantinedEntry]):
    """What a database writer appended to the log, set aside: to read, never to edit."""

    list_display = ["id", "found"]
    readonly_fields = ["found", "row"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
