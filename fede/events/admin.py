from django.contrib import admin

from .models import Event, EventMaterial, EventSpeaker, Invitation, Registration, Speaker


class EventSpeakerInline(admin.TabularInline):
    model = EventSpeaker
    extra = 0
    autocomplete_fields = ["speaker"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "organiser", "start", "visibility", "status"]
    list_filter = ["kind", "visibility", "status"]
    search_fields = ["title"]
    date_hierarchy = "start"
    raw_id_fields = ["organiser", "booking", "created_by"]
    filter_horizontal = ["co_organisers"]
    readonly_fields = ["uid", "sequence"]
    inlines = [EventSpeakerInline]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "quality", "affiliation"]
    list_filter = ["quality"]
    search_fields = ["name", "affiliation"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "member", "guest_email", "status", "attended"]
    list_filter = ["status", "attended"]
    raw_id_fields = ["event", "member", "checked_in_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["event", "member", "created_at"]
    raw_id_fields = ["event", "member", "invited_by"]


@admin.register(EventMaterial)
class EventMaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "created_at"]
    raw_id_fields = ["event", "created_by"]
