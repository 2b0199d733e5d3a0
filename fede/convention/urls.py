from django.urls import path

from . import views

app_name = "convention"

urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.convention_create, name="create"),
    path("ma-section/", views.my_section, name="my_section"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.convention_edit, name="edit"),
    path("<int:pk>/sujets/nouveau/", views.topic_create, name="topic_create"),
    path("<int:pk>/debat/", views.debate_schedule, name="debate_schedule"),
    path("<int:pk>/amendements/", views.amendments, name="amendments"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/resultats/saisie/", views.results_entry, name="results_entry"),
    path("<int:pk>/resultats/publier/", views.results_publish, name="results_publish"),
    path("sujets/<int:pk>/", views.topic, name="topic"),
    path("sujets/<int:pk>/modifier/", views.topic_edit, name="topic_edit"),
    path("sujets/<int:pk>/documents/", views.document_add, name="document_add"),
    path("sujets/<int:pk>/contribuer/", views.contribution_create, name="contribution_create"),
    path("sujets/<int:pk>/synthese/", views.synthesis, name="synthesis"),
    path("sujets/<int:pk>/synthese/paragraphe/", views.paragraph_create, name="paragraph_create"),
    path("sujets/<int:pk>/synthese/publier/", views.synthesis_publish, name="synthesis_publish"),
    path("sujets/<int:pk>/couverture/", views.coverage, name="coverage"),
    path("sujets/<int:pk>/regroupements/", views.groups, name="groups"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("contributions/<int:pk>/", views.contribution, name="contribution"),
    path("contributions/<int:pk>/modifier/", views.contribution_edit, name="contribution_edit"),
    path("contributions/<int:pk>/reponse/", views.contribution_note, name="contribution_note"),
    path("paragraphes/<int:pk>/", views.paragraph_edit, name="paragraph_edit"),
    path(
        "paragraphes/<int:pk>/citations/<int:contribution>/retirer/",
        views.citation_remove,
        name="citation_remove",
    ),
    path("paragraphes/<int:pk>/amender/", views.amendment_create, name="amendment_create"),
    path("amendements/<int:pk>/", views.amendment, name="amendment"),
]
