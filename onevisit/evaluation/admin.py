"""The evaluation in the admin is to read: a published, approved or issued result changes only
through the evaluation's own steps, each a new version with its reason (versions/), never by an
edit here."""

from __future__ import annotations

from django.contrib import admin

from onevisit.audit.admin import ReadOnlyAdmin
from onevisit.evaluation.models import Entry, Objection, Year


@admin.register(Year)
class YearAdmin(ReadOnlyAdmin):
    list_display = ["year", "area", "lead_body", "status", "published_on", "final_on"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["year", "enterprise", "score", "klass", "confirmation"]
    list_filter = ["year", "klass"]
    raw_id_fields = ["enterprise"]
    search_fields = ["enterprise__name", "enterprise__uscc"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["entry", "filed", "decision"]
    list_filter = ["decision"]
    raw_id_fields = ["entry"]
