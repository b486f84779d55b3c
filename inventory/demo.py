"""Demo stock: every product's quantity comes from the ledger, like a real store's books.

Runs after catalog.demo (products exist with zero stock). Over the last ~60 days:
- goods receipts from the store's suppliers for every product (a second delivery at a slightly
  different cost for some, so the moving-average cost shows), posted through the ledger (each
  demo step runs in seed_demo's transaction: the documents' *_post_in_transaction);
- a few write-offs (spoiled, expired, damaged), one of which empties some shelves;
- one posted stocktake of a category with small variances.
Stock is left realistic: most shelves full, some deliberately low (at or below the threshold),
a few at zero. Safe to run twice: nothing happens when the store already has receipts.

For big catalogs (`seed_demo --products 100000`) lines are written with bulk_create and each
receipt of up to 1000 lines is posted once (the ledger writes with bulk statements), so the
whole history takes a minute or two.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from catalog.models import Product

from . import services
from .models import (
    GoodsReceipt, ReceiptLine, StockMovement, Stocktake, StocktakeLine, WriteOff, WriteOffReason,
)

SUPPLIERS = [
    "ТОО «Food Master»",
    "ТОО «Алматы Сүт»",
    "ТОО «Рахат»",
    "ИП Ахметов Б. К.",
    "ТОО «Шин-Лайн»",
    "ИП Серікбаева А. Т.",
    "ТОО «Raimbek Group»",
    "ТОО «Өскемен Ет Өнімдері»",
    "ТОО «Кублей»",
    "ИП Ким В. С.",
]

BULK_FROM = 1000     # more products than this: the bulk path
SMALL_BATCH = 25     # lines per receipt for a normal demo (a real delivery note)
BULK_BATCH = 1000    # lines per receipt for a benchmark catalog
CENT = Decimal("0.01")


def _quantity(rng, unit: str, low: bool) -> Decimal:
    """A delivered quantity in the product's unit: whole pieces, grams for kg, 0.5 l steps."""
    if unit == "pcs":
        return Decimal(rng.randint(1, 4) if low else rng.randint(12, 120))
    if unit == "kg":
        grams = rng.randint(500, 4000) if low else rng.randint(8000, 60000)
        return (Decimal(grams) / 1000).quantize(Decimal("0.001"))
    return Decimal(rng.randint(1, 6) if low else rng.randint(12, 96)) / 2


def _cost(rng, price: Decimal) -> Decimal:
    share = Decimal(rng.randint(58, 80)) / 100
    return max(CENT, (price * share).quantize(CENT, rounding=ROUND_HALF_UP))


def _moment(day: datetime.date, rng, hour_from=9, hour_to=18) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(hour_from, hour_to),
                                                         rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _backdate(document, moment, *, model) -> None:
    """Give a posted document and its movements the time it happened (history reads right).
    Only timestamps change: the quantities were written by the services."""
    model.objects.filter(pk=document.pk).update(created_at=moment, posted_at=moment)
    StockMovement.objects.filter(reference=document.reference).update(created_at=moment)


