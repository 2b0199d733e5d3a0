from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, TaskProgress


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The access log is evidence: it can be read and searched, never written or erased."""

    list_display = ["created_at", "actor", "action", "what", "row_count"]
    list_filter = ["action", "object_type"]
    search_fields = ["what", "actor__email", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "what",
        "object_type",
        "object_id",
        "row_count",
        "detail",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    """Jobs of all users, to help someone whose import or document seems stuck."""

    list_display = ["created_at", "label", "owner", "status", "done", "total"]
    list_filter = ["status"]
    search_fields = ["label", "owner__email"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    readonly_fields = ["id", "owner", "created_at", "updated_at", "result"]
    fieldsets = (
        (None, {"fields": ("id", "label", "owner", "status")}),
        (_("Avancement"), {"fields": ("done", "total", "message", "result_url", "result")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def has_add_permission(self, request):
        # A progress row only makes sense for a job that was actually enqueued.
        return False
