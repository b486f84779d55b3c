"""The access matrix table, one module per app: each has ROWS (URL name -> Rule) and may have a
WorldMixin that makes the objects its path arguments point at. A new app page gets its row in
its own app's module here; tests/security/test_access_matrix.py walks the URLs and checks."""

from . import accounts, analytics, catalog, inventory, orders, till, till_paper, till_sell

_MODULES = (accounts, catalog, inventory, orders, till, till_paper, till_sell, analytics)

ACCESS = {}
for _module in _MODULES:
    _overlap = set(ACCESS) & set(_module.ROWS)
    assert not _overlap, f"URL names classified twice: {_overlap}"
    ACCESS.update(_module.ROWS)

World = type("World", tuple(m.WorldMixin for m in _MODULES if hasattr(m, "WorldMixin"))
             + (accounts.World,), {})
