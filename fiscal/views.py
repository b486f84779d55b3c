"""The one page action of the fiscal app: ask the cloud register for its X report of an open
shift (Kassa24's x-report operation). The cashier of the shift, or an admin; anyone else 404.
A POST with CSRF, its form key making a double click one request."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import till_required
from till.models import Shift

from .backends import is_enabled
from .services import x_report_request


@require_POST
@till_required
def x_report(request, shift_id: int):
    shifts = Shift.objects.all() if request.user.is_admin else Shift.objects.filter(
        cashier=request.user)
    shift = get_object_or_404(shifts.select_related("till"), pk=shift_id)
    if not is_enabled() or not shift.is_open:
        raise Http404
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        key = uuid.uuid4()
    x_report_request(shift=shift, key=key)
    messages.success(request, _("The X report is on its way to the fiscal register."))
    return redirect("till:shift_detail", shift.pk)
