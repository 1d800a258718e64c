from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "onevisit.rectification"
    verbose_name = _("Rectification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.planning.actions import RECORD_SOURCES
        from onevisit.rectification.actions import rectification_counts

        if rectification_counts not in RECORD_SOURCES:
            RECORD_SOURCES.append(rectification_counts)  # open and overdue ones feed the tiers