def seed(context):
    out = context.stdout
    if GoodsReceipt.objects.exists():
        out.write("Stock: receipts already exist, skipped.")
        return
    has_movements = Exists(StockMovement.objects.filter(product=OuterRef("pk")))
    products = list(Product.objects.filter(quantity=0).exclude(has_movements)
                    .order_by("pk").only("pk", "name", "unit", "price", "seller_id",
                                         "category_id", "quantity", "cost_price",
                                         "low_stock_threshold"))
    if not products:
        out.write("Stock: no products to stock yet.")
        return
    rng = context.rng
    big = len(products) > BULK_FROM
    users = {u.pk: u for u in User.objects.filter(pk__in={p.seller_id for p in products})}
    today = timezone.localdate()

    # Which shelves end up low and which empty: a few of each, decided up front.
    count = len(products)
    low_ids = {p.pk for p in rng.sample(products, max(1, count // 12))}
    others = [p for p in products if p.pk not in low_ids]
    empty_ids = {p.pk for p in rng.sample(others, min(max(1, count // 40), 40, len(others)))}

    receipts = _seed_deliveries(context, products=products, users=users, low_ids=low_ids,
                                empty_ids=empty_ids, big=big, today=today)
    writeoffs = _seed_writeoffs(context, products=products, users=users, low_ids=low_ids,
                                empty_ids=empty_ids, today=today)
    # 3. One finished stocktake: a seller counts one category and finds small differences.
    counted = _post_stocktake(context, products=products, users=users, low_ids=low_ids,
                              empty_ids=empty_ids, day=today - datetime.timedelta(days=2))
    out.write(f"Stock: {receipts} goods receipts, {writeoffs} write-offs, one stocktake "
              f"({counted} lines counted) for {count} products.")


def _seed_deliveries(context, *, products, users, low_ids, empty_ids, big, today) -> int:
    """Goods receipts for every product, and a second delivery for some. Returns how many."""
    # 1. Deliveries: per seller and category, a supplier each, in batches of lines.
    groups = defaultdict(list)
    for product in products:
        groups[(product.seller_id, product.category_id)].append(product)
    category_supplier = {}
    batch = BULK_BATCH if big else SMALL_BATCH
    receipts = 0
    rng = context.rng
    count = len(products)
    for (seller_id, category_id), items in sorted(groups.items()):
        supplier = category_supplier.setdefault(category_id, rng.choice(SUPPLIERS))
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            # A big catalog (the benchmark's) gets its first goods before the order history
            # seed_demo writes next (90 days), so every day of it can sell every product.
            day = today - datetime.timedelta(days=rng.randint(92, 120) if big
                                             else rng.randint(20, 60))
            _post_receipt(context, by=users[seller_id], supplier=supplier, day=day,
                          lines=[(p, _quantity(rng, p.unit, p.pk in low_ids),
                                  _cost(rng, p.price)) for p in chunk], bulk=big)
            receipts += 1

    # A second delivery for some full shelves, at a slightly different cost (moving average).
    again = [p for p in products if p.pk not in low_ids and p.pk not in empty_ids]
    again = rng.sample(again, min(len(again), max(1, count // 5), 5000))
    by_seller = defaultdict(list)
    for product in again:
        by_seller[product.seller_id].append(product)
    for seller_id, items in sorted(by_seller.items()):
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            day = today - datetime.timedelta(days=rng.randint(8, 19))
            _post_receipt(context, by=users[seller_id], supplier=rng.choice(SUPPLIERS), day=day,
                          lines=[(p, _quantity(rng, p.unit, False), _cost(rng, p.price))
                                 for p in chunk], bulk=big)
            receipts += 1
    return receipts


def _seed_writeoffs(context, *, products, users, low_ids, empty_ids, today) -> int:
    """Write-offs of what spoiled or expired, emptying some shelves. Returns how many."""
    # 2. Write-offs: what spoiled or expired, and the shelves that went empty.
    writeoffs = 0
    rng = context.rng
    count = len(products)
    stocked = {}
    for start in range(0, count, services.BULK_CHUNK):
        chunk = [p.pk for p in products[start:start + services.BULK_CHUNK]]
        stocked.update((p.pk, p) for p in Product.objects.filter(pk__in=chunk).only(
            "pk", "quantity", "unit", "seller_id", "name"))
    empty_by_seller = defaultdict(list)
    for pk in sorted(empty_ids):
        empty_by_seller[stocked[pk].seller_id].append(stocked[pk])
    for seller_id, items in sorted(empty_by_seller.items()):
        day = today - datetime.timedelta(days=rng.randint(3, 7))
        _post_writeoff(context, by=users[seller_id], day=day, note="Мерзімі өтті / срок годности",
                       lines=[(p, p.quantity, WriteOffReason.EXPIRED) for p in items])
        writeoffs += 1
    candidates = [p for p in stocked.values() if p.pk not in empty_ids and p.pk not in low_ids]
    for _number in range(min(4, len(candidates) // 3)):
        picks = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
        seller_id = picks[0].seller_id
        picks = [p for p in picks if p.seller_id == seller_id]
        lines = []
        for product in picks:
            share = Decimal(rng.randint(3, 15)) / 100
            quantity = (product.quantity * share).quantize(
                Decimal("1") if product.unit == "pcs" else Decimal("0.001"))
            if quantity > 0:
                lines.append((product, quantity, rng.choice(
                    [WriteOffReason.SPOILED, WriteOffReason.EXPIRED, WriteOffReason.DAMAGED])))
        if lines:
            day = today - datetime.timedelta(days=rng.randint(3, 7))
            _post_writeoff(context, by=users[seller_id], day=day, note="", lines=lines)
            writeoffs += 1
            for product, quantity, _reason in lines:
                product.quantity -= quantity
    return writeoffs


def _post_receipt(context, *, by, supplier, day, lines, bulk):
    rng = context.rng
    receipt = services.receipt_create(
        by=by, supplier=supplier, date=day,
        supplier_number=f"{rng.choice(['ТН', 'ЭСФ', 'Накл.'])}-{rng.randint(1000, 99999)}")
    if bulk:
        ReceiptLine.objects.bulk_create(
            [ReceiptLine(document=receipt, product_id=p.pk, quantity=q, unit_cost=c)
             for p, q, c in lines], batch_size=services.BULK_CHUNK)
    else:
        for product, quantity, cost in lines:
            services.receipt_line_set(receipt=receipt, by=by, product=product, quantity=quantity,
                                      unit_cost=cost)
    services.receipt_post_in_transaction(receipt=receipt, by=by)
    _backdate(receipt, _moment(day, rng), model=GoodsReceipt)


def _post_writeoff(context, *, by, day, note, lines):
    writeoff = services.writeoff_create(by=by, date=day, note=note)
    for product, quantity, reason in lines:
        services.writeoff_line_set(writeoff=writeoff, by=by, product=product, quantity=quantity,
                                   reason=reason)
    services.writeoff_post_in_transaction(writeoff=writeoff, by=by)
    _backdate(writeoff, _moment(day, context.rng), model=WriteOff)


def _post_stocktake(context, *, products, users, low_ids, empty_ids, day) -> int:
    """A category of one seller, counted in full (at most 60 lines), a few lines off by a
    little. Returns the number of lines counted."""
    rng = context.rng
    sizes = defaultdict(int)
    for product in products:
        if product.pk not in empty_ids:
            sizes[(product.seller_id, product.category_id)] += 1
    fitting = sorted(key for key, size in sizes.items() if 3 <= size <= 60) or sorted(sizes)
    if not fitting:
        return 0
    seller_id, category_id = rng.choice(fitting)
    by = users[seller_id]
    from catalog.models import Category

    stocktake = services.stocktake_start(by=by, category=Category.objects.get(pk=category_id),
                                         note="Ай соңындағы түгендеу / инвентаризация")
    lines = list(stocktake.lines.select_related("product").order_by("pk")[:60])
    for line in lines:
        counted = line.expected
        if line.product_id not in low_ids and rng.random() < 0.25 and line.expected > 2:
            if line.product.unit == "pcs":
                counted += rng.choice([-2, -1, -1, 1])
            else:
                counted += Decimal(rng.randint(-300, 150)) / 1000
            counted = max(Decimal("0"), counted)
        services.stocktake_count(stocktake=stocktake, by=by, line=line, counted=counted)
    services.stocktake_post_in_transaction(stocktake=stocktake, by=by)
    moment = _moment(day, rng)
    StocktakeLine.objects.filter(document=stocktake).update(counted_at=moment)
    _backdate(stocktake, moment, model=Stocktake)
    return len(lines)

