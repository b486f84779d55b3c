import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import wallet_for
from orders.models import CartLine, Order, OrderStatus

from .factories import fund, product_in_stock
from .test_services import fill_cart, place

pytestmark = pytest.mark.django_db


def checkout(client, *, delivery=None, payment="wallet", key=None):
    delivery = delivery or {"delivery": "pickup", "phone": "8 701 234 56 78", "note": ""}
    step1 = client.post(reverse("orders:checkout_delivery"), delivery)
    review = client.get(reverse("orders:checkout_review"))
    key = key or review.context["form"].initial["idempotency_key"]
    step2 = client.post(reverse("orders:checkout_review"),
                        {"payment": payment, "idempotency_key": key})
    return step1, review, step2


def test_three_step_checkout_places_the_order(shopper_client, shopper):
    milk = product_in_stock("5", name="Milk", price=Decimal("400"))
    fund(shopper, "1000")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "2"})
    step1, review, step2 = checkout(shopper_client)
    assert step1["Location"] == reverse("orders:checkout_review")
    assert "1\xa0000,00" in review.content.decode() or "1,000.00" in review.content.decode()
    order = Order.objects.get()
    assert step2["Location"] == reverse("orders:checkout_done", kwargs={"pk": order.pk})
    assert order.phone == "+77012345678" and order.total == Decimal("800.00")
    done = shopper_client.get(step2["Location"])
    assert order.number in done.content.decode()
    assert not CartLine.objects.exists()


