from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "onevisit.oversight"
    verbose_name = _("Oversight")
    default_auto_field = "django.db.models.BigAutoField"
