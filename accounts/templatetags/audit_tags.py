"""Reading the audit log in the reader's language: action labels, the kind of object ("a
product", not `catalog.product`), and the before → after rows of an entry's changes, each
field by its model field's verbose_name and each choice by its label."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import VALUE_LABELS, audit_value_labels
from accounts.models import AuditEntry
from bibarys.money import format_decimal, format_money

register = template.Library()

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
    "order.return": _("Goods returned"),
    "order.short_stock": _("Sold beyond stock"),
    "shift.open": _("Shift opened"),
    "shift.cash_in": _("Cash put into the drawer"),
    "shift.cash_out": _("Cash taken from the drawer"),
    "shift.close": _("Shift closed"),
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
    "payment.create": _("Card payment started"),
    "payment.paid": _("Card payment received"),
    "payment.failed": _("Card payment declined"),
    "payment.refund_queued": _("Card refund queued"),
    "payment.refunded": _("Refunded to the card"),
    "payment.notification_refused": _("Payment notification refused"),
    "order.paid": _("Order paid by card"),
}

# What an entry records beside the model's own fields (details, counts, totals), and the
# store's word for a field of Django's own user model. A model field shows its verbose_name.
FIELD_LABELS = {
    "email": _("e-mail address"),
    "reason": _("reason"),
    "erased": _("erased"),
    "balance": _("balance"),
    "amount": _("amount"),
    "refund": _("refund"),
    "return": _("return"),
    "price": _("price"),
    "cost_price": _("cost price"),
    "percent": _("change, %"),
    "photos": _("photos"),
    "barcodes": _("barcodes"),
    "lines": _("lines"),
    "short": _("sold beyond stock"),
    "adjusted": _("lines adjusted"),
    "quantity": _("on hand"),
    "file": _("file"),
    "created": _("products created"),
    "updated": _("products updated"),
    "received_lines": _("lines received"),
    "adjusted_lines": _("lines counted"),
    "set_quantities": _("quantities set from the file"),
    "categories": _("new categories"),
    "report": _("report"),
    "format": _("format"),
    "from": _("first day"),
    "to": _("last day"),
    "scope": _("scope"),
    "rows": _("rows"),
    "status": _("status"),
    "note": _("note"),
    "why": _("why"),
    "notification": _("notification"),
    "card_payment": _("card payment"),
}
# Fields of Django's own models whose label is the store's word above, not Django's.
OWN_LABELS = {"email"}
MONEY_KEYS = {"amount", "balance", "refund", "price", "cost_price"}

# Recorded codes shown as words: the format of a file; other apps add theirs
# (accounts.audit.audit_value_labels, e.g. the report names from analytics).
audit_value_labels("format", {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV"})


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_kind_label(object_type: str) -> str:
    """"product" for "catalog.product": the model's verbose_name in the reader's language."""
    model = _model(object_type)
    return model._meta.verbose_name if model is not None else _("object")


@register.filter
def audit_object_kind(entry) -> str:
    return object_kind_label(entry.object_type)


def _field(model, key: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def field_label(model, key: str) -> str:
    """The reader's word for a recorded key: the model field's verbose_name, else the label of
    a detail; a key nobody named is shown as it is (tests/unit: every recorded key is named)."""
    field = _field(model, key)
    if field is not None and key not in OWN_LABELS:
        return field.verbose_name
    return FIELD_LABELS.get(key, key.replace("_", " "))


@register.filter
def audit_action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _is_pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2


def _number(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


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
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(str(_show(item)) for item in value)
    return value


def _value(model, key: str, value):
    """A recorded value in the reader's words: a choice by its label, a code by its word, money
    as money, a quantity as the page's numbers."""
    if value is None or value == "" or isinstance(value, bool):
        return _show(value)
    field = _field(model, key)
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        labels = {str(code): label for code, label in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    labels = VALUE_LABELS.get(key)
    if labels and isinstance(value, str) and value in labels:
        return labels[value]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        number = _number(value)
        if number is not None and number.is_finite():
            if key in MONEY_KEYS or (isinstance(field, models.DecimalField)
                                      and field.decimal_places == 2):
                return format_money(number)
            if isinstance(field, models.DecimalField) or key == "quantity":
                places = 0 if number == number.to_integral_value() else 3
                return format_decimal(number, places)
    return _show(value)


def _pair(model, key, value) -> dict:
    before, after = (_value(model, key, v) for v in value)
    return {"before": before, "after": after, "pair": True}


@register.filter
def audit_rows(entry_or_changes) -> list[dict]:
    """The entry's changes as rows: {"label", "before", "after"} for a changed field,
    {"label", "value"} for a detail, {"label", "group": [...]} for a group of changes (a
    product's name each, with the key's own values: a receipt's cost prices).
    (Not "items": a template would find dict.items before a missing key.)"""
    changes, model = entry_or_changes, None
    if isinstance(entry_or_changes, AuditEntry):
        changes, model = entry_or_changes.changes, _model(entry_or_changes.object_type)
    if not isinstance(changes, dict):
        return []
    rows = []
    for key, value in changes.items():
        label = field_label(model, key)
        if _is_pair(value):
            rows.append({"label": label, **_pair(model, key, value)})
        elif isinstance(value, dict):
            items = []
            for sub, subvalue in value.items():
                if _is_pair(subvalue):
                    items.append({"label": sub, **_pair(None, key, subvalue)})
                else:
                    items.append({"label": sub, "value": _value(None, key, subvalue)})
            if items:
                rows.append({"label": label, "group": items})
        elif key == "erased" and isinstance(value, str):
            # A list of field names: show them as the reader's words.
            names = [str(field_label(model, name.strip())) for name in value.split(",")]
            rows.append({"label": label, "value": ", ".join(names)})
        else:
            rows.append({"label": label, "value": _value(model, key, value)})
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
