from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    # Agenda and event pages (public for public events).
    path("", views.agenda, name="agenda"),
    path("mois/", views.month, name="month"),
    path("<int:pk>/", views.event_short, name="event_short"),
    path("<int:pk>-<slug:slug>/", views.event_detail, name="event_detail"),
    path("<int:pk>/calendrier.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/image/", views.event_image, name="event_image"),
    path(
        "<int:pk>/documents/<int:material_pk>/", views.material_download, name="material_download"
    ),
    path("intervenants/<int:pk>/photo/", views.speaker_photo, name="speaker_photo"),
    # Registration.
    path("<int:pk>/inscription/", views.register, name="register"),
    path("<int:pk>/desinscription/", views.unregister, name="unregister"),
    path("<int:pk>/inscription-invite/", views.guest_register, name="guest_register"),
    path("inscription/<str:token>/confirmer/", views.guest_confirm, name="guest_confirm"),
    path("inscription/<str:token>/", views.ticket, name="ticket"),
    path("inscription/<str:token>/annuler/", views.ticket_cancel, name="ticket_cancel"),
    path("inscription/<str:token>/calendrier.ics", views.ticket_ics, name="ticket_ics"),
    # Mine and calendars.
    path("mes-evenements/", views.my_events, name="my_events"),
    path("abonnements/", views.feeds, name="feeds"),
    path("abonnements/renouveler/", views.feed_renew, name="feed_renew"),
    path("flux/public.ics", views.public_feed, name="public_feed"),
    path("flux/<str:token>/mes-evenements.ics", views.personal_feed, name="personal_feed"),
    path("flux/<str:token>/unite-<int:unit_pk>.ics", views.unit_feed, name="unit_feed"),
    # Organisers.
    path("organiser/", views.manage, name="manage"),
    path("organiser/nouveau/", views.event_create, name="event_create"),
    path("<int:pk>/modifier/", views.event_update, name="event_update"),
    path("<int:pk>/annuler/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/publier/", views.event_publish, name="event_publish"),
    path("<int:pk>/reporter/", views.event_postpone, name="event_postpone"),
    path("<int:pk>/programme/", views.event_speakers, name="event_speakers"),
    path(
        "<int:pk>/programme/<int:link_pk>/retirer/",
        views.event_speaker_remove,
        name="event_speaker_remove",
    ),
    path("<int:pk>/participants/", views.attendees, name="attendees"),
    path(
        "<int:pk>/participants/<int:registration_pk>/presence/",
        views.attendee_toggle,
        name="attendee_toggle",
    ),
    path("<int:pk>/pointage/<str:token>/", views.checkin_scan, name="checkin_scan"),
    path(
        "<int:pk>/participants/export.<str:fmt>",
        views.registrations_export,
        name="registrations_export",
    ),
    path("<int:pk>/participants/emargement.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("<int:pk>/bilan/", views.attendance, name="attendance"),
    path("<int:pk>/documents/", views.materials, name="materials"),
    path(
        "<int:pk>/documents/<int:material_pk>/retirer/",
        views.material_remove,
        name="material_remove",
    ),
    path("<int:pk>/invitations/", views.invitations, name="invitations"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/retirer/",
        views.invitation_remove,
        name="invitation_remove",
    ),
    # Speakers directory.
    path("intervenants/", views.speaker_list, name="speaker_list"),
    path("intervenants/nouveau/", views.speaker_create, name="speaker_create"),
    path("intervenants/<int:pk>/modifier/", views.speaker_update, name="speaker_update"),
]
