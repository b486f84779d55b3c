"""Property test (issue 16, point 1): every numeric input path fed the extremes (huge, tiny,
negative, NaN, Infinity, 1e30, scientific notation, many decimals, locale forms) answers without
a 500, and afterwards every number in the database fits its column (bibarys/limits.py)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from bibarys.limits import limit_for
from catalog.models import Category, Product
from catalog.tests.factories import CategoryFactory, ProductFactory

EXTREMES = ["1e20", "1e30", "-1e30", "1E+400", "1e-400", "NaN", "-NaN", "sNaN", "Infinity",
            "-Infinity", "inf", "4870001000016", "9999999999.99", "10000000000", "9999999999.995",
            "0.000000001", "-0,01", "1 234,56", "1.234.567,89", "1,234,567.89", "1\u00a0000,5",
            "12,345,678,901,234.5", "٣٤٥", "1_000", "+5", "--5", "0x10", "", " ", "1e", "e5",
            "99999999999.999", "100000000000", "2147483648", "-2147483649", "1" * 40, "9" * 400]

numbers = st.one_of(
    st.sampled_from(EXTREMES),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10 ** 40), max_value=10 ** 40).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-999, 999), st.integers(-50, 50)),
    st.decimals(places=6, min_value=-10 ** 14, max_value=10 ** 14).map(
        lambda d: str(d).replace(".", ",")),
)

PROPERTY = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _all_numbers_fit():
    """Every stored number of the catalog fits its column (read through the ORM: a value that
    does not fit would be read back as it is, by bibarys.limits.install_sqlite_reader)."""
    for model in (Product, Category):
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, (models.DecimalField, models.PositiveIntegerField))]
        for row in model.objects.values(*[f.name for f in fields]):
            for field in fields:
                value = row[field.name]
                assert value is None or limit_for(field).fits(value), (model, field.name, value)


@pytest.fixture
def world(db, seller, admin_user):
    product = ProductFactory(seller=seller, price=Decimal("5000000000.00"))
    return {"product": product, "category": CategoryFactory()}


@PROPERTY
@given(value=numbers, column=st.sampled_from(["price", "cost_price", "low_stock_threshold"]))
def test_product_form_paths(value, column, world, seller_client):
    category = world["category"]
    data = {"name": "Нан", "category": category.pk, "unit": "kg", "price": "100",
            "cost_price": "0", "low_stock_threshold": "5", "sku": "NEW-1", column: value}
    before = Product.objects.count()
    response = seller_client.post(reverse("catalog:product_create"), data)
    assert response.status_code < 500
    if response.status_code != 302:
        assert Product.objects.count() == before
    product = world["product"]
    data["sku"] = product.sku
    response = seller_client.post(reverse("catalog:product_edit", args=[product.pk]), data)
    assert response.status_code < 500
    _all_numbers_fit()
    Product.objects.exclude(pk=product.pk).delete()


@PROPERTY
@given(value=numbers)
def test_bulk_price_change_path(value, world, admin_client):
    product = world["product"]
    response = admin_client.post(reverse("catalog:manage_bulk"), {
        "action": "price", "products": [product.pk], "percent": value, "confirm": "on"})
    assert response.status_code < 500
    _all_numbers_fit()


@PROPERTY
@given(value=numbers)
def test_category_position_path(value, world, admin_client):
    response = admin_client.post(reverse("catalog:category_list"),
                                 {"name": "Жаңа санат", "position": value})
    assert response.status_code < 500
    _all_numbers_fit()
    Category.objects.filter(name="Жаңа санат").delete()


@PROPERTY
@given(value=numbers, column=st.sampled_from(["price", "cost", "quantity"]))
def test_import_csv_text_cells(value, column, world, admin_client):
    row = {"price": "100", "cost": "50", "quantity": "3"}
    row[column] = value.replace(",", ".") if "," in value else value
    data = ("sku;name;price;cost;quantity\n"
            f"IMP-1;Нан;{row['price']};{row['cost']};{row['quantity']}\n").encode()
    response = admin_client.post(reverse("inventory:import"),
                                 {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code < 500
    if response.status_code == 200:
        response = admin_client.post(reverse("inventory:import_confirm"))
        assert response.status_code < 500
    _all_numbers_fit()
    Product.objects.filter(sku="IMP-1").delete()


xlsx_numbers = st.one_of(
    st.sampled_from([1e30, -1e30, 1e20, 4870001000016, 1e-30, 9999999999.995, 2 ** 63]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20))


@PROPERTY
@given(value=xlsx_numbers, column=st.sampled_from(["price", "cost", "quantity"]))
def test_import_xlsx_numeric_cells(value, column, world, admin_client):
    from openpyxl import Workbook

    row = {"price": 100, "cost": 50, "quantity": 3, column: value}
    book = Workbook()
    book.active.append(["sku", "name", "price", "cost", "quantity"])
    book.active.append(["IMP-2", "Сүт", row["price"], row["cost"], row["quantity"]])
    buffer = io.BytesIO()
    book.save(buffer)
    response = admin_client.post(reverse("inventory:import"),
                                 {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
    assert response.status_code < 500
    if response.status_code == 200:
        response = admin_client.post(reverse("inventory:import_confirm"))
        assert response.status_code < 500
    _all_numbers_fit()
    Product.objects.filter(sku="IMP-2").delete()
