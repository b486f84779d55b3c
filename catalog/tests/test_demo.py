"""The demo catalog: realistic, valid, safe to run twice, and fast for a benchmark catalog."""

import io
import random

import pytest

from accounts import demo as accounts_demo
from bibarys.management.commands.seed_demo import DemoContext
from catalog import demo
from catalog.models import Product, ProductBarcode, ProductPhoto, Review
from catalog.validators import ean_checksum_ok

pytestmark = pytest.mark.django_db


def _context(products):
    context = DemoContext(rng=random.Random(7), stdout=io.StringIO(), products=products)
    accounts_demo.seed(context)
    return context


def test_demo_catalog_is_valid_and_safe_to_run_twice():
    context = _context(30)
    demo.seed(context)
    demo.seed(context)
    assert Product.objects.count() == 30
    assert all(ean_checksum_ok(code) for code in ProductBarcode.objects.values_list("code", flat=True))
    assert ProductPhoto.objects.filter(is_main=True).count() == 30
    assert set(Product.objects.values_list("seller__username", flat=True)) <= {"seller1", "seller2"}
    assert not Product.objects.exclude(quantity=0).exists()  # stock comes from inventory.demo
    # A name per language, none of them "Ірімшік / Сыр" (issue 16.6).
    names = list(Product.objects.values_list("name", "name_ru", "name_en"))
    assert all(kk and ru and en and " / " not in kk + ru + en for kk, ru, en in names)
    milk = Product.objects.get(name="Сүт 2,5% 1 л")
    assert (milk.name_ru, milk.name_en) == ("Молоко 2,5% 1 л", "Milk 2.5% 1 l")
    assert milk.description == "Жергілікті фермалардың табиғи сүтінен."
    assert milk.description_ru == "Из натурального молока местных ферм."
    assert milk.description_en == "From the natural milk of local farms."


def test_big_demo_catalog_uses_the_bulk_path_without_photos():
    context = _context(demo.BULK_FROM + 5)
    demo.seed(context)
    assert Product.objects.count() == demo.BULK_FROM + 5
    assert ProductBarcode.objects.count() == demo.BULK_FROM + 5
    assert not ProductPhoto.objects.exists()
