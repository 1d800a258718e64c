from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "onevisit.monitoring"
    verbose_name = _("Online monitoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.monitoring.actions import alert_counts
        from onevisit.planning.actions import RECORD_SOURCES

        if alert_counts not in RECORD_SOURCES:
            RECORD_SOURCES.append(alert_counts)  # alerts feed the risk tiers
