"""Reading the audit log: action labels and the before → after rows of an entry's changes."""

import datetime
import re

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

register = template.Library()

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

# Known actions get a readable, translated label; any other is shown as recorded.
ACTION_LABELS = {
    "user.role_change": _("Role changed"),
    "user.block": _("User blocked"),
    "user.unblock": _("User unblocked"),
    "user.delete": _("User deleted"),
    "user.anonymise": _("User anonymised"),
    "wallet.credit": _("Wallet credited"),
    "order.status": _("Order status changed"),
    "order.status_change": _("Order status changed"),
    "order.cancel": _("Order cancelled"),
    "product.create": _("Product created"),
    "product.update": _("Product edited"),
    "product.price_change": _("Price changed"),
    "product.archive": _("Product archived"),
    "product.activate": _("Product activated"),
    "product.delete": _("Product deleted"),
    "product.photo_add": _("Photo added"),
    "product.photo_remove": _("Photo removed"),
    "category.create": _("Category created"),
    "category.update": _("Category edited"),
    "category.delete": _("Category deleted"),
    "review.hide": _("Review hidden"),
    "review.show": _("Review shown again"),
    "stock.correct": _("Stock corrected"),
    "receipt.post": _("Goods receipt posted"),
    "receipt.reverse": _("Goods receipt reversed"),
    "writeoff.post": _("Write-off posted"),
    "stocktake.post": _("Stocktake posted"),
    "receipt.delete": _("Draft goods receipt deleted"),
    "writeoff.delete": _("Draft write-off deleted"),
    "stocktake.delete": _("Draft stocktake deleted"),
    "products.import": _("Products imported"),
    "products.export": _("Products exported"),
    "report.download": _("Report downloaded"),
}

FIELD_LABELS = {
    "role": _("role"),
    "is_active": _("active"),
    "reason": _("reason"),
    "block_reason": _("block reason"),
    "erased": _("erased"),
    "username": _("username"),
    "email": _("e-mail"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "phone": _("phone"),
    "address": _("address"),
    "closed_at": _("closed"),
    "price": _("price"),
    "cost_price": _("cost price"),
    "status": _("status"),
    "amount": _("amount"),
}


@register.filter
def audit_action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _is_pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2


def _show(value):
    # None and "" mean "nothing there"; keep the difference readable without guessing types.
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and ISO_DATETIME.match(value):
        # Timestamps are stored as ISO text; show them as the reader's local date and time.
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return value


def _choice_label(field: str, value):
    # Roles are stored as their codes; show them in the reader's language.
    if field == "role" and value in Role.values:
        return Role(value).label
    return value


@register.filter
def audit_rows(changes) -> list[dict]:
    """The entry's changes as rows: {"label", "before", "after"} for a changed field,
    {"label", "value"} for a detail, {"label", "group": [...]} for a group of changes.
    (Not "items": a template would find dict.items before a missing key.)"""
    if not isinstance(changes, dict):
        return []
    rows = []
    for key, value in changes.items():
        label = FIELD_LABELS.get(key, key.replace("_", " "))
        if _is_pair(value):
            before, after = (_choice_label(key, v) for v in value)
            rows.append({"label": label, "before": _show(before), "after": _show(after),
                         "pair": True})
        elif isinstance(value, dict):
            items = []
            for sub, subvalue in value.items():
                if _is_pair(subvalue):
                    items.append({"label": sub, "before": _show(subvalue[0]),
                                  "after": _show(subvalue[1]), "pair": True})
                else:
                    items.append({"label": sub, "value": _show(subvalue)})
            if items:
                rows.append({"label": label, "group": items})
        elif key == "erased" and isinstance(value, str):
            # A list of field names: show them as the reader's words.
            names = [str(FIELD_LABELS.get(name.strip(), name.strip())) for name in value.split(",")]
            rows.append({"label": label, "value": ", ".join(names)})
        else:
            rows.append({"label": label, "value": _show(value)})
    return rows


# Pages of the objects the log names, by "app_label.model"; a page that does not exist (yet)
# is simply not linked.
OBJECT_URLS = {
    "accounts.user": ("accounts:user_detail", "pk"),
    "catalog.product": ("catalog:product_edit", "pk"),
    "orders.order": ("orders:order_detail", "pk"),
    "inventory.goodsreceipt": ("inventory:receipt_detail", "pk"),
    "inventory.writeoff": ("inventory:writeoff_detail", "pk"),
    "inventory.stocktake": ("inventory:stocktake_detail", "pk"),
}


@register.filter
def audit_object_url(entry) -> str:
    from django.urls import NoReverseMatch, reverse

    target = OBJECT_URLS.get(entry.object_type)
    if not target or not str(entry.object_id).isdigit():
        return ""
    name, kwarg = target
    try:
        return reverse(name, kwargs={kwarg: int(entry.object_id)})
    except NoReverseMatch:
        return ""
