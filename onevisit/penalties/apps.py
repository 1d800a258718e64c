from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenaltiesConfig(AppConfig):
    name = "onevisit.penalties"
    verbose_name = _("Penalty discretion")
    default_auto_field = "django.db.models.BigAutoField"
