from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "onevisit.inspections"
    verbose_name = _("Visits")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.inspections.recognition import finding_counts
        from onevisit.planning.actions import RECORD_SOURCES

        if finding_counts not in RECORD_SOURCES:
            RECORD_SOURCES.append(finding_counts)  # findings feed the risk tiers
