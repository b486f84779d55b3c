"""Placeholder until the cart lands (the orders helper replaces this module)."""

from django.http import HttpResponse
from django.views.decorators.http import require_POST


def cart(request):
    return HttpResponse(status=501)


@require_POST
def cart_add(request, product_pk):
    return HttpResponse(status=501)
