"""Factories for catalog tests (and other apps' tests that need products)."""

from __future__ import annotations

import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from catalog.models import Category, Product, ProductPhoto, Review, WishlistItem


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


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    user = factory.SubFactory(UserFactory)
    rating = 5
    text = "Жақсы"


class WishlistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WishlistItem

    product = factory.SubFactory(ProductFactory)
    user = factory.SubFactory(UserFactory)


def image_bytes(width: int = 64, height: int = 48, *, fmt: str = "PNG",
                colour=(200, 60, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name: str = "photo.png", **kwargs) -> SimpleUploadedFile:
    fmt = kwargs.pop("fmt", "PNG")
    return SimpleUploadedFile(name, image_bytes(fmt=fmt, **kwargs),
                              content_type=f"image/{fmt.lower()}")


def photo_for(product: Product, **kwargs) -> ProductPhoto:
    """A photo attached the way the store does it (catalog.services.photo_add)."""
    from catalog.services import photo_add

    return photo_add(product=product, by=product.seller, upload=image_upload(**kwargs))


def purchase(user, product: Product, quantity: str = "1", *, status: str = "completed"):
    """An order of `user` holding `product` (rows written directly: a test fixture for the
    "who bought it" rules, not a checkout)."""
    from orders.models import Order, OrderLine

    quantity = Decimal(quantity)
    total = (product.price * quantity).quantize(Decimal("0.01"))
    order = Order.objects.create(user=user, status=status, total=total,
                                 cost_total=product.cost_price * quantity)
    OrderLine.objects.create(order=order, product=product, seller=product.seller,
                             product_name=product.name, unit=product.unit, quantity=quantity,
                             price=product.price, cost_price=product.cost_price, line_total=total)
    return order
