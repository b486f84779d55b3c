"""Photos and reviews under real concurrency: PostgreSQL, real threads (skipped on SQLite)."""

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Review
from orders.tests.test_concurrency import run_at_once

from .factories import ProductFactory, image_upload, photo_for, purchase

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_uploads_at_once_never_make_a_sixth_photo():
    product = ProductFactory()
    for _ in range(4):
        photo_for(product)

    def upload():
        return services.photo_add(product=product, by=product.seller, upload=image_upload())

    results = run_at_once([upload, upload, upload])
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 2, results
    assert product.photos.count() == 5
    assert product.photos.filter(is_main=True).count() == 1


def test_a_double_submitted_review_is_one_review(django_user_model):
    product = ProductFactory()
    shopper = django_user_model.objects.create(username="racer", role="shopper")
    purchase(shopper, product)

    def save(n):
        return lambda: services.review_save(product=product, user=shopper, rating=n, text=str(n))

    results = run_at_once([save(n) for n in (3, 4, 5, 5)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Review.objects.filter(product=product, user=shopper).count() == 1
