"""Factories for inventory tests. Products come from the catalog's factories when they exist;
until then a minimal stand-in keeps these tests independent."""

from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory

try:  # pragma: no cover - depends on what the catalog app ships
    from catalog.tests.factories import CategoryFactory, ProductFactory  # noqa: F401
except ImportError:  # pragma: no cover
    from catalog.models import Category, Product

    class CategoryFactory(factory.django.DjangoModelFactory):
        class Meta:
            model = Category
            django_get_or_create = ("slug",)

        name = factory.Sequence(lambda n: f"Санат {n}")
        slug = factory.Sequence(lambda n: f"category-{n}")

    class ProductFactory(factory.django.DjangoModelFactory):
        class Meta:
            model = Product

        name = factory.Sequence(lambda n: f"Тауар {n}")
        slug = factory.Sequence(lambda n: f"product-{n}")
        sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
        category = factory.SubFactory(CategoryFactory)
        seller = factory.SubFactory(UserFactory, role="seller")
        unit = "pcs"
        price = Decimal("500.00")
        cost_price = Decimal("0.00")


def stock_up(product, quantity, *, by=None, unit_cost=None):
    """Give a product stock the way the store does: a posted goods receipt."""
    import datetime

    from inventory.services import receipt_create, receipt_line_set, receipt_post

    by = by or product.seller
    receipt = receipt_create(by=by, supplier="ТОО Тест", date=datetime.date(2026, 1, 10))
    receipt_line_set(receipt=receipt, by=by, product=product, quantity=Decimal(quantity),
                     unit_cost=Decimal(unit_cost if unit_cost is not None else "100.00"))
    receipt_post(receipt=receipt, by=by)
    product.refresh_from_db()
    return receipt
