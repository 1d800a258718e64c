from django.contrib import admin

from onevisit.tips.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "code",
        "name",
        "group",
        "body",
        "ack_working_days",
        "handle_working_days",
        "active",
    ]
    list_filter = ["active", "group"]
    search_fields = ["code", "name", "keywords"]
