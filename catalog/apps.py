from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from . import page_slots, signals  # noqa: F401  (signals bump the catalog version)

        page_slots.register()
