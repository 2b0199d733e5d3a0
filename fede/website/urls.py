from django.urls import path

from . import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("actualites/", views.news_list, name="news_list"),
    path("actualites/<slug:slug>/", views.news_detail, name="news_detail"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("sections/", views.sections, name="sections"),
    path("sections/carte/", views.map_view, name="map"),
    path("sections/<int:pk>/", views.section, name="section"),
    path("sections/<int:pk>/ecrire/", views.section_contact, name="section_contact"),
    path("adherer/", views.join, name="join"),
    path("adherer/envoyee/", views.join_sent, name="join_sent"),
    path("adherer/confirmer/<str:token>/", views.join_confirm, name="join_confirm"),
    path("demandes-adhesion/", views.join_requests, name="join_requests"),
    path("demandes-adhesion/<int:pk>/", views.join_request, name="join_request"),
    path(
        "demandes-adhesion/<int:pk>/accepter/",
        views.join_request_accept,
        name="join_request_accept",
    ),
    path(
        "demandes-adhesion/<int:pk>/reorienter/",
        views.join_request_redirect,
        name="join_request_redirect",
    ),
    path(
        "demandes-adhesion/<int:pk>/refuser/",
        views.join_request_decline,
        name="join_request_decline",
    ),
    path("site/", views.manage, name="manage"),
    path("site/actualites/nouvelle/", views.news_create, name="news_create"),
    path("site/actualites/<int:pk>/", views.news_edit, name="news_edit"),
    path("site/actualites/<int:pk>/publier/", views.news_publish, name="news_publish"),
    path("site/pages/nouvelle/", views.page_create, name="page_create"),
    path("site/pages/<int:pk>/", views.page_edit, name="page_edit"),
    path("site/pages/<int:pk>/publier/", views.page_publish, name="page_publish"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
