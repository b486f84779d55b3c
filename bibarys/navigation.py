"""The menus of the header. Each app registers its pages by URL name; a link whose view does
not exist (yet) is left out, so apps can land one at a time."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, roles that see it)
ACCOUNT_MENU = [
    ("accounts:profile", _("My account"), {"shopper", "seller", "admin"}),
    ("orders:order_list", _("My orders"), {"shopper", "seller", "admin"}),
    ("catalog:wishlist", _("Wishlist"), {"shopper", "seller", "admin"}),
    ("accounts:wallet", _("Wallet"), {"shopper", "seller", "admin"}),
    ("accounts:password_change", _("Change password"), {"shopper", "seller", "admin"}),
]

STAFF_MENU = [
    ("till:home", _("Till"), {"cashier", "seller", "admin"}),
    ("analytics:dashboard", _("Dashboard"), {"seller", "admin"}),
    ("catalog:manage_list", _("Products"), {"seller", "admin"}),
    ("catalog:category_list", _("Categories"), {"admin"}),
    ("inventory:receipt_list", _("Goods receipts"), {"seller", "admin"}),
    ("inventory:writeoff_list", _("Write-offs"), {"seller", "admin"}),
    ("inventory:stocktake_list", _("Stocktakes"), {"seller", "admin"}),
    ("inventory:low_stock", _("Low stock"), {"seller", "admin"}),
    ("orders:seller_lines", _("Order lines"), {"seller"}),
    ("orders:manage_list", _("Orders"), {"cashier", "seller", "admin"}),
    ("till:return_find", _("Returns"), {"cashier", "seller", "admin"}),
    ("analytics:reports", _("Reports"), {"seller", "admin"}),
    ("till:shift_list", _("Shifts"), {"admin"}),
    ("accounts:user_list", _("Users"), {"admin"}),
    ("accounts:audit_log", _("Audit log"), {"admin"}),
]


def _links(menu, role, current_path):
    links = []
    for name, label, roles in menu:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append({"url": url, "label": label, "active": current_path.startswith(url)})
    return links


def menus(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"account_menu": [], "staff_menu": []}
    return {
        "account_menu": _links(ACCOUNT_MENU, user.role, request.path),
        "staff_menu": _links(STAFF_MENU, user.role, request.path),
    }
