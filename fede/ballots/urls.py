from django.urls import path

from . import views

app_name = "ballots"

urlpatterns = [
    path("", views.ballot_list, name="list"),
    path("nouveau/", views.ballot_create, name="create"),
    path("<int:pk>/", views.ballot_detail, name="detail"),
    path("<int:pk>/modifier/", views.ballot_edit, name="edit"),
    path("<int:pk>/ouvrir/", views.ballot_open, name="open"),
    path("<int:pk>/tour-suivant/", views.round_next, name="round_next"),
    path("<int:pk>/liste/", views.roll, name="roll"),
    path("<int:pk>/liste/ajouter/", views.roll_add, name="roll_add"),
    path("<int:pk>/liste/section/<int:section_pk>/", views.roll_section, name="roll_section"),
    path(
        "<int:pk>/liste/section/<int:section_pk>/emargement.pdf",
        views.roll_section_sheet,
        name="roll_section_sheet",
    ),
    path("<int:pk>/voter/", views.vote, name="vote"),
    path("<int:pk>/voter/code/", views.vote_code, name="vote_code"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/resultats.pdf", views.results_pdf, name="results_pdf"),
    path("<int:pk>/bulletins/", views.published_ballots, name="published_ballots"),
    path("inscriptions/<int:pk>/radier/", views.roll_strike, name="roll_strike"),
    path("tours/<int:pk>/clore/", views.round_close, name="round_close"),
    path("tours/<int:pk>/publier/", views.round_publish, name="round_publish"),
    path("pv/<int:pk>/", views.pv_detail, name="pv_detail"),
    path("pv/<int:pk>/saisir/", views.pv_enter, name="pv_enter"),
    path("pv/<int:pk>/contresigner/", views.pv_countersign, name="pv_countersign"),
    path("pv/<int:pk>/valider/", views.pv_validate, name="pv_validate"),
    path("pv/<int:pk>/correction/", views.pv_correction, name="pv_correction"),
    path("pv/<int:pk>/rectifier/", views.pv_rectify, name="pv_rectify"),
    path("pv/<int:pk>.pdf", views.pv_pdf, name="pv_pdf"),
]
