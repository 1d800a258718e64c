from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "onevisit.liaison"
    verbose_name = _("Enterprise requests (政企沟通)")
    default_auto_field = "django.db.models.BigAutoField"
