import io
import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.models import Wallet
from bibarys.management.commands.seed_demo import DemoContext
from inventory.checks import stock_problems
from orders import demo
from orders.models import Order, OrderLine, OrderStatus

from .factories import ProductFactory, stock_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(shopper, other_shopper, admin_user, seller):
    from accounts.services import wallet_for, wallet_post

    for user in (shopper, other_shopper):
        wallet_post(wallet=wallet_for(user), kind="topup", amount=Decimal("50000"),
                    reference="demo:welcome")
    products = []
    for n in range(12):
        product = ProductFactory(seller=seller, price=Decimal(100 + 37 * n),
                                 unit="kg" if n % 4 == 0 else "pcs")
        stock_up(product, "40")
        products.append(product)
    # The goods came in weeks ago, as in the inventory demo.
    import datetime

    from django.utils import timezone

    from inventory.models import StockMovement
    StockMovement.objects.update(created_at=timezone.now() - datetime.timedelta(days=80))
    return {"admin": admin_user, "shopper1": shopper, "shopper2": other_shopper}


def context(users, **kw):
    return DemoContext(rng=random.Random(7), stdout=io.StringIO(), users=dict(users), **kw)


def test_demo_orders_go_through_the_services_and_keep_the_books(store):
    demo.seed(context(store, orders=40))
    assert 30 <= Order.objects.count() <= 40
    statuses = set(Order.objects.values_list("status", flat=True))
    assert OrderStatus.COMPLETED in statuses and OrderStatus.CANCELLED in statuses
    assert list(stock_problems()) == []
    for wallet in Wallet.objects.all():
        assert wallet.balance == (wallet.entries.aggregate(s=Sum("amount"))["s"] or 0)
    # Safe to run twice.
    count = Order.objects.count()
    demo.seed(context(store, orders=40))
    assert Order.objects.count() == count


def test_bulk_path_writes_the_same_books(store, monkeypatch):
    monkeypatch.setattr(demo, "BULK_FROM", 10)
    monkeypatch.setattr(demo, "CHUNK", 25)
    demo.seed(context(store, orders=120))
    assert Order.objects.count() > 100
    assert OrderLine.objects.filter(sale_movement__isnull=True).count() == 0
    cancelled = OrderLine.objects.filter(order__status=OrderStatus.CANCELLED)
    assert cancelled.exists()
    assert cancelled.filter(return_movement__isnull=True).count() == 0
    assert list(stock_problems()) == []
    for order in Order.objects.all()[:50]:
        assert order.total == order.lines.aggregate(s=Sum("line_total"))["s"]
        assert order.history.first().to_status == OrderStatus.NEW
        assert order.history.last().to_status == order.status


def test_seed_reviews_only_for_what_shoppers_bought():
    from accounts import demo as accounts_demo
    from catalog import demo as catalog_demo
    from catalog.models import Product, Review
    from catalog.tests.factories import purchase

    context = DemoContext(rng=random.Random(7), stdout=io.StringIO(), products=10)
    accounts_demo.seed(context)
    catalog_demo.seed(context)
    shopper = context.users["shopper1"]
    for product in Product.objects.all():
        purchase(shopper, product)
    demo.seed_reviews(context)
    demo.seed_reviews(context)
    reviewed = set(Review.objects.values_list("user_id", flat=True))
    assert Review.objects.exists() and reviewed == {shopper.pk}


def test_demo_shoppers_have_the_readme_balance_after_their_history(store):
    # The README says each demo shopper has 50 000 ₸ to spend; the history is paid from the
    # wallet, so the seed tops each one back up to it (a ledger row, so the books still hold).
    from accounts.demo import WELCOME_BALANCE
    from accounts.models import WalletEntry

    demo.seed(context(store, orders=40))
    assert WalletEntry.objects.filter(kind="payment").exists()  # the history was paid
    for name in ("shopper1", "shopper2"):
        wallet = Wallet.objects.get(user=store[name])
        assert wallet.balance == WELCOME_BALANCE == Decimal("50000")
        assert wallet.entries.aggregate(s=Sum("amount"))["s"] == wallet.balance
        assert wallet.entries.order_by("-id").first().balance_after == wallet.balance
    assert "50 000 ₸ each" in open("README.md", encoding="utf-8").read()
