"""Write-offs (есептен шығару / списание): spoiled, expired, damaged or stolen goods taken off the
books, a reason per line, valued at the moving-average cost when posted."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from catalog.models import Product

from ..models import (
    OTHER_NEEDS_COMMENT, DocumentStatus, MovementKind, WriteOff, WriteOffLine, WriteOffReason,
)
from .documents import (
    LineAdded, audit_changes, check_quantity, check_scope, document_delete, lock_document,
    lock_draft,
)
from .ledger import StockChange, require_transaction, stock_apply, update_column


def writeoff_create(*, by, date, note: str = "") -> WriteOff:
    return WriteOff.objects.create(created_by=by, date=date, note=note.strip())


def _writeoff_line_input(by, product: Product, quantity, reason: str,
                         comment: str) -> tuple[Decimal, str]:
    """A write-off line's checks before any lock: the user's product, a quantity in its unit,
    a reason (and a comment for "other")."""
    check_scope(by, product)
    quantity = check_quantity(product, quantity)
    comment = comment.strip()
    _check_writeoff_reason(reason, comment)
    return quantity, comment


def _check_writeoff_reason(reason: str, comment: str) -> None:
    if reason not in WriteOffReason.values:
        raise ValidationError({"reason": _("Choose a reason.")}, code="reason_required")
    if reason == WriteOffReason.OTHER and not comment:
        raise ValidationError({"comment": str(OTHER_NEEDS_COMMENT)}, code="comment_required")


def writeoff_line_set(*, writeoff: WriteOff, by, product: Product, quantity: Decimal,
                      reason: str, comment: str = "") -> WriteOffLine:
    """Put a product on a draft write-off with a reason, or set the quantity of its line with
    that reason."""
    quantity, comment = _writeoff_line_input(by, product, quantity, reason, comment)
    with transaction.atomic():
        writeoff = lock_draft(WriteOff, writeoff)
        line, _created = WriteOffLine.objects.update_or_create(
            document=writeoff, product=product, reason=reason,
            defaults={"quantity": quantity, "comment": comment},
        )
        return line


def writeoff_line_add(*, writeoff: WriteOff, by, product: Product, quantity: Decimal,
                      reason: str, comment: str = "") -> LineAdded:
    """Add a product to a draft write-off (what the "Add line" form and a scanner do).

    A line is a product with one reason: the write-off report sums losses by reason, so 3
    spoiled and 2 damaged yoghurts stay two lines. Adding a product with a reason it already
    has on this write-off adds the quantity to that line (and its comment, if new). Posting
    writes one movement per line."""
    quantity, comment = _writeoff_line_input(by, product, quantity, reason, comment)
    with transaction.atomic():
        writeoff = lock_draft(WriteOff, writeoff)
        line = WriteOffLine.objects.filter(document=writeoff, product=product,
                                           reason=reason).first()
        if line is None:
            line = WriteOffLine.objects.create(document=writeoff, product=product,
                                               quantity=quantity, reason=reason,
                                               comment=comment)
            return LineAdded(line=line)
        line.quantity += quantity
        if comment and comment not in line.comment:
            joined = f"{line.comment}; {comment}" if line.comment else comment
            limit = WriteOffLine._meta.get_field("comment").max_length
            line.comment = joined if len(joined) <= limit else joined[:limit - 1] + "…"
        line.save(update_fields=["quantity", "comment"])
        return LineAdded(line=line, merged=True)


def writeoff_line_remove(*, writeoff: WriteOff, by, line_id: int) -> None:
    with transaction.atomic():
        writeoff = lock_draft(WriteOff, writeoff)
        writeoff.lines.filter(pk=line_id).delete()


def writeoff_delete(*, writeoff: WriteOff, by, request=None) -> None:
    """Throw away a draft write-off, audited (a posted one stays forever)."""
    document_delete(WriteOff, writeoff, by=by, action="writeoff.delete", request=request)


@transaction.atomic(durable=True)
def writeoff_post(*, writeoff: WriteOff, by, request=None) -> WriteOff:
    """Post a draft write-off: take its goods off the books. Refused, with every short product
    named and nothing written, if a line asks for more than is on hand. Posting twice posts
    once.
    The "Post" button's service: durable, never inside another transaction."""
    return writeoff_post_in_transaction(writeoff=writeoff, by=by, request=request)


def writeoff_post_in_transaction(*, writeoff: WriteOff, by, request=None) -> WriteOff:
    """writeoff_post inside the caller's transaction (the demo), which it
    fails whole on an error; its locks last until the caller commits."""
    require_transaction("writeoff_post_in_transaction")
    writeoff = lock_document(WriteOff, writeoff)
    if not writeoff.is_draft:
        return writeoff
    lines = list(writeoff.lines.order_by("pk"))
    if not lines:
        raise ValidationError(_("Add at least one line before posting."), code="empty")
    movements = stock_apply(
        changes=[
            StockChange(product_id=line.product_id, quantity=-line.quantity,
                        reason=f"{line.get_reason_display()}: {line.comment}".rstrip(": ")[:255])
            for line in lines
        ],
        kind=MovementKind.WRITE_OFF, by=by, reference=writeoff.reference,
    )
    # The cost of the loss is the moving-average cost now, read under the products' locks
    # (stock_apply holds them), kept on the line before it is tied to its movement.
    costs = dict(Product.objects.filter(pk__in={line.product_id for line in lines})
                 .values_list("pk", "cost_price"))
    for line, movement in zip(lines, movements):
        line.unit_cost = costs[line.product_id]
        line.movement = movement
    update_column(lines, "unit_cost")
    update_column(lines, "movement")
    writeoff.status = DocumentStatus.POSTED
    writeoff.posted_by, writeoff.posted_at = by, timezone.now()
    writeoff.save(update_fields=["status", "posted_by", "posted_at"])
    audit_record(actor=by, action="writeoff.post", obj=writeoff, request=request,
                 changes=audit_changes(writeoff, len(lines)))
    return writeoff


