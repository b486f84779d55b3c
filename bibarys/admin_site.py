"""Django admin's site, with its two password doors (its login and its password change)
limited like the shop's own (bibarys.ratelimits.password_door): the same counts per client
address and per account, so /admin/login/ is no way around the shop login's limit."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.decorators import method_decorator

from .ratelimits import password_door, posted_username, signed_in_user


class StoreAdminSite(admin.AdminSite):
    @method_decorator(password_door(account=posted_username))
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    @method_decorator(password_door(account=signed_in_user))
    def password_change(self, request, extra_context=None):
        return super().password_change(request, extra_context)


class StoreAdminConfig(AdminConfig):
    """django.contrib.admin with the store's site, in INSTALLED_APPS in its place."""

    default = False
    default_site = "bibarys.admin_site.StoreAdminSite"
