from django.contrib import admin

from . import services
from .models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "company", "industry", "company_size", "source", "owner", "status",
                    "completeness", "created_at")
    list_filter = ("status", "source", "industry", "region")
    list_select_related = ("owner",)
    search_fields = ("name", "email", "company")
    autocomplete_fields = ("owner",)
    readonly_fields = ("completeness", "created_at", "updated_at")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # the model form validated the constraints
        services.lead_saved(lead=obj)
