from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("theme.css", views.theme_css, name="theme_css"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("taches/<uuid:pk>/", views.task_progress, name="task_progress"),
    path("boite-d-envoi/", views.outbox, name="outbox"),
    path("boite-d-envoi/<int:pk>/renvoyer/", views.outbox_resend, name="outbox_resend"),
]
