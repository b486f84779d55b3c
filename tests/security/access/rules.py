"""The vocabulary of the access matrix: what each cell may say, and the usual row shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

LOGIN = "login"        # 3xx to the login page
REDIRECT = "redirect"  # 3xx anywhere else (a POST that worked, a signed-in visitor sent home)
OK = 200


@dataclass
class Rule:
    expect: dict
    kwargs: Callable | None = None  # world -> path kwargs
    method: str = "get"
    data: Callable | None = None    # world -> POST data
    query: str = ""


def rule(*, anon, shopper_a, shopper_b=None, seller_a=None, seller_b=None, cashier=None,
         admin=None, **kw):
    """Each cell: an HTTP status or LOGIN/REDIRECT. B defaults to A's answer (a page with no
    owner), the seller of A's side defaults to shopper A's answer. The cashier defaults to
    shopper B's answer: someone else's things, and none of the back office (DOMAIN.md: the
    till, own shifts, returns and moving online orders along; nothing else of staff's)."""
    shopper_b = shopper_a if shopper_b is None else shopper_b
    seller_a = shopper_a if seller_a is None else seller_a
    seller_b = seller_a if seller_b is None else seller_b
    cashier = shopper_b if cashier is None else cashier
    admin = seller_a if admin is None else admin
    return Rule(expect=dict(anon=anon, shopper_a=shopper_a, shopper_b=shopper_b,
                            seller_a=seller_a, seller_b=seller_b, cashier=cashier, admin=admin),
                **kw)


def public(**kw):
    return rule(anon=OK, shopper_a=OK, **kw)


def anonymous_only(**kw):
    """Sign-up and the like: a signed-in visitor is sent on."""
    return rule(anon=OK, shopper_a=REDIRECT, **kw)


def signed_in(**kw):
    return rule(anon=LOGIN, shopper_a=OK, **kw)


def owned_by_shopper_a(*, admin=404, **kw):
    return rule(anon=LOGIN, shopper_a=OK, shopper_b=404, seller_a=404, seller_b=404, admin=admin,
                **kw)


def staff(**kw):
    return rule(anon=LOGIN, shopper_a=403, seller_a=OK, admin=OK, **kw)


def staff_owned_by_seller_a(**kw):
    return rule(anon=LOGIN, shopper_a=403, seller_a=OK, seller_b=404, admin=OK, **kw)


def post_staff_owned(kwargs, *, owner=REDIRECT, admin=REDIRECT, **kw):
    """A POST on seller A's document: strangers learn nothing (404), shoppers are refused."""
    return rule(anon=LOGIN, shopper_a=403, seller_a=owner, seller_b=404, admin=admin,
                method="post", kwargs=kwargs, **kw)


def admin_only(**kw):
    return rule(anon=LOGIN, shopper_a=403, seller_a=403, admin=OK, **kw)




def till_staff(**kw):
    """The till's pages: cashiers, sellers and admins; shoppers are refused."""
    return rule(anon=LOGIN, shopper_a=403, seller_a=OK, cashier=OK, admin=OK, **kw)
