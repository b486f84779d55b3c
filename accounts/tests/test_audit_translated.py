"""The audit log is read in the reader's language: field names by their model field's
verbose_name, choices by their labels, the kind of object by the model's verbose_name ("a
product № 4 — Айран", not `catalog.product #4`), in kk, ru and en (issue 16)."""

import ast
import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.templatetags.audit_tags import ACTION_LABELS, FIELD_LABELS
from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, ProductFactory, ReviewFactory
from catalog.tests.factories import purchase

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FILE = "баға.xlsx"  # a file name is the seller's, not a word of the page
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")
APPS = ("accounts", "catalog", "inventory", "orders", "analytics", "bibarys")


class _Text(HTMLParser):
    """The visible text of the audit entries (not attributes: an option's value may be a code)."""

    def __init__(self):
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth or (tag == "ol" and ("class", "audit-entries") in attrs):
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def _entries_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def log(admin_user, seller, shopper):
    """An entry of each kind the store records, shaped as its service records it, about
    objects whose names are Kazakh (so that any Latin word left on a kk/ru page is English)."""
    from inventory.services import receipt_create, stocktake_start, writeoff_create

    for user, (login, first, last) in ((admin_user, ("айгүл", "Айгүл", "Сейітова")),
                                       (seller, ("ерлан", "Ерлан", "Нұрланов")),
                                       (shopper, ("дана", "Дана", "Әбенова"))):
        user.username, user.first_name, user.last_name = login, first, last
        user.save()
    dairy = CategoryFactory(name="Сүт өнімдері")
    product = ProductFactory(name="Айран", seller=seller, category=dairy, unit="kg")
    review = ReviewFactory(product=product, user=shopper)
    order = purchase(shopper, product)
    today = datetime.date(2026, 11, 10)
    receipt = receipt_create(by=seller, supplier="Береке ЖШС", date=today)
    writeoff = writeoff_create(by=seller, date=today)
    stocktake = stocktake_start(by=seller)
    a, s = admin_user, seller
    entries = [
        (a, "user.role_change", shopper, {"role": ["shopper", "seller"]}),
        (a, "user.block", shopper, {"is_active": [True, False], "block_reason": ["", "спам"]}),
        (a, "user.unblock", shopper, {"is_active": [False, True], "block_reason": ["спам", ""],
                                      "reason": "қате"}),
        (a, "user.anonymise", shopper, {"erased": "first_name, last_name, email, phone, address",
                                        "closed_at": [None, "2026-11-10T09:30:00+00:00"]}),
        (a, "user.delete", shopper, {"username": ["дана", None]}),
        (a, "wallet.credit", shopper, {"balance": ["100.00", "1600.00"], "amount": "1500.00",
                                       "reason": "сыйлық"}),
        (s, "product.create", product, {"price": [None, "450.00"], "cost_price": [None, "300"]}),
        (s, "product.update", product, {"unit": ["pcs", "kg"], "low_stock_threshold": ["5", "2.5"],
                                        "is_active": [True, False], "category_id": [1, 2],
                                        "barcodes": ["", "4870000000017"],
                                        "description": ["", "Дәмді"], "sku": ["4870-1", "4870-2"]}),
        (a, "product.price_change", product, {"price": ["450.00", "495.00"], "percent": "10"}),
        (s, "product.photo_add", product, {"photos": [0, 1]}),
        (s, "product.delete", product, {"sku": ["4870-2", None], "name": ["Айран", None]}),
        (a, "category.update", dairy, {"name": ["Сүт", "Сүт өнімдері"], "parent": [None, "Азық"],
                                       "position": [0, 3]}),
        (a, "review.hide", review, {"is_hidden": [False, True]}),
        (s, "stock.correct", product, {"quantity": ["2.000", "1.500"], "reason": "сынған"}),
        (a, "order.cancel", order, {"status": ["confirmed", "cancelled"], "refund": "450.00",
                                    "reason": "келмеді"}),
        (a, "order.status", order, {"status": ["new", "confirmed"]}),
        (s, "receipt.post", receipt, {"status": ["draft", "posted"], "lines": 2,
                                      "cost_price": {"Айран": ["300.00", "310.50"]}}),
        (s, "receipt.reverse", receipt, {"status": ["posted", "reversed"], "reason": "қате",
                                         "lines": 2}),
        (s, "writeoff.post", writeoff, {"status": ["draft", "posted"], "lines": 1}),
        (s, "stocktake.post", stocktake, {"status": ["draft", "posted"], "lines": 3,
                                          "adjusted": 1}),
        (s, "products.import", seller, {"file": FILE, "created": 2, "updated": 1,
                                        "received_lines": 1, "adjusted_lines": 0,
                                        "set_quantities": False, "categories": ["Тәттілер"],
                                        "price": {"Айран": ["450.00", "460.00"]}}),
        (s, "products.export", seller, {"format": "xlsx", "rows": 12}),
        (a, "report.download", admin_user, {"report": "sales", "format": "pdf",
                                            "from": "2026-11-01", "to": "2026-11-10",
                                            "scope": "store"}),
        (s, "report.download", seller, {"report": "stock", "format": "xlsx",
                                        "from": "2026-11-01", "to": "2026-11-10",
                                        "scope": "own products"}),
        (shopper, "report.download", order, {"report": "invoice", "format": "pdf"}),
    ]
    for actor, action, obj, changes in entries:
        audit_record(actor=actor, action=action, obj=obj, changes=changes, ip="10.0.0.1")
    return entries


