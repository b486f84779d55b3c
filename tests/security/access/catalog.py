"""Access rows for the catalog pages."""

from __future__ import annotations

from .rules import LOGIN, OK, REDIRECT, admin_only, public, rule, signed_in, staff  # noqa: F401


class WorldMixin:
    pass


ROWS = {}
