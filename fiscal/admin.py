from django.contrib import admin

from .models import FiscalDocument


@admin.register(FiscalDocument)
class FiscalDocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "till", "state", "attempts", "fiscal_number", "created_at",
                    "sent_at")
    list_filter = ("state", "kind", "till")
    search_fields = ("key", "fiscal_sign", "fiscal_number")
    list_select_related = ("till",)
    readonly_fields = [field.name for field in FiscalDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
