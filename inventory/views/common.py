"""What the stock pages share: paging, a service's refusal as text or next to its field, the
note about a line just added, deleting a draft document."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

PER_PAGE = 25
LINES_PER_PAGE = 50


def page_of(request, queryset, per_page=PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Which field of a line form a service's refusal is about: the message goes next to it.
LINE_ERROR_FIELDS = {"quantity": "quantity", "unit_step": "quantity", "unit_cost": "unit_cost",
                     "not_your_product": "product"}


def line_error(form, error: ValidationError) -> None:
    """Put a service's refusal of a document line next to the field it is about (a fraction
    of a piece next to the quantity), or above the form when it is about the document."""
    if hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for item in error.error_list:
        field = LINE_ERROR_FIELDS.get(item.code)
        form.add_error(field if field in form.fields else None, item)


LINE_NOTICE_KEY = "inventory_line_notice"


def line_notice_keep(request, document, text: str) -> None:
    """Keep a note about the line just added for the next page of this document. It is shown
    next to the line form, where the page opens after "Add line" (#lines), not with the
    messages at the top of the page, which are then scrolled out of sight."""
    request.session[LINE_NOTICE_KEY] = {"doc": document.reference, "text": text}


def line_notice_pop(request, document) -> str:
    notice = request.session.get(LINE_NOTICE_KEY)
    if not isinstance(notice, dict) or notice.get("doc") != document.reference:
        return ""
    del request.session[LINE_NOTICE_KEY]
    return str(notice.get("text", ""))


def draft_delete(request, document, *, delete, detail: str, listing: str):
    """Delete a draft document: the button's "are you sure?" is a browser dialog that sends
    confirmed=1; without JavaScript this asks on a page (as cancelling an order does). A posted
    document is refused and stays."""
    if not document.is_draft:
        messages.error(request, _("%(doc)s is posted and cannot be deleted.") % {"doc": document})
        return redirect(detail, pk=document.pk)
    if not request.POST.get("confirmed"):
        return render(request, "inventory/document_delete_confirm.html", {
            "doc": document, "lines": document.lines.count(),
            "action": request.path, "back": reverse(detail, args=[document.pk])})
    try:
        delete(by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(detail, pk=document.pk)
    messages.success(request, _("%(doc)s is deleted.") % {"doc": document})
    return redirect(listing)
