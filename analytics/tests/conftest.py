"""A small shop with hand-computed figures (see test_selectors.py for the arithmetic)."""

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory

from .factories import CategoryFactory, ProductFactory, local_time, make_order

D = datetime.date


@pytest.fixture
def shop(db, seller, other_seller, shopper):
    milk = CategoryFactory(name="Сүт өнімдері", slug="milk")
    meat = CategoryFactory(name="Ет", slug="meat")
    a_milk = ProductFactory(seller=seller, category=milk, name="Айран «Қымыз» 1 л", unit="pcs",
                            price=Decimal("500.00"), cost_price=Decimal("320.00"))
    a_meat = ProductFactory(seller=seller, category=meat, name="Сиыр еті", unit="kg",
                            price=Decimal("2990.00"), cost_price=Decimal("2100.55"))
    b_milk = ProductFactory(seller=other_seller, category=milk, name="Сүзбе", unit="pcs",
                            price=Decimal("1200.00"), cost_price=Decimal("900.00"))
    buyer = shopper
    orders = {
        # Current period: 1–10 November 2026 (Almaty days).
        "o1": make_order(user=buyer, status="completed", at=local_time(D(2026, 11, 2)),
                         lines=[(a_milk, "3", "500", "320"), (b_milk, "1", "1200", "900")]),
        # 23:30 in Almaty is still 5 November.
        "o2": make_order(user=buyer, status="new", at=local_time(D(2026, 11, 5), 23, 30),
                         lines=[(a_meat, "1.255", "2990", "2100.55")]),
        "o3": make_order(user=buyer, status="cancelled", at=local_time(D(2026, 11, 6)),
                         lines=[(a_milk, "10", "500", "320")]),
        "o4": make_order(user=buyer, status="confirmed", at=local_time(D(2026, 11, 10), 23, 59),
                         lines=[(b_milk, "2", "1200", "900")]),
        # 03:00 on 11 November in Almaty is 10 November in UTC: not in the period.
        "o5": make_order(user=buyer, status="completed", at=local_time(D(2026, 11, 11), 3, 0),
                         lines=[(a_milk, "7", "500", "320")]),
        # 02:00 on 1 November in Almaty is 31 October in UTC: in the period.
        "o7": make_order(user=buyer, status="ready", at=local_time(D(2026, 11, 1), 2, 0),
                         lines=[(a_milk, "1", "450", "320")]),
        # Previous period: 22–31 October.
        "o6": make_order(user=buyer, status="completed", at=local_time(D(2026, 10, 31), 23, 59),
                         lines=[(a_milk, "2", "500", "320")]),
    }
    return {"seller_a": seller, "seller_b": other_seller, "a_milk": a_milk, "a_meat": a_meat,
            "b_milk": b_milk, "milk": milk, "meat": meat, "orders": orders, "buyer": buyer}


@pytest.fixture
def november():
    from analytics.periods import Period

    return Period(D(2026, 11, 1), D(2026, 11, 10))


@pytest.fixture
def staff_admin(admin_user):
    return admin_user


def extra_shoppers(count, joined):
    from django.contrib.auth import get_user_model

    users = [UserFactory(role="shopper") for _ in range(count)]
    get_user_model().objects.filter(pk__in=[u.pk for u in users]).update(date_joined=joined)
    return users
