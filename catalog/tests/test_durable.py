"""The catalog's services are each a whole act (durable): inside another transaction they refuse
to run, so the page-cache bump and the photo files they drop after the commit belong to them.
The bulk actions compose the single ones through inner functions that take the caller's
transaction."""

from decimal import Decimal

import pytest
from django.db import transaction

from catalog import services
from catalog.models import Product

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("call", [
    lambda product, by: services.product_delete(product=product, by=by),
    lambda product, by: services.product_set_active(product=product, by=by, active=False),
    lambda product, by: services.product_update(product=product, by=by, price=Decimal("10")),
    lambda product, by: services.products_bulk_delete(
        products=Product.objects.filter(pk=product.pk), by=by),
    lambda product, by: services.products_bulk_change_price(
        products=Product.objects.filter(pk=product.pk), by=by, percent=Decimal("10")),
    lambda product, by: services.photo_reorder(product=product, by=by, order=[]),
])
def test_a_catalog_service_refuses_to_run_inside_another_transaction(call, admin_user):
    product = ProductFactory()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        call(product, admin_user)
    assert Product.objects.filter(pk=product.pk, is_active=True).exists()


def test_the_bulk_delete_still_deletes_through_the_inner_step(admin_user):
    ids = [ProductFactory().pk, ProductFactory().pk]
    assert services.products_bulk_delete(products=Product.objects.filter(pk__in=ids),
                                         by=admin_user) == (2, 0)
    assert not Product.objects.filter(pk__in=ids).exists()


def test_a_category_may_be_created_inside_the_import_transaction(admin_user):
    # The product import creates the categories its file names in its own transaction.
    with transaction.atomic():
        category = services.category_create(by=admin_user, name="Бакалея")
    assert category.pk and CategoryFactory()
