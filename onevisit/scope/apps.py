from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScopeConfig(AppConfig):
    name = "onevisit.scope"
    verbose_name = _("Business scope (经营范围自主公示)")
    default_auto_field = "django.db.models.BigAutoField"
