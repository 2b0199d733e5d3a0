from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from fede.core.access import public_view

# The Django admin (/gestion/) is a technical tool for superusers only: member data is read
# through the scoped screens of each app, never through a staff flag.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Fédé — administration technique"

handler403 = "fede.core.views.error_403"
handler404 = "fede.core.views.error_404"
handler500 = "fede.core.views.error_500"

urlpatterns = [
    # The public site answers first ("/" included); what it does not serve falls to core.
    path("", include("fede.website.urls")),
    path("", include("fede.core.urls")),
    path("compte/", include("fede.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("organisation/", include("fede.organization.urls")),
    path("salles/", include("fede.rooms.urls")),
    path("evenements/", include("fede.events.urls")),
    path("kits/", include("fede.kits.urls")),
    path("consultations/", include("fede.consultations.urls")),
    path("votes/", include("fede.ballots.urls")),
    path("convention/", include("fede.convention.urls")),
    path("pratiques/", include("fede.practices.urls")),
    path("langue/", public_view(set_language), name="set_language"),
    path("jsi18n/", public_view(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("gestion/", admin.site.urls),
]
