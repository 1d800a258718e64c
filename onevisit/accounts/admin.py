from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from onevisit.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "full_name", "role", "area", "body", "enterprise", "is_active"]
    list_filter = ["role", "is_active", "area", "body"]
    raw_id_fields = ["enterprise"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("onevisit", {"fields": ("full_name", "role", "area", "body", "enterprise")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created", "last_used"]
    readonly_fields = ["prefix", "key_hash", "created", "last_used"]
