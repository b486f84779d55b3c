from django.contrib import admin

from bibarys.admin import BoundedNumbers

from .models import Category, Product, ProductBarcode


@admin.register(Category)
class CategoryAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("name", "parent", "position", "vat_rate")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class BarcodeInline(BoundedNumbers, admin.TabularInline):
    model = ProductBarcode
    extra = 0


@admin.register(Product)
class ProductAdmin(BoundedNumbers, admin.ModelAdmin):
    """On-hand quantity is read-only: it moves only through the inventory ledger."""

    list_display = ("name", "sku", "category", "seller", "unit", "price", "cost_price",
                    "quantity", "vat_rate", "is_active")
    list_filter = ("is_active", "unit", "vat_rate", "category")
    # Every name the product has (kk, ru, en): an admin finds it by whichever they type.
    search_fields = ("name", "name_ru", "name_en", "sku", "barcodes__code")
    readonly_fields = ("quantity", "created_at", "updated_at")
    list_select_related = ("category", "seller")
    inlines = [BarcodeInline]


from .models import ProductPhoto, Review, WishlistItem  # noqa: E402


@admin.register(ProductPhoto)
class ProductPhotoAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("product", "position", "is_main", "created_at")
    list_select_related = ("product",)
    raw_id_fields = ("product",)

    def has_add_permission(self, request):
        # Photos come in through the product page, which checks and re-encodes them.
        return False


@admin.register(Review)
class ReviewAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("product", "user", "rating", "is_hidden", "created_at")
    list_filter = ("is_hidden", "rating")
    list_select_related = ("product", "user")
    raw_id_fields = ("product", "user", "hidden_by")


@admin.register(WishlistItem)
class WishlistItemAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("user", "product", "created_at")
    list_select_related = ("user", "product")
    raw_id_fields = ("user", "product")
