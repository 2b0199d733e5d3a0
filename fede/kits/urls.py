from django.urls import path

from . import views

app_name = "kits"

urlpatterns = [
    path("", views.library, name="library"),
    path("nouveau/", views.kit_create, name="kit_create"),
    path("<int:pk>/", views.kit_detail, name="kit_detail"),
    path("<int:pk>/modifier/", views.kit_edit, name="kit_edit"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/modifier/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/publier/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/etapes/nouvelle/", views.step_create, name="step_create"),
    path("versions/<int:pk>/modeles/nouveau/", views.template_create, name="template_create"),
    path("etapes/<int:pk>/", views.step_edit, name="step_edit"),
    path("etapes/<int:pk>/supprimer/", views.step_delete, name="step_delete"),
    path("modeles/<int:pk>/", views.template_edit, name="template_edit"),
    path("modeles/<int:pk>/supprimer/", views.template_delete, name="template_delete"),
    path("sections/", views.boards, name="boards"),
    path("sections/<int:pk>/", views.section_board, name="section_board"),
    path("sections/<int:pk>/lancer/", views.run_start, name="run_start"),
    path("deroules/<int:pk>/", views.run_detail, name="run_detail"),
    path("deroules/<int:pk>/etat/", views.run_status, name="run_status"),
    path("deroules/<int:pk>/avis/", views.run_feedback, name="run_feedback"),
    path(
        "deroules/<int:pk>/documents/<int:template_pk>/",
        views.run_document,
        name="run_document",
    ),
    path("taches/<int:pk>/", views.task_detail, name="task_detail"),
    path("taches/<int:pk>/etat/", views.task_status, name="task_status"),
    path("taches/<int:pk>/confier/", views.task_assign, name="task_assign"),
    path("taches/<int:pk>/points/<int:order>/", views.task_item, name="task_item"),
    path("taches/<int:pk>/commenter/", views.task_comment, name="task_comment"),
    path("mes-taches/", views.my_tasks, name="my_tasks"),
    path("federation/", views.federation, name="federation"),
]
