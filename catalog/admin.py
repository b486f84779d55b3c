from django.contrib import admin

from .models import Category, Product, ProductBarcode


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "position")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class BarcodeInline(admin.TabularInline):
    model = ProductBarcode
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """On-hand quantity is read-only: it moves only through the inventory ledger."""

    list_display = ("name", "sku", "category", "seller", "unit", "price", "cost_price",
                    "quantity", "is_active")
    list_filter = ("is_active", "unit", "category")
    search_fields = ("name", "sku", "barcodes__code")
    readonly_fields = ("quantity", "created_at", "updated_at")
    list_select_related = ("category", "seller")
    inlines = [BarcodeInline]
