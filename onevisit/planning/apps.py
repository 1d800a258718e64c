from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "onevisit.planning"
    verbose_name = _("Planning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.planning.tasks import queue_tier_recompute

        # the receiver only queues a background task; the scoring lives in actions
        post_save.connect(
            queue_tier_recompute, sender="registry.Enterprise", dispatch_uid="planning-tiers"
        )