def _page(client, lang):
    response = client.get(reverse("accounts:audit_log"), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


# Codes as recorded, which the page must show as words: a choice changed ("draft → posted"
# must read "Draft → Posted"), a report's name and format; the field names with an underscore
# are caught by "_".
PAIR_CODES = {"new", "draft", "posted", "reversed", "confirmed", "cancelled", "shopper",
              "seller", "pcs", "kg"}
WORD_CODES = {"xlsx", "pdf", "sales", "stock", "invoice"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_audit_log_shows_no_codes_in_any_language(admin_client, log, lang):
    text = _entries_text(_page(admin_client, lang)).replace(FILE, "")
    assert text.count("10.0.0.1") == len(log)  # every entry is on the page
    assert not re.findall(r"\b(?:accounts|catalog|inventory|orders|analytics)\.[a-z]+", text)
    assert "#" not in text
    assert "_" not in text  # no raw field name (is_active, block_reason, category_id …)
    for code in PAIR_CODES:
        assert not re.search(rf"(?:→ {code}\b|\b{code} →)", text), code
    for code in WORD_CODES:
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), code


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_audit_log_in_kk_and_ru_has_no_english_left(admin_client, log, lang):
    text = _entries_text(_page(admin_client, lang)).replace(FILE, "")
    allowed = {"IP", "PDF", "Excel", "CSV"}
    english = sorted(set(re.findall(r"[A-Za-z][A-Za-z-]+", text)) - allowed)
    assert english == []


def test_the_audit_log_names_kinds_fields_and_choices(admin_client, log):
    text = _entries_text(_page(admin_client, "en"))
    product = AuditEntry.objects.filter(object_type="catalog.product").first()
    assert f"Product № {product.object_id} — Айран" in text
    assert "Goods receipt № " in text and "— Береке ЖШС" in text
    assert "Goods receipt №0" not in text  # the kind is said once, by the log
    assert "User № " in text and "Order № " in text and "Category № " in text
    assert "low-stock threshold" in text and "sale price" in text and "block reason" in text
    assert "Shopper → Seller" in text and "Draft → Posted" in text
    assert "₸1,500.00" in text  # money as money
    kk = _entries_text(_page(admin_client, "kk"))
    assert "1\xa0500,00\xa0₸" in kk or "1 500,00 ₸" in kk


def _audit_calls():
    """(action constants, changes key constants) of every audit_record call in the code."""
    actions, keys = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record":
                    for keyword in node.keywords:
                        for sub in ast.walk(keyword.value):
                            if keyword.arg == "action" and isinstance(sub, ast.Constant):
                                actions.add(sub.value)
                            if keyword.arg == "changes" and isinstance(sub, ast.Dict):
                                keys |= {k.value for k in sub.keys
                                         if isinstance(k, ast.Constant)}
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_audit_changes":
                    for sub in ast.walk(node):
                        if isinstance(sub, ast.Dict):
                            keys |= {k.value for k in sub.keys if isinstance(k, ast.Constant)}
                # Actions chosen before the call: `action = ("product.price_change" if ...`.
                if isinstance(node, ast.Assign) and any(
                        getattr(t, "id", "") == "action" for t in node.targets):
                    actions |= {sub.value for sub in ast.walk(node.value)
                                if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                                and ACTION.match(sub.value)}
    return actions, keys


def test_every_recorded_action_and_key_has_a_label():
    # The next audit_record added anywhere gets a readable label or this fails.
    actions, keys = _audit_calls()
    assert {"user.block", "receipt.post", "report.download"} <= actions
    assert actions - set(ACTION_LABELS) == set()
    fields = {name for model in apps.get_models() if model._meta.app_label in APPS
              for field in model._meta.concrete_fields for name in (field.name, field.attname)}
    assert {"refund", "percent", "photos"} <= keys
    assert keys - set(FIELD_LABELS) - fields == set()
