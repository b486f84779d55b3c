"""What the apps above catalog tell it, without catalog importing them.

Whether a shopper bought a product (and so may review it) is known to the orders app, which is
above catalog in the layers (README, "Layout"): it registers its rule here in
OrdersConfig.ready(). Without it nobody has bought anything."""

from collections.abc import Callable, Iterable

# (user, product ids) → the ids among them that the user has bought.
PurchaseRule = Callable[[object, Iterable[int]], set[int]]
_purchase_rules: list[PurchaseRule] = []


def register_purchase_rule(rule: PurchaseRule) -> PurchaseRule:
    if rule not in _purchase_rules:
        _purchase_rules.append(rule)
    return rule


def products_bought(user, product_ids: Iterable[int]) -> set[int]:
    """The products among `product_ids` that `user` has bought, by every registered rule."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = list(product_ids)
    bought: set[int] = set()
    for rule in _purchase_rules:
        bought |= rule(user, ids)
    return bought
