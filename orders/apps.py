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
                if cart_merge(request=request, user=user):
                    from django.contrib import messages
                    from django.utils.translation import gettext as _

                    # Quantities added up silently could surprise at checkout: say so.
                    messages.info(request, _("Your saved cart already held some of these "
                                             "products: the quantities are added up. Check "
                                             "the cart before checkout."), fail_silently=True)

        user_logged_in.connect(merge_cart_at_login, dispatch_uid="orders.merge_cart_at_login",
                               weak=False)
