from django.urls import path

from . import views

app_name = "practices"

urlpatterns = [
    path("", views.index, name="index"),
    path("recherche/", views.search, name="search"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/utile/", views.vote, name="vote"),
    path("<int:pk>/suivre/", views.follow, name="follow"),
    path("<int:pk>/mettre-en-avant/", views.highlight, name="highlight"),
    path("<int:pk>/masquer/", views.hide, name="hide"),
    path("<int:pk>/fichiers/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/reponse-retenue/retirer/", views.unaccept, name="unaccept"),
    path("<int:pk>/proposer-pour-un-kit/", views.propose_kit, name="propose_kit"),
    path("fichiers/<int:pk>/", views.attachment, name="attachment"),
    path("reponses/<int:pk>/retenir/", views.accept, name="accept"),
    path("reponses/<int:pk>/masquer/", views.comment_hide, name="comment_hide"),
    path("propositions-kits/", views.proposals, name="proposals"),
    path("propositions-kits/<int:pk>/decider/", views.proposal_decide, name="proposal_decide"),
]
