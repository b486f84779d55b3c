"""Django admin for orders: a read-mostly back office. Every change of stock, money or status
goes through the store's own pages (orders.services), so the admin shows, it does not edit."""

from django.contrib import admin

from bibarys.admin import BoundedNumbers

from .models import Cart, CartLine, Order, OrderLine, OrderStatusChange


class ReadOnlyInline(BoundedNumbers, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("product_name", "unit", "quantity", "price", "cost_price", "line_total", "seller")


class OrderStatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ("from_status", "to_status", "by", "note", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Order)
class OrderAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("number", "user", "status", "channel", "delivery", "payment", "is_paid",
                    "total", "created_at")
    list_filter = ("status", "channel", "delivery", "payment", "is_paid")
    search_fields = ("id", "user__username", "user__first_name", "user__last_name", "phone")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    inlines = [OrderLineInline, OrderStatusChangeInline]
    readonly_fields = [f.name for f in Order._meta.fields] + ["number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CartLineInline(BoundedNumbers, admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Cart)
class CartAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("user", "updated_at")
    search_fields = ("user__username",)
    inlines = [CartLineInline]
    raw_id_fields = ("user",)
