"""Admin of the organisation, for the platform's technical staff.

Officers work in the organisation screens; the admin is a safety net. Non-superusers only
see rows inside the scope of their offices, as everywhere else.
"""

from django.contrib import admin

from fede.core.audit import log_access
from fede.core.models import AccessLog

from .models import DuesPayment, Mandate, Member, Territory, Transfer, Unit
from .roles import reach, units_q
from .selectors import members_visible_to


class ScopedAdmin(admin.ModelAdmin):
    """Rows outside the user's scope do not exist for a non-superuser."""

    scope_field = ""
    scope_capability = "members.view"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(units_q(request.user, self.scope_capability, field=self.scope_field))


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "number", "parent"]
    list_filter = ["kind", "is_priority"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    scope_capability = "section.view"
    list_display = ["name", "code", "kind", "section_kind", "sector", "has_premises", "is_active"]
    list_filter = ["kind", "section_kind", "sector", "has_premises", "is_active"]
    search_fields = ["name", "code", "employer"]
    readonly_fields = ["path", "depth", "merged_into", "closed_on"]
    raw_id_fields = ["parent", "territory"]


class DuesInline(admin.TabularInline):
    model = DuesPayment
    extra = 0
    readonly_fields = ["recorded_by"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "membership_number", "section", "status"]
    list_filter = ["status"]
    search_fields = ["last_name", "first_name", "email", "membership_number"]
    list_select_related = ["section"]
    raw_id_fields = ["section", "user"]
    readonly_fields = ["erasure_requested_at", "anonymised_at"]
    inlines = [DuesInline]
    show_full_result_count = False

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return members_visible_to(request.user)

    # The technical admin's member pages read member data: logged like the screens. (Hooks
    # inside the views, so that the admin's URLs keep Django's own views.)
    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        log_access(
            actor=request.user,
            action=AccessLog.Action.LIST,
            code="organization.admin_member_list",
            scope=reach(request.user, "members.view"),
            detail={"q": request.GET.get("q", "")},
        )
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            log_access(
                actor=request.user,
                action=AccessLog.Action.VIEW,
                code="organization.admin_member_view",
                params={"member": obj.pk},
                obj=obj,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Transfer)
class TransferAdmin(ScopedAdmin):
    scope_field = "from_unit__"
    scope_capability = "transfers.approve"
    list_display = ["member", "from_unit", "to_unit", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["member", "from_unit", "to_unit"]
    raw_id_fields = ["member", "from_unit", "to_unit", "requested_by", "decided_by"]


@admin.register(Mandate)
class MandateAdmin(ScopedAdmin):
    scope_field = "unit__"
    scope_capability = "mandates.manage"
    list_display = ["member", "role", "unit", "portfolio", "start", "end"]
    list_filter = ["role"]
    list_select_related = ["member", "unit"]
    search_fields = ["member__last_name", "member__membership_number", "unit__name"]
    raw_id_fields = ["member", "unit"]
