from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from onevisit.tips.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "service_code",
        "name",
        "group",
        "body",
        "ack_working_days",
        "handle_working_days",
        "active",
    ]
    list_filter = ["active", "group"]
    search_fields = ["code", "name", "keywords"]

    @admin.display(description=_("service code (Open311)"), ordering="code")
    def service_code(self, category: Category) -> SafeString:
        return format_html("<code>{}</code>", category.code)
