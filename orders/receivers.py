"""The orders' answers to the questions of the apps below them, which never import orders:
accounts/hooks.py (a person's orders on the admin's page of them, whether their account may be
closed, erasing what the orders keep of them when it is) and catalog/hooks.py (what a shopper
bought, so may review)."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.utils.translation import gettext as _, ngettext

from accounts import hooks
from catalog.hooks import register_purchase_rule
from inventory.models import DocumentStatus, GoodsReceipt, Stocktake

from .cart import cart_merge
from . import card_payments, checks

from .models import Cart, Order, OrderLine, OrderStatus
from .shortstock import shortfalls_close_by_count, shortfalls_cover_by_receipt

RECENT_ORDERS = 10


def user_page_context(sender, *, user, **kwargs) -> dict:
    orders = Order.objects.filter(user=user)
    return {"orders": list(orders.order_by("-created_at", "-id")[:RECENT_ORDERS]),
            "order_count": orders.count()}


def user_close_refusal(sender, *, user, **kwargs) -> str | None:
    """An account with orders still on their way cannot be closed: their delivery address and
    phone would be erased before the courier used them."""
    count = Order.objects.filter(user=user).exclude(
        status__in=[OrderStatus.COMPLETED, OrderStatus.CANCELLED]).count()
    if count:
        return ngettext("%(name)s has an open order: complete or cancel it first.",
                        "%(name)s has %(count)s open orders: complete or cancel them first.",
                        count) % {"name": user.display_name, "count": count}
    return None


def user_anonymising(sender, *, user, **kwargs) -> None:
    # The delivery contact copied onto their orders (address, phone, the note to the store) is
    # personal data too; totals, lines and status history stay, so reports are unchanged.
    # Their cart (with the delivery details the checkout keeps on it) serves nobody any more.
    Order.objects.filter(user=user).exclude(address="", phone="", note="").update(
        address="", phone="", note="")
    Cart.objects.filter(user=user).delete()


def products_bought(user, product_ids) -> set[int]:
    """A shopper bought a product when one of their completed orders has it (an order still on
    its way, or cancelled, is not a purchase yet)."""
    return set(OrderLine.objects.filter(order__user=user, order__status=OrderStatus.COMPLETED,
                                        product_id__in=product_ids)
               .values_list("product_id", flat=True).distinct())


def merge_cart_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        if cart_merge(request=request, user=user):
            # Quantities added up silently could surprise at checkout: say so.
            messages.info(request, _("Your saved cart already held some of these products: the "
                                     "quantities are added up. Check the cart before checkout."),
                          fail_silently=True)


def _just_posted(instance, update_fields, raw) -> bool:
    return (not raw and instance.status == DocumentStatus.POSTED
            and update_fields is not None and "status" in update_fields)


def receipt_posted(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """A goods receipt posted: what the till sold beyond stock of its products is booked from it
    (orders/shortstock.py), in the receipt's own transaction."""
    if _just_posted(instance, update_fields, raw):
        shortfalls_cover_by_receipt(
            product_ids=list(instance.lines.values_list("product_id", flat=True)),
            reference=instance.reference, by=instance.posted_by)


def stocktake_posted(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """A stocktake posted: the counted products' short-stock exceptions are closed by it."""
    if _just_posted(instance, update_fields, raw):
        shortfalls_close_by_count(
            product_ids=list(instance.lines.filter(counted__isnull=False)
                             .values_list("product_id", flat=True)),
            reference=instance.reference)


def connect() -> None:
    post_save.connect(receipt_posted, sender=GoodsReceipt, dispatch_uid="orders.receipt_posted")
    post_save.connect(stocktake_posted, sender=Stocktake, dispatch_uid="orders.stocktake_posted")
    register_purchase_rule(products_bought)
    checks.register()
    user_logged_in.connect(merge_cart_at_login, dispatch_uid="orders.merge_cart_at_login")
    hooks.user_page_context.connect(user_page_context, dispatch_uid="orders.user_page_context")
    hooks.user_close_refusal.connect(user_close_refusal, dispatch_uid="orders.user_close_refusal")
    hooks.card_payment_paid.connect(card_payments.card_payment_paid,
                                    dispatch_uid="orders.card_payment_paid")
    hooks.user_anonymising.connect(user_anonymising, dispatch_uid="orders.user_anonymising")
