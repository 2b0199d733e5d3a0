from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("securite/", views.security, name="security"),
]
