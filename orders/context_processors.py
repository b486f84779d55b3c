"""The header's cart badge on every page."""

from .cart import cart_count


def cart(request):
    # Lazy: a page that never shows the header (a partial) never pays for the count.
    return {"cart_count": _LazyCount(request)}


class _LazyCount:
    """Counts on first use, at most one query per request (cached on the request)."""

    def __init__(self, request):
        self.request = request

    def _value(self) -> int:
        return cart_count(self.request)

    def __int__(self):
        return self._value()

    def __bool__(self):
        return bool(self._value())

    def __str__(self):
        return str(self._value())

    def __eq__(self, other):
        return self._value() == other

    def __hash__(self):
        return hash(self._value())
