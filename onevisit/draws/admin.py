from django.contrib import admin

from onevisit.draws.models import DeclaredRelation


@admin.register(DeclaredRelation)
class DeclaredRelationAdmin(admin.ModelAdmin[DeclaredRelation]):
    list_display = ["inspector", "enterprise", "reason"]
    raw_id_fields = ["inspector", "enterprise"]
