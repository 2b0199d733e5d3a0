from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("nouvelle/", views.consultation_create, name="create"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/modifier/", views.consultation_edit, name="edit"),
    path("<int:pk>/ouvrir/", views.consultation_open, name="open"),
    path("<int:pk>/clore/", views.consultation_close, name="close"),
    path("<int:pk>/nouvelle-version/", views.version_create, name="version_create"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/synthese/", views.synthesis, name="synthesis"),
    path("<int:pk>/export.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("paragraphes/<int:pk>/", views.paragraph_detail, name="paragraph"),
    path("paragraphes/<int:pk>/commenter/", views.comment_create, name="comment_create"),
    path("paragraphes/<int:pk>/soutenir/", views.paragraph_support, name="paragraph_support"),
    path("paragraphes/<int:pk>/reformuler/", views.rewording_create, name="rewording_create"),
    path("commentaires/<int:pk>/signaler/", views.comment_report, name="comment_report"),
    path("commentaires/<int:pk>/masquer/", views.comment_hide, name="comment_hide"),
    path("commentaires/<int:pk>/retablir/", views.comment_unhide, name="comment_unhide"),
    path("commentaires/<int:pk>/maintenir/", views.reports_dismiss, name="reports_dismiss"),
    path("commentaires/<int:pk>/repondre/", views.comment_answer, name="comment_answer"),
    path("reformulations/<int:pk>/soutenir/", views.rewording_support, name="rewording_support"),
    path("reformulations/<int:pk>/masquer/", views.rewording_hide, name="rewording_hide"),
    path("reformulations/<int:pk>/retablir/", views.rewording_unhide, name="rewording_unhide"),
    path("reformulations/<int:pk>/repondre/", views.rewording_answer, name="rewording_answer"),
]
