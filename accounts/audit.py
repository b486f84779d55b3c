"""The audit log: one service that records every sensitive action (issue: admin and audit).

Call it inside the transaction that makes the change, so that the entry and the change commit
or roll back together:

    audit_record(actor=request.user, action="product.price_change", obj=product,
                 changes={"price": [old, new]}, request=request)
"""

from decimal import Decimal

from django.db import models

from .models import AuditEntry


# Words for codes an entry records (a report's name, a scope), by the detail's key; an app that
# records codes registers their labels once (AppConfig.ready), so the log never shows the code
# and this app never imports the one above it.
VALUE_LABELS: dict[str, dict] = {}


def audit_value_labels(key: str, labels: dict) -> None:
    """Show the recorded `key`'s values through `labels` ({code: lazy translated label})."""
    VALUE_LABELS.setdefault(key, {}).update(labels)


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _object_label(obj) -> str:
    """What names the object beside its kind and number, in no particular language. The log
    shows the kind itself, in the reader's words ("Goods receipt № 12"), so a document or an
    order, whose __str__ is its kind and number in whatever language the recording request had
    ("Goods receipt №00012 · supplier"), keeps only its supplier, if any."""
    if hasattr(obj, "number"):
        supplier = getattr(obj, "supplier", "")
        return supplier if isinstance(supplier, str) else ""
    return str(obj)


def client_ip(request) -> str | None:
    """The client's address as the app sees it (REMOTE_ADDR; the proxy must set it right)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, actor, action: str, obj, changes: dict | None = None, request=None,
                 ip: str | None = None) -> AuditEntry:
    """Write one audit entry about `obj` (a model instance)."""
    meta = obj._meta
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=str(obj.pk),
        object_repr=_object_label(obj)[:255],
        changes=_jsonable(changes or {}),
        ip=ip or client_ip(request),
    )


def audit_for(obj):
    """The entries about one object, newest first."""
    meta = obj._meta
    return AuditEntry.objects.filter(
        object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(obj.pk)
    ).select_related("actor")
