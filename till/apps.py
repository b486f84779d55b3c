from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TillConfig(AppConfig):
    name = "till"
    verbose_name = _("Till")

    def ready(self):
        from . import scan  # noqa: F401  (registers the scale-label setting's check)
