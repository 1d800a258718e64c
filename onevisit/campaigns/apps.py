from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "onevisit.campaigns"
    verbose_name = _("Special campaigns")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.campaigns.actions import check_revived_units
        from onevisit.monitoring.actions import ALERT_CHECKS

        if check_revived_units not in ALERT_CHECKS:
            ALERT_CHECKS.append(check_revived_units)  # 零复活: retired units must stay silent
