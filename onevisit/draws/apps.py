from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrawsConfig(AppConfig):
    name = "onevisit.draws"
    verbose_name = _("Random draws")
    default_auto_field = "django.db.models.BigAutoField"
