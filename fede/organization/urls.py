from django.urls import path

from . import views, views_data, views_figures, views_space

app_name = "organization"

urlpatterns = [
    # Sections and their officers
    path("ma-section/", views.my_sections, name="my_sections"),
    path("sections/<int:pk>/", views.section_dashboard, name="section_dashboard"),
    path("sections/<int:pk>/modifier/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/adherents/", views.section_member_list, name="section_member_list"),
    path(
        "sections/<int:pk>/adherents/nouveau/",
        views.section_member_add,
        name="section_member_add",
    ),
    path(
        "sections/<int:pk>/adherents/export/<str:fmt>/",
        views.section_member_export,
        name="section_member_export",
    ),
    path("sections/<int:pk>/fusionner/", views.section_merge, name="section_merge"),
    path("sections/<int:pk>/fermer/", views.section_close, name="section_close"),
    # Members
    path("adherents/", views.member_list, name="member_list"),
    path("adherents/nouveau/", views.member_add, name="member_add"),
    path("adherents/export/<str:fmt>/", views.member_export, name="member_export"),
    path("adherents/<int:pk>/", views.member_detail, name="member_detail"),
    path("adherents/<int:pk>/modifier/", views.member_edit, name="member_edit"),
    path("adherents/<int:pk>/cotisation/", views.dues_record, name="dues_record"),
    path("adherents/<int:pk>/transfert/", views.transfer_request, name="transfer_request"),
    path("adherents/<int:pk>/demission/", views.member_resign, name="member_resign"),
    # Transfers
    path("transferts/", views.transfer_list, name="transfer_list"),
    path("transferts/<int:pk>/", views.transfer_decide, name="transfer_decide"),
    path("transferts/<int:pk>/retirer/", views.transfer_cancel, name="transfer_cancel"),
    # Federation
    path("federation/", views.federation_sections, name="federation_sections"),
    path(
        "federation/sections-entreprise/",
        views.federation_workplace,
        name="federation_workplace",
    ),
    path(
        "federation/sections-sans-local/",
        views.federation_no_premises,
        name="federation_no_premises",
    ),
    path("federation/sections/nouvelle/", views.section_create, name="section_create"),
    path("federation/responsabilites/", views.mandate_list, name="mandate_list"),
    path("federation/responsabilites/nommer/", views.mandate_create, name="mandate_create"),
    path("federation/responsabilites/<int:pk>/fin/", views.mandate_end, name="mandate_end"),
    path("federation/journal/", views.access_log, name="access_log"),
    path("federation/modifications/", views.audit_log, name="audit_log"),
]

# Member import and personal data (views_data.py).
urlpatterns += [
    path("import/", views_data.member_import, name="member_import"),
    path("import/<uuid:pk>/", views_data.member_import_report, name="member_import_report"),
    path(
        "import/<uuid:pk>/confirmer/",
        views_data.member_import_confirm,
        name="member_import_confirm",
    ),
    path("mes-donnees/", views_data.my_data, name="my_data"),
    path("mes-donnees/export.json", views_data.my_data_export, name="my_data_export"),
    path("mes-donnees/consentements/", views_data.my_consents, name="my_consents"),
    path("mes-donnees/effacement/", views_data.my_erasure, name="my_erasure"),
    path(
        "mes-donnees/effacement/retirer/",
        views_data.my_erasure_withdraw,
        name="my_erasure_withdraw",
    ),
    path("effacements/", views_data.erasure_requests, name="erasure_requests"),
    path("effacements/<int:pk>/", views_data.erasure_process, name="erasure_process"),
]

# The member's own space (views_space.py).
urlpatterns += [
    path("activer/<str:token>/", views_space.activate, name="activate"),
    path(
        "sections/<int:pk>/espaces/",
        views_space.section_invitations,
        name="section_invitations",
    ),
    path(
        "sections/<int:pk>/espaces/inviter-tout/",
        views_space.section_invite_all,
        name="section_invite_all",
    ),
    path("adherents/<int:pk>/inviter/", views_space.member_invite, name="member_invite"),
]

# Figures of the federation and of its treasury (views_figures.py).
urlpatterns += [
    path("chiffres/", views_figures.federation_figures, name="federation_figures"),
    path("tresorerie/", views_figures.treasury, name="treasury"),
    path("tresorerie/non-a-jour/", views_figures.treasury_unpaid, name="treasury_unpaid"),
    path(
        "tresorerie/non-a-jour/export/<str:fmt>/",
        views_figures.treasury_unpaid_export,
        name="treasury_unpaid_export",
    ),
    path("cotisations/<int:pk>/corriger/", views_figures.dues_correct, name="dues_correct"),
    path("cotisations/<int:pk>/annuler/", views_figures.dues_cancel, name="dues_cancel"),
    path("cotisations/<int:pk>/recu.pdf", views_figures.dues_receipt, name="dues_receipt"),
    path(
        "adherents/<int:pk>/cotisations/<int:year>/releve.pdf",
        views_figures.dues_statement,
        name="dues_statement",
    ),
]
