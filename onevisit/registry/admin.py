"""Admin for data stewards. Changes made here go through the same audit log as the app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from onevisit.audit.actions import Actor, record, snapshot
from onevisit.registry.actions import reindex_enterprises
from onevisit.registry.models import Body, District, Enterprise, Industry, Inspector


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=Actor.of(request.user),
                action="update" if change else "create",
                obj=obj,
                verb="admin",
                changes=snapshot(obj, form.changed_data if change else None),
            )
            if isinstance(obj, Enterprise):
                reindex_enterprises([obj])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record(
                actor=Actor.of(request.user),
                action="delete",
                obj=obj,
                verb="admin",
                changes=snapshot(obj),
            )
            super().delete_model(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Bulk deletes would bypass the audit log; delete one record at a time.
        return super().has_delete_permission(request, obj) and obj is not None


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = ["uscc", "name", "district", "industry", "status"]
    list_filter = ["status", "district"]
    search_fields = ["=uscc", "name"]
    raw_id_fields = ["industry"]


@admin.register(Body)
class BodyAdmin(AuditedAdmin):
    list_display = ["code", "name", "doc_prefix", "kind", "level", "district", "published"]
    list_filter = ["kind", "level", "published"]
    search_fields = ["code", "name"]


@admin.register(Inspector)
class InspectorAdmin(AuditedAdmin):
    list_display = ["name", "certificate_number", "body", "certificate_valid_until", "active"]
    list_filter = ["active", "body"]
    search_fields = ["name", "certificate_number"]
    filter_horizontal = ["districts"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin[District]):
    list_display = ["code", "name", "kind", "standard"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin[Industry]):
    list_display = ["code", "name", "section"]
    search_fields = ["code", "name"]
