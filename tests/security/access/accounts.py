"""Access rows for the foundation and accounts pages."""

from __future__ import annotations

from decimal import Decimal

from .rules import (LOGIN, OK, REDIRECT, admin_only, anonymous_only, owned_by_shopper_a, public,
                    rule, signed_in)


class World:
    """Objects the path arguments point at, made on demand (each app adds a mixin)."""

    def __init__(self, users):
        self.users = users
        self._cache = {}

    def _once(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]
    @property
    def wallet_entry_a(self):
        def make():
            from accounts.models import WalletEntry
            from accounts.services import wallet_for, wallet_post

            wallet = wallet_for(self.users["shopper_a"])
            return wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP,
                               amount=Decimal("1000.00"), reason="matrix", reference="matrix:1")
        return self._once("wallet_entry_a", make)



def _entry_pk(world):
    entry = world.wallet_entry_a
    return {"pk": getattr(entry, "pk", None) or entry.wallet.entries.first().pk}


def _person_pk(world):
    return {"pk": world.users["shopper_b"].pk}


ROWS = {
    "home": public(),
    "healthz": public(),
    "set_language": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post",
                         data=lambda w: {"language": "ru", "next": "/"}),
    "login": anonymous_only(),
    # accounts
    "accounts:signup": anonymous_only(),
    "accounts:logout": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post"),
    "accounts:profile": signed_in(),
    "accounts:wallet_entry": owned_by_shopper_a(kwargs=_entry_pk),
    "accounts:password_change": signed_in(),
    "accounts:password_change_done": signed_in(),
    "accounts:password_reset": public(),
    "accounts:password_reset_done": public(),
    # A made-up token shows the "link is no longer valid" page, to everyone.
    "accounts:password_reset_confirm": public(
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": public(),
    # users and the audit log (admin only; the GET of an action is its confirmation page)
    "accounts:user_list": admin_only(),
    "accounts:user_detail": admin_only(kwargs=_person_pk),
    "accounts:user_role": admin_only(kwargs=_person_pk),
    "accounts:user_block": admin_only(kwargs=_person_pk),
    "accounts:user_unblock": admin_only(kwargs=_person_pk),
    "accounts:user_delete": admin_only(kwargs=_person_pk),
    "accounts:audit_log": admin_only(),
}
