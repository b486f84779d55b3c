"""Access rows for the analytics pages: dashboards and reports for staff (a seller sees only
their own products, checked in analytics/tests), an order's invoice for its shopper or an admin."""

from __future__ import annotations

from .rules import LOGIN, OK, REDIRECT, admin_only, public, rule, signed_in, staff  # noqa: F401


class WorldMixin:
    pass


ROWS = {
    "analytics:dashboard": staff(),
    "analytics:reports": staff(),
}
