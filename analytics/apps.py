from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        from accounts.audit import audit_value_labels

        from . import signals  # noqa: F401  (connects the sales rollup receiver)
        from .reports import REPORT_INFO

        # The audit log names a downloaded report and its scope in the reader's words.
        audit_value_labels("report", {name: info["title"] for name, info in REPORT_INFO.items()})
        audit_value_labels("report", {"invoice": _("Invoice")})
        audit_value_labels("scope", {"store": _("the whole store"),
                                     "own products": _("own products")})
