"""What the stock documents (goods receipts, write-offs, stocktakes) share: who may put a
product on one, a quantity in the product's unit, a draft's lock, a draft's deletion.

Each posting locks its document row first (so a double-clicked or replayed "Post" posts once),
then the products, in the same transaction as the movements and the audit entry."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.units import quantity_fits_unit, unit_step_message
from catalog.models import Product

from ..models import DocumentStatus, ReceiptLine, WriteOffLine


def check_scope(by, product: Product) -> None:
    """A seller puts only their own products on a document; an admin anyone's."""
    if not getattr(by, "is_admin", False) and product.seller_id != by.pk:
        raise ValidationError(_("You can only add your own products."), code="not_your_product")


def check_quantity(product: Product, quantity: Decimal, *, allow_zero: bool = False) -> Decimal:
    quantity = Decimal(quantity)
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationError(_("Enter a quantity greater than zero."), code="quantity")
    if not quantity_fits_unit(quantity, product.unit):
        raise ValidationError(unit_step_message(product.display_name, product.unit),
                              code="unit_step")
    return quantity


def require_draft(document) -> None:
    if not document.is_draft:
        raise ValidationError(
            _("%(doc)s is already posted and cannot be changed.") % {"doc": document},
            code="posted",
        )


def document_delete(model, document, *, by, action: str, request=None) -> None:
    """Throw away a draft document, with an audit entry written before the row goes (it names
    the document and what it held). A posted document stays forever: refused, nothing
    deleted. The caller has checked that `by` may post it (the views' seller scoping)."""
    with transaction.atomic():
        document = lock_document(model, document)
        if not document.is_draft:
            raise ValidationError(
                _("%(doc)s is posted and cannot be deleted.") % {"doc": document},
                code="posted",
            )
        changes = {"lines": document.lines.count()}
        if document.note:
            changes["note"] = document.note
        audit_record(actor=by, action=action, obj=document, request=request, changes=changes)
        document.delete()


def lock_document(model, document):
    return model.objects.select_for_update().get(pk=document.pk)


def lock_draft(model, document):
    """The document, locked, refused unless it is still a draft."""
    document = lock_document(model, document)
    require_draft(document)
    return document


def audit_changes(document, lines_count: int, extra: dict | None = None) -> dict:
    changes = {"status": [DocumentStatus.DRAFT.value, document.status], "lines": lines_count}
    changes.update(extra or {})
    return changes


@dataclass(frozen=True)
class LineAdded:
    """What adding a product to a draft document did."""

    line: ReceiptLine | WriteOffLine
    merged: bool = False  # the product (with that reason) was already there: quantity added
    averaged: bool = False  # a receipt line's unit cost became the average of two batches
