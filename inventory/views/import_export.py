"""Import and export of the product list: upload → preview (what will change, or every problem
of the file) → confirm; the list as CSV or XLSX."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from accounts.permissions import staff_required
from catalog.models import Product

from .. import importers, previews, selectors, services
from ..forms import ImportForm
from .common import error_text

IMPORT_SESSION_KEY = "inventory_import"
PREVIEW_LIMIT = 200  # rows shown per section of the preview; the rest are counted


def _import_forget(request):
    previews.preview_forget(user=request.user,
                            token=request.session.pop(IMPORT_SESSION_KEY, None))


def _import_preview(request, *, form, rows, filename: str, seller, set_quantities: bool,
                    rejected=(), file_errors=(), status=200):
    """Plan the import (a dry run) and render what it will change, or every problem of the
    file at once; a file without problems is kept for the confirm."""
    plan = services.products_import(rows=rows, rejected=rejected, by=request.user,
                                    seller=seller, filename=filename, dry_run=True,
                                    set_quantities=set_quantities)
    errors = importers.merge_errors(file_errors, plan.errors)
    _import_forget(request)
    if not errors:
        request.session[IMPORT_SESSION_KEY] = previews.preview_store(
            user=request.user, rows=rows, meta={
                "filename": filename, "seller": seller.pk, "set_quantities": set_quantities,
                "digest": plan.digest,
                "stock": {str(pk): str(quantity) for pk, quantity in plan.stock_seen.items()}})
    sections = {name: getattr(plan, name)[:PREVIEW_LIMIT]
                for name in ("new_products", "changes", "adjustments", "new_categories")}
    more = {name: len(getattr(plan, name)) - len(shown) for name, shown in sections.items()}
    context = {"form": form, "errors": errors[:importers.MAX_ERRORS_SHOWN],
               "error_count": len(errors), "plan": None if errors else plan,
               "filename": filename, "set_quantities": set_quantities, "seller": seller,
               "sections": sections, "more": more}
    return render(request, "inventory/import.html", context,
                  status=400 if errors else status)


@staff_required
def import_products(request):
    """Upload a CSV or XLSX product list → preview of what will change (or of every problem in
    the file) → confirm."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        seller = form.cleaned_data.get("seller") or request.user
        if upload.size > importers.MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB.")
                           % {"mb": importers.MAX_UPLOAD_BYTES // (1024 * 1024)})
            return render(request, "inventory/import.html", context, status=400)
        try:
            parsed = importers.parse_file(upload.read(), upload.name)
        except importers.ImportFileError as error:
            form.add_error("file", str(error))
            return render(request, "inventory/import.html", context, status=400)
        return _import_preview(request, form=form, rows=parsed.rows, filename=upload.name,
                               seller=seller,
                               set_quantities=form.cleaned_data["set_quantities"],
                               rejected=parsed.rejected, file_errors=parsed.errors)
    return render(request, "inventory/import.html", context,
                  status=400 if request.method == "POST" else 200)


@staff_required
@require_POST
def import_confirm(request):
    """Apply the previewed import, exactly as previewed: if stock or products moved since, it
    writes nothing and shows the new preview to confirm again."""
    from accounts.models import User

    stored = previews.preview_take(user=request.user,
                                   token=request.session.pop(IMPORT_SESSION_KEY, ""))
    if stored is None:
        messages.error(request, _("The upload has expired: please choose the file again."))
        return redirect("inventory:import")
    meta, rows = stored
    seller = get_object_or_404(User, pk=meta["seller"])
    if not request.user.is_admin and seller.pk != request.user.pk:
        raise Http404
    set_quantities = bool(meta.get("set_quantities"))
    try:
        result = services.products_import(
            rows=rows, by=request.user, seller=seller, filename=meta["filename"],
            set_quantities=set_quantities, expected_digest=meta.get("digest"),
            expected_stock=meta.get("stock"), request=request)
    except services.ImportOutdated as error:
        messages.error(request, " ".join(
            [*error.messages, _("Nothing was imported: check the new preview and confirm "
                                "again.")]))
        form = ImportForm(user=request.user, initial={"set_quantities": set_quantities,
                                                      "seller": seller.pk})
        return _import_preview(request, form=form, rows=rows, filename=meta["filename"],
                               seller=seller, set_quantities=set_quantities, status=409)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("inventory:import")
    if result.errors:
        messages.error(request, _("Nothing was imported: the products changed since the "
                                  "preview. Please upload the file again."))
        return redirect("inventory:import")
    messages.success(request, _(
        "Imported: %(created)s new products, %(updated)s updated, %(unchanged)s unchanged; "
        "%(received)s opening quantities received, %(adjusted)s quantities adjusted.") % {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "received": result.received_lines, "adjusted": result.adjusted_lines})
    return redirect("inventory:import")


@staff_required
def export_products(request):
    """The product list as CSV or XLSX (?format=csv|xlsx); without a format, the page."""
    fmt = request.GET.get("format", "")
    if fmt not in ("csv", "xlsx"):
        return render(request, "inventory/export.html", {
            "count": Product.objects.for_seller(request.user).count()})
    products = selectors.products_for_export(request.user)
    language = importers.export_language(get_language())
    rows = importers.export_rows(products, language)
    stamp = timezone.localdate().isoformat()
    audit_record(actor=request.user, action="products.export", obj=request.user,
                 changes={"format": fmt, "rows": len(rows) - 1}, request=request)
    if fmt == "csv":
        text = io.StringIO()
        importers.write_csv(rows, text, language)
        response = HttpResponse(text.getvalue().encode("utf-8"),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="products-{stamp}.csv"'
        return response
    buffer = io.BytesIO()
    importers.write_xlsx(rows, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"products-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")
