"""Row locks taken in one global order, so that two transactions never wait on each other in a
cycle (Saleor's lock_objects, oscar's sorted stock records)."""

from django.db import models


def lock_by_pk(queryset: models.QuerySet, pks) -> dict:
    """Lock the rows of `queryset` with the given primary keys, in primary-key order.

    Must run inside a transaction. Returns {pk: instance}; missing rows are simply absent.
    Callers that lock rows of several tables lock products first, then wallets.
    """
    pks = sorted(set(pks))
    if not pks:
        return {}
    # FOR NO KEY UPDATE: writers still queue one behind the other, but the foreign-key checks
    # of rows pointing here (a cart line, an order line: FOR KEY SHARE) do not wait for the
    # lock. With FOR UPDATE, adding the hot product to a cart at commit waited on a checkout
    # holding the product and deadlocked with it (`make bench`, the hot-product run).
    rows = queryset.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk")
    return {row.pk: row for row in rows}


def lock_or_create(queryset: models.QuerySet, create):
    """Lock the one row of `queryset` (a user's wallet, a user's cart), calling `create()` to
    make it the first time, then locking it. One query when the row exists. Inside a
    transaction."""
    rows = queryset.select_for_update(no_key=True)
    row = rows.first()
    if row is None:
        create()
        row = rows.get()
    return row
