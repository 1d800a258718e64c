from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "onevisit.workbench"
    verbose_name = _("Workbench")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onevisit.lib.foreign import relabel_background_tasks, relabel_login_protection

        relabel_background_tasks()
        relabel_login_protection()
