from __future__ import annotations

from django.contrib import admin

from onevisit.evaluation.models import Entry, Objection, Year
from onevisit.lib.formfields import JSON_AS_TEXT


@admin.register(Year)
class YearAdmin(admin.ModelAdmin[Year]):
    list_display = ["year", "area", "lead_body", "status", "published_on", "final_on"]
    formfield_overrides = JSON_AS_TEXT


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin[Entry]):
    list_display = ["year", "enterprise", "score", "klass", "confirmation"]
    formfield_overrides = JSON_AS_TEXT
    list_filter = ["year", "klass"]
    raw_id_fields = ["enterprise"]
    search_fields = ["enterprise__name", "enterprise__uscc"]


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin[Objection]):
    list_display = ["entry", "filed", "decision"]
    list_filter = ["decision"]
    raw_id_fields = ["entry"]
