"""The import preview is kept where every app server sees it (the database), with an expiry,
and is taken once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from inventory import importers, previews
from inventory.models import ImportPreview

from .factories import CategoryFactory

pytestmark = pytest.mark.django_db

CSV = "name,sku,category,price,quantity\nНан,BREAD-1,Нан,250,10\n".encode()


@pytest.fixture
def bread_category(db):
    return CategoryFactory(name="Нан")


def _preview(client):
    response = client.post(reverse("inventory:import"),
                           {"file": SimpleUploadedFile("bread.csv", CSV)})
    assert response.status_code == 200, response.context.get("errors")
    return client.session["inventory_import"]


def test_the_preview_is_a_row_in_the_database_until_confirmed(seller, seller_client,
                                                             bread_category):
    # (That another app server confirms it: tests/topology/test_two_app_servers.py.)
    token = _preview(seller_client)
    assert ImportPreview.objects.get().token == token
    assert ImportPreview.objects.get().user == seller
    response = seller_client.post(reverse("inventory:import_confirm"))
    assert response.status_code == 302
    assert Product.objects.get(sku="BREAD-1").quantity == 10
    assert not ImportPreview.objects.exists()


def test_a_preview_is_taken_once(seller_client, bread_category):
    _preview(seller_client)
    session = seller_client.session
    token = session["inventory_import"]
    assert seller_client.post(reverse("inventory:import_confirm")).status_code == 302
    # The same token sent again (a replayed confirm, an old session cookie): nothing.
    session = seller_client.session
    session["inventory_import"] = token
    session.save()
    response = seller_client.post(reverse("inventory:import_confirm"), follow=True)
    assert "expired" in response.content.decode() or "мерзімі" in response.content.decode()
    assert Product.objects.get(sku="BREAD-1").quantity == 10


def test_a_new_preview_replaces_the_last(seller_client, bread_category):
    first = _preview(seller_client)
    second = _preview(seller_client)
    assert first != second
    assert list(ImportPreview.objects.values_list("token", flat=True)) == [second]


def test_an_expired_preview_is_not_taken_and_is_cleared(seller, seller_client, bread_category):
    _preview(seller_client)
    ImportPreview.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = seller_client.post(reverse("inventory:import_confirm"))
    assert response.status_code == 302 and not Product.objects.exists()
    # Whoever stores the next preview clears the expired ones of everybody.
    ImportPreview.objects.create(token="old", user=seller, payload=b"",
                                 expires_at=timezone.now() - timedelta(hours=2))
    _preview(seller_client)
    assert not ImportPreview.objects.filter(token="old").exists()
    assert ImportPreview.objects.get().expires_at > timezone.now() + timedelta(minutes=50)


def test_another_users_token_is_not_theirs(seller, other_seller):
    row = importers.ImportRow(line=2, sku="A", name="Алма", price=Decimal("10.00"))
    token = previews.preview_store(user=seller, rows=[row], meta={"filename": "a.csv"})
    assert previews.preview_take(user=other_seller, token=token) is None
    meta, rows = previews.preview_take(user=seller, token=token)
    assert meta == {"filename": "a.csv"} and rows == [row]


def test_a_large_preview_is_stored_compressed(seller):
    rows = [importers.ImportRow(line=n, sku=f"SKU-{n:06d}", name=f"Тауар {n}", unit="pcs",
                                price=Decimal("100.00"), quantity=Decimal("1.000"))
            for n in range(2, 20_002)]
    token = previews.preview_store(user=seller, rows=rows, meta={})
    assert len(ImportPreview.objects.get(token=token).payload) < 400_000
    assert previews.preview_take(user=seller, token=token)[1] == rows


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirms_racing_on_postgres_take_the_preview_once(seller):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    from django.db import close_old_connections

    row = importers.ImportRow(line=2, sku="A", name="Алма", price=Decimal("10.00"))
    token = previews.preview_store(user=seller, rows=[row], meta={})
    barrier, taken = threading.Barrier(6), []

    def confirm():
        try:
            barrier.wait()
            taken.append(previews.preview_take(user=seller, token=token))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=confirm) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in taken) == 1, taken
