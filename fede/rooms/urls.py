from django.urls import path

from . import views

app_name = "rooms"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.room_detail, name="room_detail"),
    path("<int:pk>/reserver/", views.booking_create, name="booking_create"),
    path("lieux/<int:pk>/", views.venue_detail, name="venue_detail"),
    path("lieux/<int:pk>/jour/", views.venue_day, name="venue_day"),
    path("calendrier/<str:token>.ics", views.room_ics, name="room_ics"),
    path("photos/<int:pk>/", views.room_photo, name="photo"),
    path("reservations/", views.my_bookings, name="my_bookings"),
    path("reservations/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("reservations/<int:pk>/modifier/", views.booking_edit, name="booking_edit"),
    path("reservations/<int:pk>/annuler/", views.booking_cancel, name="booking_cancel"),
    path("reservations/<int:pk>/valider/", views.booking_approve, name="booking_approve"),
    path("reservations/<int:pk>/refuser/", views.booking_refuse, name="booking_refuse"),
    path("series/<int:pk>/annuler/", views.series_cancel, name="series_cancel"),
    path("federation/", views.federation, name="federation"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/lieux/nouveau/", views.venue_create, name="venue_create"),
    path("gestion/lieux/<int:pk>/", views.venue_edit, name="venue_edit"),
    path("gestion/salles/nouvelle/", views.room_create, name="room_create"),
    path("gestion/salles/<int:pk>/", views.room_edit, name="room_edit"),
    path("gestion/salles/<int:pk>/photos/", views.room_photos, name="room_photos"),
    path("gestion/salles/<int:pk>/calendrier/", views.room_ics_reset, name="room_ics_reset"),
]