def test_htmx_delivery_step_answers_with_the_review_step(shopper_client, shopper):
    """With htmx the delivery form's answer is the review step itself (the address bar moves
    to it), one request less; placing the order from that page works as from the GET."""
    milk = product_in_stock("5", name="Milk", price=Decimal("400"))
    fund(shopper, "1000")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    bad = shopper_client.post(reverse("orders:checkout_delivery"),
                              {"delivery": "delivery", "address": "", "phone": "12345"},
                              HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "HX-Push-Url" not in bad
    assert "address" in bad.context["form"].errors
    assert shopper.cart.checkout_details is None
    step1 = shopper_client.post(reverse("orders:checkout_delivery"),
                                {"delivery": "pickup", "phone": "8 701 234 56 78"},
                                HTTP_HX_REQUEST="true")
    assert step1.status_code == 200
    assert step1["HX-Push-Url"] == reverse("orders:checkout_review")
    page = step1.content.decode()
    # Only what htmx swaps in: the page's title and its <main>, not the header and footer.
    assert 'id="content"' in page and "+77012345678" in page and "<title>" in page
    assert "site-header" not in page and "site-footer" not in page
    # The header's language switch is told the new address (an out-of-band swap).
    assert ('<input type="hidden" name="next" id="lang-next" value="/orders/checkout/review/" '
            'hx-swap-oob="true">') in page
    key = step1.context["form"].initial["idempotency_key"]
    placed = shopper_client.post(reverse("orders:checkout_review"),
                                 {"payment": "wallet", "idempotency_key": key})
    order = Order.objects.get()
    assert placed["Location"] == reverse("orders:checkout_done", kwargs={"pk": order.pk})
    assert order.phone == "+77012345678" and order.delivery == "pickup"


def test_back_after_an_htmx_step_gets_the_whole_page(shopper_client, shopper):
    """htmx restores history (Back) with HX-Request too: that answer replaces the document's
    body, so it is the whole page, header and all."""
    milk = product_in_stock("5")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    restore = shopper_client.get(reverse("orders:checkout_delivery"), HTTP_HX_REQUEST="true",
                                 HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "site-header" in restore.content.decode()
    assert "HX-Request" in restore["Vary"]
    swap = shopper_client.get(reverse("orders:checkout_delivery"), HTTP_HX_REQUEST="true")
    assert "site-header" not in swap.content.decode()


def test_delivery_details_are_offered_next_time_but_the_note_is_for_one_order(shopper_client, shopper):
    milk = product_in_stock("5")
    fund(shopper, "5000")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    checkout(shopper_client, delivery={"delivery": "delivery", "address": "Абай 10, 5",
                                       "phone": "8 701 555 44 33", "note": "Домофон 5"})
    assert Order.objects.get().address == "Абай 10, 5"
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    again = shopper_client.get(reverse("orders:checkout_delivery"))
    # The note was for the first order (it is kept on it); it does not carry over.
    assert Order.objects.get().note == "Домофон 5"
    assert again.context["form"].initial == {"delivery": "delivery", "address": "Абай 10, 5",
                                             "phone": "+77015554433", "note": ""}
    page = again.content.decode()
    assert "Домофон 5" not in page and "Абай 10, 5" in page


def test_delivery_needs_an_address_and_a_kazakh_phone(shopper_client, shopper):
    milk = product_in_stock("5")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    response = shopper_client.post(reverse("orders:checkout_delivery"),
                                   {"delivery": "delivery", "address": "", "phone": "12345"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "address" in errors and "phone" in errors


def test_double_submit_places_one_order(shopper_client, shopper):
    milk = product_in_stock("5")
    fund(shopper)
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    _s1, review, first = checkout(shopper_client)
    key = review.context["form"].initial["idempotency_key"]
    shopper_client.post(reverse("orders:checkout_delivery"),
                        {"delivery": "pickup", "phone": "+77012345678"})
    again = shopper_client.post(reverse("orders:checkout_review"),
                                {"payment": "wallet", "idempotency_key": key})
    assert first["Location"] == again["Location"]
    assert Order.objects.count() == 1


def test_replay_after_the_delivery_changed_still_answers_with_the_order(shopper_client,
                                                                       shopper):
    """Cash fits pickup only: a replayed cash submit, after the shopper switched to delivery in
    another tab, is invalid as a new order but is the order already placed."""
    milk = product_in_stock("5")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    _s1, review, first = checkout(shopper_client, payment="cash")
    order = Order.objects.get()
    assert order.payment == "cash"
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    shopper_client.post(reverse("orders:checkout_delivery"), {
        "delivery": "delivery", "address": "Абай 1", "phone": "+77012345678"})
    again = shopper_client.post(reverse("orders:checkout_review"), {
        "payment": "cash", "idempotency_key": review.context["form"].initial["idempotency_key"]})
    assert again["Location"] == first["Location"]
    assert Order.objects.count() == 1


def test_a_broken_form_key_gets_a_fresh_form_and_a_message(shopper_client, shopper):
    """The idempotency key is hidden: a tampered or truncated one cannot be fixed on the page,
    so the shopper gets a fresh review step saying why, and nothing is placed."""
    milk = product_in_stock("5")
    fund(shopper)
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    shopper_client.post(reverse("orders:checkout_delivery"),
                        {"delivery": "pickup", "phone": "+77012345678"})
    for key in ("", "not-a-key", "\x00" * 40, "9" * 5000):
        response = shopper_client.post(reverse("orders:checkout_review"),
                                       {"payment": "wallet", "idempotency_key": key},
                                       follow=True)
        assert response.redirect_chain == [(reverse("orders:checkout_review"), 302)]
        assert "Бұл рәсімдеу формасының мерзімі өтті" in response.content.decode()
        assert response.context["form"].initial["idempotency_key"]
    # The total the page showed is hidden too.
    for total in ("abc", "1e30", "NaN"):
        response = shopper_client.post(reverse("orders:checkout_review"), {
            "payment": "wallet", "idempotency_key": str(uuid.uuid4()), "expected_total": total},
            follow=True)
        assert response.redirect_chain == [(reverse("orders:checkout_review"), 302)]
        assert "Бұл рәсімдеу формасының мерзімі өтті" in response.content.decode()
    assert not Order.objects.exists()


def test_short_wallet_shows_topup_link_and_error(shopper_client, shopper):
    milk = product_in_stock("5", price=Decimal("400"))
    fund(shopper, "100")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    _s1, review, step2 = checkout(shopper_client)
    assert reverse("accounts:wallet_topup") in review.content.decode()
    assert step2.status_code == 200 and not Order.objects.exists()
    assert step2.context["form"].non_field_errors()


def test_stock_gone_between_cart_and_checkout_lists_the_shortfall(shopper_client, shopper,
                                                                   other_shopper):
    milk = product_in_stock("3", name="Milk 3.2% 1 L")
    fund(shopper), fund(other_shopper)
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "3"})
    place(other_shopper, fill_cart(other_shopper, (milk, "2")))
    _s1, _review, step2 = checkout(shopper_client)
    assert step2.status_code == 200
    assert "Milk 3.2% 1 L" in str(step2.context["form"].non_field_errors())
    assert Order.objects.count() == 1


def test_a_price_changed_after_the_review_places_nothing_and_says_the_new_total(
        shopper_client, shopper):
    """The review page promised 1 222,65 ₸; the seller raised the price before Place: the
    shopper is not charged the new sum unseen, and the fresh page carries the new total."""
    import re

    from catalog.models import Product

    pears = product_in_stock("10", name="Pears", unit="kg", price=Decimal("990"))
    fund(shopper, "5000")
    shopper_client.post(reverse("orders:cart_add", args=[pears.pk]), {"quantity": "1,235"})
    shopper_client.post(reverse("orders:checkout_delivery"),
                        {"delivery": "pickup", "phone": "8 701 234 56 78", "note": ""})
    page = shopper_client.get(reverse("orders:checkout_review")).content.decode()
    shown = re.search(r'name="expected_total" value="([0-9.]+)"', page).group(1)
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page).group(1)
    assert shown == "1222.65"
    Product.objects.filter(pk=pears.pk).update(price=Decimal("1290"))
    refused = shopper_client.post(reverse("orders:checkout_review"), {
        "payment": "wallet", "idempotency_key": key, "expected_total": shown},
        HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and not Order.objects.exists()
    assert wallet_for(shopper).balance == Decimal("5000")
    assert "now comes to ₸1,593.15, not ₸1,222.65" in refused.content.decode()
    again = re.search(r'name="expected_total" value="([0-9.]+)"', refused.content.decode())
    assert again.group(1) == "1593.15"
    placed = shopper_client.post(reverse("orders:checkout_review"), {
        "payment": "wallet", "idempotency_key": key, "expected_total": again.group(1)})
    assert placed.status_code == 302 and Order.objects.get().total == Decimal("1593.15")


def test_a_second_tab_placing_the_same_cart_is_shown_the_order_it_placed(shopper_client,
                                                                         shopper):
    milk = product_in_stock("5")
    fund(shopper, "5000")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    _s1, review, placed = checkout(shopper_client)
    order = Order.objects.get()
    # The other tab's form has its own key; the cart it shows is gone.
    other = shopper_client.post(reverse("orders:checkout_review"), {
        "payment": "wallet", "idempotency_key": str(uuid.uuid4())}, HTTP_ACCEPT_LANGUAGE="en")
    assert other["Location"] == reverse("orders:checkout_done", kwargs={"pk": order.pk})
    page = shopper_client.get(other["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Order {order.number} is already placed" in page
    assert Order.objects.count() == 1


def test_checkout_post_is_rate_limited(shopper_client, shopper, settings):
    settings.RATELIMIT_CHECKOUT = "2/m"
    milk = product_in_stock("5")
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    shopper_client.post(reverse("orders:checkout_delivery"),
                        {"delivery": "pickup", "phone": "+77012345678"})
    codes = [shopper_client.post(reverse("orders:checkout_review"),
                                 {"payment": "bogus", "idempotency_key": str(uuid.uuid4())}
                                 ).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_shopper_cancels_own_new_order_and_gets_everything_back(shopper_client, shopper):
    milk = product_in_stock("5", price=Decimal("100"))
    fund(shopper, "500")
    order = place(shopper, fill_cart(shopper, (milk, "2")))
    page = shopper_client.get(reverse("orders:order_detail", args=[order.pk]))
    assert reverse("orders:order_cancel", args=[order.pk]) in page.content.decode()
    # Without JavaScript the button asks on a page first; nothing changes until the yes.
    asked = shopper_client.post(reverse("orders:order_cancel", args=[order.pk]))
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in asked.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW and wallet_for(shopper).balance == Decimal("300")
    shopper_client.post(reverse("orders:order_cancel", args=[order.pk]), {"confirmed": "1"})
    order.refresh_from_db(), milk.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert milk.quantity == Decimal("5") and wallet_for(shopper).balance == Decimal("500")
    page = shopper_client.get(reverse("orders:order_detail", args=[order.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "refunded to the wallet" in page


def test_a_cancelled_cash_order_says_nothing_was_charged(shopper_client, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    shopper_client.post(reverse("orders:order_cancel", args=[order.pk]), {"confirmed": "1"})
    page = shopper_client.get(reverse("orders:order_detail", args=[order.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not charged" in page and "refunded" not in page
    # Nor does the message after cancelling promise a refund.
    order2 = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    page = shopper_client.post(reverse("orders:order_cancel", args=[order2.pk]),
                               {"confirmed": "1"}, HTTP_ACCEPT_LANGUAGE="en",
                               follow=True).content.decode()
    assert f"Order {order2.number} is cancelled. The stock is back on the shelf." in page
    assert "wallet" not in page.split('class="messages"')[1].split("</ul>")[0]


def test_cancel_is_post_only(shopper_client, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    assert shopper_client.get(reverse("orders:order_cancel", args=[order.pk])).status_code == 405
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW


def test_shopper_cannot_change_status(shopper_client, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    response = shopper_client.post(reverse("orders:manage_status", args=[order.pk]),
                                   {"status": "confirmed"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW


def test_admin_moves_status_and_history_shows_it(admin_client, admin_user, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    admin_client.post(reverse("orders:manage_status", args=[order.pk]), {"status": "ready"})
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW  # not an allowed transition
    admin_client.post(reverse("orders:manage_status", args=[order.pk]), {"status": "confirmed"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    from accounts.audit import audit_for
    assert audit_for(order).filter(action="order.status").count() == 1


def test_invoice_link_only_when_the_url_exists(shopper_client, shopper):
    from django.urls import NoReverseMatch

    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    body = shopper_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    try:
        url = reverse("analytics:order_invoice", kwargs={"pk": order.pk})
    except NoReverseMatch:
        assert "Invoice" not in body and "PDF" not in body
    else:
        assert url in body


def test_seller_sees_only_lines_of_own_products(seller_client, seller, other_seller, shopper):
    mine = product_in_stock("5", name="Менің сүтім", seller=seller)
    theirs = product_in_stock("5", name="Бөгде нан", seller=other_seller)
    fund(shopper)
    place(shopper, fill_cart(shopper, (mine, "1"), (theirs, "2")))
    body = seller_client.get(reverse("orders:seller_lines")).content.decode()
    assert "Менің сүтім" in body and "Бөгде нан" not in body
    assert "+77011234567" not in body  # no shopper phone, no wallet


def _orders(shopper, count, product):
    for _ in range(count):
        place(shopper, fill_cart(shopper, (product, "1")), payment="cash")


@pytest.mark.parametrize("url_name,client_fixture", [
    ("orders:order_list", "shopper_client"),
    ("orders:manage_list", "admin_client"),
    ("orders:seller_lines", "seller_client"),
])
def test_list_pages_do_not_grow_queries_with_rows(request, url_name, client_fixture, shopper,
                                                  seller):
    client = request.getfixturevalue(client_fixture)
    product = product_in_stock("100", seller=seller)
    _orders(shopper, 1, product)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url_name)).status_code == 200
    _orders(shopper, 8, product)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(url_name))
    assert len(many) == len(few)


def test_manage_list_filters(admin_client, shopper, other_shopper):
    product = product_in_stock("10")
    first = place(shopper, fill_cart(shopper, (product, "1")), payment="cash")
    place(other_shopper, fill_cart(other_shopper, (product, "1")), payment="cash")
    from orders.services import order_cancel
    order_cancel(order=first, by=shopper)
    page = admin_client.get(reverse("orders:manage_list"), {"status": "cancelled"})
    assert [o.pk for o in page.context["page_obj"]] == [first.pk]
    page = admin_client.get(reverse("orders:manage_list"), {"shopper": "shopper_b"})
    assert page.context["page_obj"].paginator.count == 1
    page = admin_client.get(reverse("orders:manage_list"), {"date_from": "2000-01-01",
                                                            "date_to": "2000-01-02"})
    assert page.context["page_obj"].paginator.count == 0
    page = admin_client.get(reverse("orders:manage_list"), {"date_from": "not a date"})
    assert page.status_code == 200


@pytest.mark.parametrize("step", ["delivery", "review", "htmx delivery → review"])
def test_checkout_steps_do_not_grow_queries_with_cart_lines(shopper_client, shopper, step):
    fund(shopper, "100000")
    cart = fill_cart(shopper, (product_in_stock("50"), "1"))
    cart.delivery, cart.phone = "pickup", "+77012345678"
    cart.save()

    def ask():
        if step == "delivery":
            response = shopper_client.get(reverse("orders:checkout_delivery"))
        elif step == "review":
            response = shopper_client.get(reverse("orders:checkout_review"))
        else:
            response = shopper_client.post(reverse("orders:checkout_delivery"), {
                "delivery": "pickup", "phone": "+77012345678"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response

    ask()
    with CaptureQueriesContext(connection) as few:
        ask()
    for _ in range(8):
        CartLine.objects.create(cart=cart, product=product_in_stock("50"), quantity=1)
    with CaptureQueriesContext(connection) as many:
        page = ask().content.decode()
    if step != "delivery":  # the review table: quantity, price and sum of each of the 9 lines
        assert page.count('<td class="num" data-label=') == 27
    assert len(many) == len(few), (len(few), len(many))
