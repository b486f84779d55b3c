from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "fiscal"
    verbose_name = _("Fiscal receipts")

    def ready(self):
        from till import hooks

        from . import selectors, services

        hooks.till_event.connect(services.on_till_event, dispatch_uid="fiscal.till_event")
        hooks.register_fiscal_block(selectors.receipt_block)
        hooks.register_notices(selectors.till_notices)
