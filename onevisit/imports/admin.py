from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onevisit.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    """Who imported which file, and how far a run got; written only by the import itself."""

    list_display = ["kind", "filename", "state", "actor_name", "rows", "created", "updated"]
    list_filter = ["kind", "state"]
    search_fields = ["filename", "actor_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
