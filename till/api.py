"""The till's JSON doors for the browser's offline piece (static/till/offline.js).

- `GET catalog/`: what the till needs to go on selling without the server (codes, PLUs, names in
  the page's language, prices, units), with an ETag drawn from that content itself: the browser
  asks with If-None-Match and gets 304 until something it holds changes. Stock is not in it
  (it moves with every sale; the server judges it when the sale arrives).
- `POST pay/`: one whole sale with its idempotency key, to `till_sell`. The browser queues the
  sale before it sends it and sends it again until it gets an answer, so a sale whose answer was
  lost is sent twice: the key makes the second one return the first sale.
- `POST draft/`: the sale the selling page built while it could not reach the server, handed
  back when it can: it becomes the session's draft and the page is drawn by the server again.
- `GET sw.js`: the service worker, served from /till/ so that its scope covers the till's pages.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import TILL_ROLES, till_required
from catalog.models import Product, ProductBarcode, translated_field
from orders.services import OrderItem, OrderProblems

from . import draft as drafts
from .forms import quantity_parse
from .models import Shift
from .selectors import open_shift_for
from .services import PaymentPart, till_sell

# A sale the browser sends is small; anything much larger is not a sale.
MAX_BODY = 256 * 1024
MAX_LINES = 500
# The service worker's cache name: change it when what the worker keeps changes shape.
SW_VERSION = "2"


def _error(status: int, *messages: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"errors": list(messages), "fields": fields or {}}, status=status)


def till_api(view):
    """A JSON door of the till: a visitor who is not signed in gets 401 and another role 403,
    as JSON (a redirect to the login page would read as a server that answers nonsense)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _error(401, _("Your session has ended. Sign in again to go on."))
        if request.user.role not in TILL_ROLES:
            return _error(403, _("You cannot use the till."))
        return view(request, *args, **kwargs)

    return wrapped


# The snapshot ----------------------------------------------------------------------------------


def _has_plu() -> bool:
    return any(field.name == "plu" for field in Product._meta.get_fields())


def catalog_snapshot(language: str | None = None) -> list[dict]:
    """Every active product as the till sells it, in two queries whatever the catalog's size."""
    name_field = translated_field("name", language)
    fields = ["id", "name", "price", "unit", "sku"] + (
        [name_field] if name_field != "name" else []) + (["plu"] if _has_plu() else [])
    codes: dict[int, list[str]] = {}
    for product_id, code in (ProductBarcode.objects.filter(product__is_active=True)
                             .order_by("product_id", "code").values_list("product_id", "code")):
        codes.setdefault(product_id, []).append(code)
    snapshot = []
    for row in Product.objects.active().order_by("id").values(*fields):
        item = {"id": row["id"], "name": row.get(name_field) or row["name"],
                "price": str(row["price"]), "unit": row["unit"], "sku": row["sku"],
                "barcodes": codes.get(row["id"], [])}
        if "plu" in row:
            item["plu"] = row["plu"]
        snapshot.append(item)
    return snapshot


@never_cache
@require_GET
@till_api
def catalog(request):
    """The till's copy of the catalog; 304 when the browser's copy is the current one."""
    language = get_language()
    products = catalog_snapshot(language)
    body = json.dumps(products, ensure_ascii=False, separators=(",", ":"))
    version = hashlib.sha256(f"{language}\n{body}".encode()).hexdigest()[:20]
    etag = f'"{version}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            f'{{"version":"{version}","language":"{language}","products":{body}}}',
            content_type="application/json")
    response["ETag"] = etag
    response["Vary"] = "Cookie, Accept-Language"
    return response


# Paying ----------------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None  # a float is never money or a quantity here
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _read_sale(request) -> dict:
    """The sale the browser sent, checked for shape; ValidationError names what is wrong."""
    if len(request.body) > MAX_BODY:
        raise ValidationError(_("This sale is too large to send."))
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ValidationError(_("The till sent something that is not a sale."))
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise ValidationError({"lines": _("The sale has no lines.")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("This sale is too large to send.")})
    items = []
    for line in lines:
        product = line.get("product") if isinstance(line, dict) else None
        quantity = _decimal(line.get("quantity")) if isinstance(line, dict) else None
        if not isinstance(product, int) or isinstance(product, bool) or quantity is None:
            raise ValidationError({"lines": _("A line of the sale is not a product and a "
                                              "quantity.")})
        items.append(OrderItem(product, quantity))
    payments = []
    for part in data.get("payments") or []:
        amount = _decimal(part.get("amount")) if isinstance(part, dict) else None
        if amount is None or not isinstance(part.get("method"), str):
            raise ValidationError({"payments": _("Choose how the customer pays.")})
        payments.append(PaymentPart(part["method"], amount))
    total = _decimal(data.get("total"))
    if total is None:
        raise ValidationError({"total": _("Enter an amount of money.")})
    tendered = data.get("tendered")
    if tendered not in (None, ""):
        tendered = _decimal(tendered)
        if tendered is None:
            raise ValidationError({"tendered": _("Enter an amount of money.")})
    return {"key": data.get("key"), "shift": data.get("shift"), "items": items,
            "payments": payments, "total": total, "tendered": tendered}


