"""A product's and a category's VAT rate, set on the store's own pages and in Django admin."""

import pytest
from django.urls import reverse

from catalog.models import Category, Product

from .factories import CategoryFactory, ProductFactory
from .test_views_manage import _form

pytestmark = pytest.mark.django_db


def test_a_seller_sets_a_products_vat_rate_and_may_leave_it_to_the_category(seller_client):
    category = CategoryFactory()
    response = seller_client.post(reverse("catalog:product_create"),
                                  _form(category, vat_rate="exempt"))
    assert response.status_code == 302
    product = Product.objects.get(sku="SMT-20")
    assert product.vat_rate == "exempt"
    page = seller_client.get(reverse("catalog:product_edit", args=[product.pk])).content.decode()
    assert 'name="vat_rate"' in page and '<option value="exempt" selected>' in page
    seller_client.post(reverse("catalog:product_edit", args=[product.pk]),
                       _form(category, vat_rate=""))
    product.refresh_from_db()
    assert product.vat_rate == ""


def test_an_unknown_vat_rate_is_refused_next_to_the_field_and_changes_nothing(seller_client,
                                                                              seller):
    product = ProductFactory(sku="SMT-20", vat_rate="16", seller=seller)
    response = seller_client.post(reverse("catalog:product_edit", args=[product.pk]),
                                  _form(product.category, vat_rate="12"))
    assert response.status_code == 400
    assert "vat_rate" in response.context["form"].errors
    product.refresh_from_db()
    assert product.vat_rate == "16"


def test_the_admin_sets_a_categorys_vat_rate(admin_client):
    admin_client.post(reverse("catalog:category_list"), {"name": "Дәрі", "vat_rate": "exempt"})
    category = Category.objects.get(name="Дәрі")
    assert category.vat_rate == "exempt"
    admin_client.post(reverse("catalog:category_edit", args=[category.pk]),
                      {"name": "Дәрі", "position": "0", "vat_rate": "0"})
    category.refresh_from_db()
    assert category.vat_rate == "0"


def test_django_admin_shows_and_filters_the_vat_rate(admin_user, client):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    ProductFactory(name="Сүт", vat_rate="16")
    page = client.get("/admin/catalog/product/", {"vat_rate__exact": "16"}).content.decode()
    assert "Сүт" in page
    form = client.get("/admin/catalog/category/add/").content.decode()
    assert 'name="vat_rate"' in form
