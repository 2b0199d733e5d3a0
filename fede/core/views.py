import re

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .access import login_view, permission_required, public_view
from .lists import paginate, render_partial
from .mail import outbox_resend as outbox_resend_service
from .models import OutgoingMail, TaskProgress


@public_view
@require_GET
def home(request):
    """The front page: public presentation, or the member's own home once logged in (the
    panels apps declare in their registry: section, next events, dues…, then shortcuts)."""
    panels = []
    if request.user.is_authenticated:
        from .registry import home_panels

        for panel in home_panels():
            context = panel.build(request)
            if context is not None:
                panels.append({"panel": panel, "template": panel.template, "ctx": context})
    return render(request, "core/home.html", {"panels": panels})


@public_view
@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        mail = {
            "waiting": OutgoingMail.objects.waiting().count(),
            "abandoned": OutgoingMail.objects.abandoned().count(),
        }
        stuck = TaskProgress.objects.stuck().count()
    except Exception:  # noqa: BLE001 — any failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    # Abandoned mails and stuck tasks need a person, not a restart: still 200, but said.
    status = "ok" if not (mail["abandoned"] or stuck) else "degraded"
    return JsonResponse({"status": status, "database": "ok", "mail": mail, "stuck_tasks": stuck})


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
    """The 500 page touches neither the database nor the session: it renders when the
    error is a lost database connection (context processors would fail again)."""
    try:
        html = render_to_string("errors/500.html")
    except Exception:  # noqa: BLE001 — last resort: never let the handler itself fail
        html = "<!doctype html><title>Erreur du serveur</title><h1>Erreur du serveur</h1>"
    return HttpResponse(html, status=500)


@permission_required("outbox.manage")
@require_GET
def outbox(request):
    """The mails the outbox gave up on, to resend once the mail server is back."""
    page = paginate(
        OutgoingMail.objects.abandoned().order_by("-abandoned_at", "-pk"),
        request.GET.get("page"),
        per_page=50,
    )
    context = {
        "page": page,
        "waiting": OutgoingMail.objects.waiting().count(),
        "breadcrumbs": [(gettext("Boîte d'envoi"), None)],
    }
    return render_partial(request, "core/outbox.html", context)


@permission_required("outbox.manage")
@require_POST
def outbox_resend(request, pk):
    mail = get_object_or_404(OutgoingMail.objects.abandoned(), pk=pk)
    outbox_resend_service(actor=request.user, mail=mail)
    messages.success(request, gettext("L'e-mail est remis dans la file d'envoi."))
    return redirect("core:outbox")