def _messages(error: ValidationError) -> tuple[list[str], dict]:
    if isinstance(error, OrderProblems):
        return list(error.problems), {}
    if hasattr(error, "error_dict"):
        fields = {name: [str(m) for m in ValidationError(errors).messages]
                  for name, errors in error.error_dict.items()}
        return [m for messages in fields.values() for m in messages], fields
    return [str(m) for m in error.messages], {}


@require_POST
@till_api
def pay(request):
    """Ring up one sale sent by the till page: 200 with the order, 400 with the messages (and
    nothing sold), 404 for a shift that is not this cashier's, 409 when the shift is closed."""
    try:
        sale = _read_sale(request)
    except ValidationError as error:
        messages, fields = _messages(error)
        return _error(400, *messages, fields=fields)
    shift_id = sale["shift"]
    shift = None
    if isinstance(shift_id, int) and not isinstance(shift_id, bool):
        shift = Shift.objects.filter(pk=shift_id, cashier=request.user).first()
    if shift is None:
        return _error(404, _("This shift is not yours, or it does not exist."))
    try:
        order = till_sell(shift=shift, by=request.user, items=sale["items"],
                          payments=sale["payments"], expected_total=sale["total"],
                          idempotency_key=sale["key"], tendered=sale["tendered"])
    except (ValueError, TypeError):  # the key is not a UUID
        return _error(400, _("This sale form has expired. Start the sale again."))
    except PermissionDenied:
        return _error(404, _("This shift is not yours, or it does not exist."))
    except ValidationError as error:
        messages, fields = _messages(error)
        return _error(409 if getattr(error, "code", None) == "shift_closed" else 400,
                      *messages, fields=fields)
    till_sale = getattr(order, "till_sale", None)
    if till_sale is None or till_sale.shift.cashier_id != request.user.pk:
        # Someone else's key: never hand their sale over.
        return _error(400, _("This sale form has expired. Start the sale again."))
    # The selling page's draft of this sale (kept in the session) is paid now.
    drafts.draft_clear_if(request, till_sale.shift, sale["key"])
    return JsonResponse({"order": order.pk, "number": order.number, "total": str(order.total),
                         "change": str(till_sale.change), "shift": till_sale.shift_id})


@require_POST
@till_api
def draft(request):
    """The selling page's local sale becomes the server's draft: 200, or 400 with the message
    (a product no longer sold, a quantity that does not fit its unit), the draft unchanged."""
    try:
        data = json.loads(request.body or b"null") if len(request.body) <= MAX_BODY else None
    except (ValueError, UnicodeDecodeError):
        data = None
    lines = data.get("lines") if isinstance(data, dict) else None
    if not isinstance(lines, list) or len(lines) > drafts.MAX_LINES:
        return _error(400, _("The till sent something that is not a sale."))
    shift_id = data.get("shift")
    shift = (Shift.objects.filter(pk=shift_id, cashier=request.user, closed_at__isnull=True)
             .first() if isinstance(shift_id, int) and not isinstance(shift_id, bool) else None)
    if shift is None:
        return _error(404, _("This shift is not yours, or it does not exist."))
    ids = [line.get("product") for line in lines if isinstance(line, dict)]
    units = dict(Product.objects.active().filter(
        pk__in=[pk for pk in ids if isinstance(pk, int) and not isinstance(pk, bool)])
        .values_list("pk", "unit"))
    read = []
    try:
        for line in lines:
            product = line.get("product") if isinstance(line, dict) else None
            if product not in units or isinstance(product, bool):
                raise ValidationError(_("A line of the sale is not a product and a quantity."))
            if not isinstance(line.get("quantity"), str):
                raise ValidationError(_("Enter a quantity, e.g. 2 or 0,5."))
            read.append((product, quantity_parse(line["quantity"], units[product])))
        uuid.UUID(str(data.get("key")))
    except ValidationError as error:
        return _error(400, *error.messages)
    except ValueError:
        return _error(400, _("This sale form has expired. Start the sale again."))
    drafts.draft_replace(request, shift, data["key"], read)
    return JsonResponse({"key": str(data["key"]), "lines": len(read)})


@require_GET
def service_worker(request):
    """The till's service worker. Served from /till/ (not /static/) so that its scope is the
    till's pages; never cached by the browser's HTTP cache, so a new version is picked up."""
    response = HttpResponse(render_to_string("till/sw.js", {"version": SW_VERSION},
                                             request=request),
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/till/"
    return response


@till_required
def offline_page(request):
    """The till's own small page, served by the service worker when the server cannot be
    reached: the scan box, the lines, Pay, and the queue of sales waiting to be sent."""
    shift = open_shift_for(request.user)
    return render(request, "till/offline.html", {"shift": shift})
