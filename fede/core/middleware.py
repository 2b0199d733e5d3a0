"""Request guards shared by every page."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequired
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext


class RejectNulBytesMiddleware:
    """A NUL character in a query or form value is never legitimate input, and PostgreSQL
    refuses it in a query ("A string literal cannot contain NUL"): answer 400 before any
    view turns it into a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            return self._refuse()
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for values in request.POST.lists():
                if any("\x00" in value for value in values[1]):
                    return self._refuse()
        return self.get_response(request)

    @staticmethod
    def _refuse():
        return HttpResponseBadRequest(
            gettext("Requête invalide : un caractère nul a été envoyé."),
            content_type="text/plain; charset=utf-8",
        )


class LoginRequiredMiddleware(_LoginRequired):
    """Django's, asking the view before the user: a public view never loads the session
    (so /healthz answers 503, not 500, when the database is down, cookie or not)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PermissionsPolicyMiddleware:
    """No page may use the camera (except the check-in scanner, on our own origin), the
    microphone, geolocation, payment or USB: a third-party script could not either."""

    POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response
