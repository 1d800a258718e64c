from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "onevisit.workdays"
    verbose_name = _("Working days")

    def ready(self) -> None:
        from onevisit.workdays import checks  # noqa: F401  (registers the system check)
