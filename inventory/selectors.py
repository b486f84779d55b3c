"""Reads for the inventory pages: documents scoped to the user, lines, movements, low stock."""

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, Round

from bibarys.sqlite import Alphabetical
from catalog.models import Product
from catalog.selectors import NAME_FIELDS, shown_name

from .models import GoodsReceipt, StockMovement, Stocktake, WriteOff, value_at_cost

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def name_contains(q: str, prefix: str = "") -> Q:
    """Any of the product's names (kk, ru, en) contains q: a Russian reader finds by the name
    they see."""
    found = Q()
    for field in NAME_FIELDS:
        found |= Q(**{f"{prefix}{field}__icontains": q})
    return found


def receipts_for(user, *, status: str = "", q: str = ""):
    """Goods receipts the user may see, newest first, with line count and total at cost."""
    queryset = GoodsReceipt.objects.for_seller(user).select_related("created_by")
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(supplier__icontains=q) | Q(supplier_number__icontains=q))
    return queryset.annotate(
        line_count=Count("lines"),
        # Each line to the tiyn, as the receipt page and the receipts report show it.
        total=Coalesce(Sum(Round(ExpressionWrapper(F("lines__quantity") * F("lines__unit_cost"),
                                                   output_field=MONEY), 2, output_field=MONEY)),
                       ZERO, output_field=MONEY),
    ).order_by("-date", "-id")


def writeoffs_for(user, *, status: str = ""):
    queryset = WriteOff.objects.for_seller(user).select_related("created_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.annotate(
        line_count=Count("lines"),
        # Posted lines at the cost kept when posted; a draft's at today's cost price.
        total=Coalesce(Sum(ExpressionWrapper(
            F("lines__quantity") * Coalesce(F("lines__unit_cost"), F("lines__product__cost_price")),
            output_field=MONEY)), ZERO, output_field=MONEY),
    ).order_by("-date", "-id")


def stocktakes_for(user, *, status: str = ""):
    queryset = Stocktake.objects.for_seller(user).select_related("created_by", "category")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.annotate(
        line_count=Count("lines"),
        counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
    ).order_by("-created_at", "-id")


def document_lines(document):
    return document.lines.select_related("product", "product__category", "movement").order_by("pk")


def stocktake_lines(stocktake, *, show: str = "", q: str = ""):
    lines = stocktake.lines.select_related("product", "product__category").order_by(
        Alphabetical(shown_name("product__")), "pk")
    if show == "uncounted":
        lines = lines.filter(counted__isnull=True)
    elif show == "variance":
        lines = lines.filter(counted__isnull=False).exclude(
            counted=Coalesce(F("book_at_count"), F("expected")))
    if q:
        lines = lines.filter(name_contains(q, "product__") | Q(product__sku__iexact=q)
                             | Q(product__barcodes__code=q)).distinct()
    return lines


def stocktake_summary(stocktake) -> dict:
    """Counted / total lines and the value of the variance at cost.

    The value is the sum of each line's difference at cost rounded to the tiyn
    (StocktakeLine.variance_value), as the count sheet prints it line by line, so the sheet's
    lines add up to this total. It is summed here in Decimal over the lines with a difference
    (few, even in a big count): SQLite would multiply and round binary floats."""
    rows = stocktake.lines.aggregate(
        lines_total=Count("pk"),
        lines_counted=Count("pk", filter=Q(counted__isnull=False)),
    )
    rows["total"], rows["counted"] = rows.pop("lines_total"), rows.pop("lines_counted")
    rows["uncounted"] = rows["total"] - rows["counted"]
    differences = (stocktake.lines.filter(counted__isnull=False)
                   .exclude(counted=Coalesce(F("book_at_count"), F("expected")))
                   .values_list("counted", "book_at_count", "expected", "product__cost_price"))
    rows["variance_value"] = sum(
        (value_at_cost(counted - (book if book is not None else expected), cost)
         for counted, book, expected, cost in differences.iterator(chunk_size=2000)),
        start=ZERO)
    return rows


def product_movements(product, *, kind: str = "", date_from=None, date_to=None):
    """The ledger rows of one product, newest first, with who made them."""
    queryset = StockMovement.objects.filter(product=product).select_related(
        "created_by", "writeoff_line")
    if kind:
        queryset = queryset.filter(kind=kind)
    if date_from:
        queryset = queryset.filter(created_at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(created_at__date__lte=date_to)
    return queryset.order_by("-created_at", "-id")


def low_stock_queryset(user, *, q: str = ""):
    """Active products the user manages whose on-hand quantity is at or below the threshold,
    emptiest first."""
    queryset = (Product.objects.for_seller(user).active().low_stock()
                .select_related("category", "seller"))
    if q:
        queryset = queryset.filter(name_contains(q) | Q(sku__iexact=q))
    return queryset.order_by("quantity", Alphabetical(shown_name()), "pk")


def low_stock(user, limit: int = 10):
    """For the dashboards: the `limit` emptiest products of the user's scope."""
    return list(low_stock_queryset(user)[:limit])


def product_search(user, q: str, limit: int = 12):
    """Products the user may put on a document, by name, SKU or barcode (for the datalist)."""
    q = (q or "").strip()
    if not q:
        return []
    queryset = Product.objects.for_seller(user)
    return list(
        queryset.filter(name_contains(q) | Q(sku__istartswith=q) | Q(barcodes__code=q))
        .distinct().order_by(Alphabetical(shown_name()), "pk")[:limit]
    )


def products_for_export(user):
    """Every product the user manages, with its first barcode, in SKU order (one query)."""
    from django.db.models import OuterRef, Subquery

    from catalog.models import ProductBarcode

    first = ProductBarcode.objects.filter(product=OuterRef("pk")).order_by("pk").values("code")[:1]
    return (Product.objects.for_seller(user).select_related("category")
            .annotate(first_barcode=Subquery(first)).order_by("sku")
            .iterator(chunk_size=2000))
