"""One way to say "this view needs role X", and one way to fetch an object only its owner sees."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Role

STAFF_ROLES = (Role.SELLER, Role.ADMIN)
# The counter and the online orders' workflow: cashiers too (DOMAIN.md, Permissions).
TILL_ROLES = (Role.CASHIER, Role.SELLER, Role.ADMIN)


def role_required(*roles):
    """Anonymous visitors go to the login page; a signed-in user of another role gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


staff_required = role_required(*STAFF_ROLES)
admin_required = role_required(Role.ADMIN)
till_required = role_required(*TILL_ROLES)


def owned_or_404(queryset, user, *, owner_field: str = "user", **lookup):
    """The object matching `lookup` that belongs to `user`; anything else is a 404, never a hint
    that it exists."""
    return get_object_or_404(queryset, **{owner_field: user}, **lookup)
