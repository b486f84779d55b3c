from django.contrib import admin

from bibarys.admin import BoundedNumbers

from .models import StockMovement


@admin.register(StockMovement)
class StockMovementAdmin(BoundedNumbers, admin.ModelAdmin):
    """The ledger is append-only: it can be read here, never edited."""

    list_display = ("created_at", "product", "kind", "quantity", "quantity_after", "created_by",
                    "reference")
    list_filter = ("kind",)
    search_fields = ("product__name", "product__name_ru", "product__name_en", "product__sku",
                     "reference")
    list_select_related = ("product", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
