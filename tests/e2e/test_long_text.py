"""Long unbroken text never widens a page: a 500-character word (or as long as its column
holds) in a checkout note, a write-off comment, a product name and a review, on a 390 px phone
(UI.check_width fails a page wider than the screen)."""

import json

import pytest

from tests import support
from tests.e2e.conftest import Problems

pytestmark = pytest.mark.e2e

# Planted with the store's own services in the e2e server's database (what the forms would
# write); each word as long as its column allows, up to 500 characters.
PLANT = r'''
import json, uuid
from datetime import date
from decimal import Decimal
from accounts.models import User
from catalog.models import Category, Product
from catalog.services import product_create, review_save
from inventory.models import WriteOffLine, WriteOff
from inventory.services import writeoff_create, writeoff_line_add
from orders.cart import checkout_details_save, saved_cart
from orders.models import CartLine, Order
from orders.services import OrderItem, order_place, order_status_set

def word(letter, field):
    return (letter * 500)[:field.max_length or 500]

admin = User.objects.get(username="admin")
shopper = User.objects.get(username="shopper5")
seller = User.objects.get(username="seller1")
in_stock = Product.objects.active().filter(seller=seller, quantity__gte=5, unit="pcs").order_by("pk").first()
long_named = product_create(by=admin, seller=seller, name=word("Ж", Product._meta.get_field("name")),
                            category=Category.objects.order_by("pk").first(), unit="pcs",
                            price=Decimal("100"), sku="LONG-WORD-1")
order = order_place(user=shopper, payment=Order.Payment.CASH, idempotency_key=uuid.uuid4(),
                    items=[OrderItem(product_id=in_stock.pk, quantity=Decimal("1"))],
                    note=word("Ң", Order._meta.get_field("note")), phone="+77011000015")
for status in ("confirmed", "ready", "completed"):  # a review needs a completed order
    order_status_set(order=order, status=status, by=admin)
review_save(product=in_stock, user=shopper, rating=5, text="Ө" * 500)
writeoff = writeoff_create(by=seller, date=date.today(), note=word("Қ", WriteOff._meta.get_field("note")))
writeoff_line_add(writeoff=writeoff, by=seller, product=in_stock, quantity=Decimal("1"),
                  reason=WriteOffLine._meta.get_field("reason").choices[0][0],
                  comment=word("Ү", WriteOffLine._meta.get_field("comment")))
CartLine.objects.get_or_create(cart=saved_cart(shopper), product=long_named, defaults={"quantity": 1})
checkout_details_save(user=shopper, delivery="pickup", address="", phone="+77011000015",
                      note=word("Ғ", Order._meta.get_field("note")))
print(json.dumps({"order": order.pk, "writeoff": writeoff.pk, "reviewed": in_stock.get_absolute_url(),
                  "long_named": long_named.get_absolute_url(), "long_pk": long_named.pk}))
'''


@pytest.fixture(scope="module")
def planted(e2e_server):
    result = support.manage("shell", "-c", PLANT, env=e2e_server.env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _visit(ui, paths, problems):
    for path in paths:
        try:
            ui.go(path, "long-" + path.strip("/").replace("/", "-")[:40])
        except Problems as exc:  # every page is checked, then all the wide ones are listed
            problems.append(str(exc))


def test_a_500_character_word_never_widens_a_phone_page(make_ui, planted):
    problems = []
    shopper = make_ui("long-text-shopper", "phone", user="shopper5")
    _visit(shopper,  ["/catalog/?q=" + "Ж" * 20, planted["long_named"], planted["reviewed"], "/orders/cart/",
                 "/orders/checkout/review/", f"/orders/my/{planted['order']}/", "/orders/my/"],
           problems)
    shopper.page.goto(shopper.url(planted["reviewed"]))
    assert "Ө" * 50 in shopper.text()  # the review is there, wrapped
    seller = make_ui("long-text-seller", "phone", user="seller1")
    _visit(seller, [f"/inventory/write-offs/{planted['writeoff']}/", "/inventory/write-offs/",
                    f"/catalog/manage/{planted['long_pk']}/", "/orders/lines/"], problems)
    seller.page.goto(seller.url(f"/inventory/write-offs/{planted['writeoff']}/"))
    assert "Ү" * 50 in seller.text()
    admin = make_ui("long-text-admin", "phone", user="admin")
    _visit(admin, [f"/orders/my/{planted['order']}/", "/orders/manage/", "/catalog/manage/"],
           problems)
    assert not problems, "\n".join(problems)
