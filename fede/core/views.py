import re

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import login_view, public_view
from .models import TaskProgress


@public_view
@require_GET
def home(request):
    """The front page: public presentation, or the member's shortcuts once logged in."""
    return render(request, "core/home.html")


@public_view
@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_view
@never_cache
@require_GET
def ping(request):
    """A trivial page behind the login: the floor every benchmark figure is compared to."""
    return HttpResponse("pong", content_type="text/plain; charset=utf-8")


_COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


@public_view
@require_GET
def theme_css(request):
    """The federation colour as a stylesheet (no inline style: the CSP forbids them)."""
    color = settings.FEDE_BRAND_COLOR if _COLOR.match(settings.FEDE_BRAND_COLOR) else "#c4122f"
    response = HttpResponse(f":root {{ --fede-brand: {color}; }}\n", content_type="text/css")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_view
@never_cache
@require_GET
def task_progress(request, pk):
    """Progress of one of the user's own long jobs; htmx polls the #progress partial."""
    progress = get_object_or_404(TaskProgress, pk=pk, owner=request.user)
    template = "core/task_progress.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"progress": progress})


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
