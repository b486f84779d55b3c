"""Categories: the admin's tree of the shop."""

from __future__ import annotations


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.audit import audit_record

from ..models import Category
from ._common import _changed, _unique_slug


def _check_admin(by) -> None:
    if not getattr(by, "is_admin", False):
        raise PermissionDenied


def _check_parent(category: Category | None, parent: Category | None) -> None:
    node = parent
    while node is not None:
        if category is not None and node.pk == category.pk:
            raise ValidationError({"parent": _("A category cannot be inside itself.")})
        node = node.parent


def _check_name(category: Category | None, name: str, parent: Category | None) -> None:
    """Two categories side by side may not share a name in any letter case ("Аудит А" and
    "аудит а"): a shopper could not tell them apart, and the product import matches by name.
    Compared in Python: SQLite lowers only ASCII letters."""
    siblings = Category.objects.filter(parent=parent).exclude(
        pk=getattr(category, "pk", None)).values_list("name", flat=True)
    if name.casefold() in {sibling.casefold() for sibling in siblings}:
        raise ValidationError({"name": _("There is already a category with this name here.")})


# Not durable: the product import (inventory) creates the categories its file names inside its
# own transaction.
@transaction.atomic
def category_create(*, by, name: str, parent: Category | None = None,
                    position: int = 0, vat_rate: str = "", request=None) -> Category:
    _check_admin(by)
    _check_parent(None, parent)
    _check_name(None, name.strip(), parent)
    category = Category.objects.create(
        name=name.strip(), parent=parent, position=position, vat_rate=vat_rate,
        slug=_unique_slug(Category, name, fallback="category", max_length=120))
    audit_record(actor=by, action="category.create", obj=category, request=request)
    _changed()
    return category


@transaction.atomic(durable=True)
def category_update(*, category: Category, by, name: str, parent: Category | None = None,
                    position: int = 0, vat_rate: str = "", request=None) -> Category:
    _check_admin(by)
    _check_parent(category, parent)
    _check_name(category, name.strip(), parent)
    changes = {}
    for field, value in (("name", name.strip()), ("parent", parent), ("position", position),
                         ("vat_rate", vat_rate)):
        if getattr(category, field) != value:
            changes[field] = [getattr(category, field), value]
            setattr(category, field, value)
    if changes:
        category.save()
        audit_record(actor=by, action="category.update", obj=category, changes=changes,
                     request=request)
        _changed()
    return category


@transaction.atomic(durable=True)
def category_delete(*, category: Category, by, request=None) -> None:
    """Only an empty category goes: one with products or sub-categories stays."""
    _check_admin(by)
    if category.products.exists():
        raise ValidationError(_("This category has products: move them first."), code="products")
    if category.children.exists():
        raise ValidationError(_("This category has sub-categories: move or delete them first."),
                              code="children")
    audit_record(actor=by, action="category.delete", obj=category, request=request)
    try:
        with transaction.atomic():
            category.delete()
    except ProtectedError:
        raise ValidationError(_("This category is still referenced and cannot be deleted."),
                              code="protected") from None
    _changed()
