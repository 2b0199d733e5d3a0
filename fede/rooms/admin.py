"""Django admin for rooms: superusers only (federation staff use the rooms.manage pages)."""

from django.contrib import admin

from .models import Booking, BookingSeries, Equipment, OpeningHours, Room, RoomPhoto, Venue


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """The admin bypasses section scopes, so only superusers may open it."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Equipment)
class EquipmentAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "code"]


@admin.register(Venue)
class VenueAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "kind", "arrondissement", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]


@admin.register(Room)
class RoomAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "venue", "capacity", "step_free", "is_sections_space", "is_active"]
    list_filter = ["is_sections_space", "step_free", "booking_policy", "is_active"]
    search_fields = ["name", "venue__name"]
    list_select_related = ["venue"]
    inlines = [OpeningHoursInline]
    filter_horizontal = ["equipment"]


@admin.register(RoomPhoto)
class RoomPhotoAdmin(SuperuserOnlyAdmin):
    list_display = ["room", "caption"]
    list_select_related = ["room__venue"]


@admin.register(BookingSeries)
class BookingSeriesAdmin(SuperuserOnlyAdmin):
    list_display = ["room", "section", "frequency", "until"]
    list_select_related = ["room__venue", "section"]


@admin.register(Booking)
class BookingAdmin(SuperuserOnlyAdmin):
    """Read-mostly: status changes go through the services (mails, constraint)."""

    list_display = ["room", "section", "start", "end", "status"]
    list_filter = ["status"]
    list_select_related = ["room__venue", "section"]
    date_hierarchy = "start"
    readonly_fields = ["status", "start", "end", "room", "section", "series"]

    def has_add_permission(self, request):
        return False
