from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "onevisit.catalog"
    verbose_name = _("Item lists")
    default_auto_field = "django.db.models.BigAutoField"
