from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from bibarys.admin import BoundedNumbers

from .models import AuditEntry, CardPayment, User, Wallet, WalletEntry


@admin.register(User)
class UserAdmin(BoundedNumbers, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "phone", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Store"), {"fields": ("role", "phone", "address")}),
    )
    # Role, blocking and deletion have rules (the last admin, no self-demotion) and leave an
    # audit entry: they are done on the store's own user pages (accounts.staff_services), so
    # here they are read only and a user cannot be deleted.
    readonly_fields = ("role", "is_active", "is_staff", "is_superuser", "groups",
                       "user_permissions", "last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


class WalletEntryInline(BoundedNumbers, admin.TabularInline):
    model = WalletEntry
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "amount", "balance_after", "reason", "reference", "created_by",
                       "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Wallet)
class WalletAdmin(BoundedNumbers, admin.ModelAdmin):
    """Read-only here: wallet changes go through the wallet ledger service."""

    list_display = ("user", "balance", "updated_at")
    search_fields = ("user__username",)
    readonly_fields = ("user", "balance", "updated_at")
    inlines = [WalletEntryInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(BoundedNumbers, admin.ModelAdmin):
    """The audit log is read only everywhere: entries are written by accounts.audit only."""

    list_display = ("created_at", "actor", "action", "object_type", "object_id", "object_repr",
                    "ip")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "actor__username", "action")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CardPayment)
class CardPaymentAdmin(BoundedNumbers, admin.ModelAdmin):
    """Card payments are read only: they change by the provider's notification and the refund
    queue (accounts/card_payments.py), each change in the audit log."""

    list_display = ("created_at", "user", "purpose", "subject", "amount", "status", "provider",
                    "provider_payment_id")
    list_filter = ("status", "purpose", "provider")
    search_fields = ("invoice", "provider_payment_id", "subject", "user__username")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in CardPayment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
