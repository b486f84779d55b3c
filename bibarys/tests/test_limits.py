"""Issue 16, point 1: a number is bounded where it enters, by one module (bibarys/limits.py) that
reads the bounds from the model fields; a row already out of range never breaks a page."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from bibarys.fields import LocalDecimalField
from bibarys.limits import limit_for
from catalog.forms import BulkActionForm, ProductForm
from catalog.models import Category, Product
from catalog.services import product_create, products_bulk_change_price
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory import importers
from orders.models import Order, OrderLine

PRICE = Product._meta.get_field("price")
EN_PRICE_LIMIT = "Enter ₸9,999,999,999.99 or less."


def test_bounds_come_from_the_model_fields():
    price = limit_for(PRICE)
    assert price.max_value == Decimal("9999999999.99") and price.places == 2 and price.money
    quantity = limit_for("catalog.Product.quantity")
    assert quantity.max_value == Decimal("99999999999.999") and quantity.places == 3
    assert not quantity.money
    position = limit_for(Category._meta.get_field("position"))
    assert (position.min_value, position.max_value) == (0, 2147483647)
    assert limit_for(OrderLine._meta.get_field("line_total")).max_value == Decimal(
        "999999999999.99")


@pytest.mark.parametrize("text", ["1e20", "100000000000", "4870001000016", "1e30", "1E+400"])
def test_product_form_names_the_limit(text, seller):
    category = CategoryFactory()
    with translation.override("en"):
        form = ProductForm(data={"name": "Нан", "category": category.pk, "unit": "pcs",
                                 "price": text, "cost_price": text, "low_stock_threshold": "1e30",
                                 "sku": "B-1"}, user=seller)
        assert not form.is_valid()
        assert form.errors["price"] == [EN_PRICE_LIMIT]
        assert form.errors["cost_price"] == ["Enter ₸9,999,999,999.99 or less."]
        assert form.errors["low_stock_threshold"] == ["Enter 99,999,999,999.999 or less."]


def test_the_same_message_in_kazakh_and_russian(seller):
    for lang, expected in (("kk", "9\xa0999\xa0999\xa0999,99\xa0₸"),
                           ("ru", "9\xa0999\xa0999\xa0999,99\xa0₸")):
        with translation.override(lang):
            field = LocalDecimalField(limit=limit_for(PRICE))
            with pytest.raises(ValidationError) as error:
                field.clean("1e20")
            assert expected in error.value.messages[0]


def test_service_refuses_what_its_column_cannot_hold(seller):
    category = CategoryFactory()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        product_create(by=seller, name="Нан", category=category, unit="pcs",
                       price=Decimal("1e20"), sku="B-1")
    assert error.value.message_dict["price"] == [EN_PRICE_LIMIT]
    assert not Product.objects.exists()


def test_a_save_from_any_path_is_refused_out_of_range(seller):
    product = ProductFactory(seller=seller)
    product.price = Decimal("1e20")
    with pytest.raises(ValidationError):
        product.save()
    product.refresh_from_db()
    assert product.price == Decimal("500.00")


def test_bulk_price_change_repeated_stops_at_the_limit(admin_user):
    product = ProductFactory(price=Decimal("5000000000.00"))
    other = ProductFactory(price=Decimal("100.00"))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        products_bulk_change_price(products=Product.objects.all(), by=admin_user,
                                   percent=Decimal("1000"))
    assert "₸9,999,999,999.99" in error.value.messages[0] and product.sku in error.value.messages[0]
    product.refresh_from_db(), other.refresh_from_db()
    assert (product.price, other.price) == (Decimal("5000000000.00"), Decimal("100.00"))


def test_bulk_percent_field_names_its_limit():
    with translation.override("en"):
        form = BulkActionForm(data={"action": "price", "percent": "1e30"})
        form.is_valid()
        assert form.errors["percent"] == ["Enter 1,000 or less."]


@pytest.mark.parametrize("cell", ["1e20", "4870001000016", "1e30", "-1e30", "1E+400"])
def test_import_row_out_of_range_is_a_row_error(cell, admin_user):
    data = f"sku,name,price,cost,quantity\nB-1,Нан,{cell},{cell},{cell}\n".encode()
    with translation.override("en"):
        parsed = importers.parse_file(data, "x.csv")
    assert not parsed.rows and [line for line, _m in parsed.errors] == [2]
    message = parsed.errors[0][1]
    if not cell.startswith("-"):
        assert "₸9,999,999,999.99" in message and "99,999,999,999.999" in message


def test_import_xlsx_numeric_cell_1e30_is_a_row_error(admin_user):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["sku", "name", "price", "quantity"])
    sheet.append(["B-1", "Нан", 1e30, 1e20])
    sheet.append(["B-2", "Сүт", 4870001000016, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("en"):
        parsed = importers.parse_file(buffer.getvalue(), "x.xlsx")
    assert not parsed.rows and [line for line, _m in parsed.errors] == [2, 3]
    assert all("₸9,999,999,999.99" in message for _line, message in parsed.errors)


def test_order_line_total_over_its_column_is_refused(shopper):
    from orders.services import OrderItem, order_place
    from orders.tests.factories import product_in_stock

    product = product_in_stock("1000000", price=Decimal("9999999999.99"))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        order_place(user=shopper, items=[OrderItem(product.pk, Decimal("1000"))], payment="cash",
                    delivery="pickup", idempotency_key=uuid.uuid4())
    assert any("₸999,999,999,999.99" in m for m in error.value.messages)
    assert not Order.objects.exists()


# Django admin -----------------------------------------------------------------------------------


def _admin_forms():
    request = RequestFactory().get("/admin/")
    request.user = type("Superuser", (), {"is_superuser": True, "is_active": True,
                                          "is_staff": True, "has_perm": lambda *a: True})()
    for model, model_admin in django_admin.site._registry.items():
        yield model, model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            yield inline.model, inline.get_formset(request).form


def test_every_admin_decimal_field_takes_its_columns_limit():
    seen = 0
    for model, form in _admin_forms():
        for name, formfield in form.base_fields.items():
            try:
                field = model._meta.get_field(name)
            except Exception:
                continue
            if isinstance(field, models.DecimalField):
                assert isinstance(formfield, LocalDecimalField), (model, name)
                assert formfield.max_value == limit_for(field).max_value, (model, name)
                seen += 1
    assert seen >= 3  # product price, cost price, threshold at least


def test_admin_product_change_refuses_1e20_and_writes_nothing(admin_user):
    from django.test import Client

    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    product = ProductFactory()
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update({"name": product.name, "slug": product.slug, "category": product.category_id,
                 "seller": product.seller_id, "unit": "pcs", "sku": product.sku,
                 "price": "1e20", "cost_price": "0", "low_stock_threshold": "5",
                 "barcodes-TOTAL_FORMS": "0", "barcodes-INITIAL_FORMS": "0"})
    data.pop("is_active", None)
    response = client.post(url, data)
    assert response.status_code == 200
    assert EN_PRICE_LIMIT in response.content.decode()
    product.refresh_from_db()
    assert product.price == Decimal("500.00")


# Management commands ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e30", "0", "-5", "1.5", "NaN"])
def test_seed_demo_count_options_are_bounded(value, db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--products", value, stdout=io.StringIO())
    assert not Product.objects.exists()


# A row planted out of range (before the bounds, or by hand) never breaks a page ------------------


def _plant(product, **values):
    """Write values straight into SQLite, past every check (as an old import did)."""
    sets = ", ".join(f"{column} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE catalog_product SET {sets} WHERE id = %s",
                       [*values.values(), product.pk])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL cannot hold such a row")
def test_pages_that_list_or_show_a_planted_row_open(seller, admin_user):
    from django.test import Client

    product = ProductFactory(seller=seller, name="Алтын нан")
    _plant(product, price=1e20, cost_price=4870001000016, low_stock_threshold=1e30)
    seller_client, admin_client, shopper = Client(), Client(), Client()
    seller_client.force_login(seller)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    admin_client.force_login(admin_user)
    pages = [
        (shopper, "/"),
        (shopper, reverse("catalog:product_list")),
        (shopper, reverse("catalog:product_list") + "?q=Алтын"),
        (shopper, reverse("catalog:product_list") + "?sort=price"),
        (shopper, reverse("catalog:product_list") + "?sort=-price"),
        (shopper, reverse("catalog:product_detail", args=[product.slug])),
        (seller_client, reverse("catalog:manage_list")),
        (seller_client, reverse("catalog:product_edit", args=[product.pk])),
        (seller_client, reverse("analytics:dashboard")),
        (seller_client, reverse("inventory:low_stock")),
        (seller_client, reverse("inventory:export")),
        (seller_client, reverse("inventory:export") + "?format=xlsx"),
        (seller_client, reverse("inventory:product_movements", args=[product.pk])),
        (admin_client, reverse("analytics:dashboard")),
        (admin_client, reverse("admin:catalog_product_changelist")),
        (admin_client, reverse("admin:catalog_product_change", args=[product.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
    # The seller can fix it: the edit page shows the number, refuses it as it is, takes a price.
    page = seller_client.get(reverse("catalog:product_edit", args=[product.pk]))
    assert "Алтын нан" in page.content.decode()
    # and delete it (never sold, no stock history).
    response = seller_client.post(reverse("catalog:product_delete", args=[product.pk]))
    assert response.status_code in (200, 302)
    assert not Product.objects.filter(pk=product.pk).exists()
