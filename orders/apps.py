from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import page_slots
        from .cart import cart_merge

        page_slots.register()

        def merge_cart_at_login(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                cart_merge(request=request, user=user)

        user_logged_in.connect(merge_cart_at_login, dispatch_uid="orders.merge_cart_at_login",
                               weak=False)
