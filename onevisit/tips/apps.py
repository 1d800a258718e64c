from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipsConfig(AppConfig):
    name = "onevisit.tips"
    verbose_name = _("Public tips")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.planning.actions import RECORD_SOURCES
        from onevisit.tips.actions import verified_tip_counts

        if verified_tip_counts not in RECORD_SOURCES:
            RECORD_SOURCES.append(verified_tip_counts)  # verified tips feed the risk tiers
