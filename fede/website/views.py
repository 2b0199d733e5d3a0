"""Views of the public site (thin: services write, selectors read)."""

from __future__ import annotations

import copy

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core import views as core_views
from fede.core.access import object_view, permission_required, public_view
from fede.core.forms import submit
from fede.core.lists import paginate, render_partial
from fede.core.memo import TimedCache
from fede.organization.models import Unit

from . import selectors, services
from .forms import ContactForm, DecisionForm, JoinForm, NewsForm, PageForm, RedirectForm
from .models import JoinRequest, NewsPost, Page

#: Per client address (allauth's syntax: amount/period/per; the limiter keeps its counters
#: in the shared cache and reads the address through the trusted-proxy settings).
CONTACT_RATES = {"fede_website_contact": "5/h/ip"}
JOIN_RATES = {"fede_website_join": "5/h/ip"}
RATE_MESSAGE = gettext_lazy(
    "Trop de messages envoyés depuis cette connexion. Réessayez dans une heure, ou écrivez "
    "directement à la fédération."
)


def _rate_allowed(request, rates: dict[str, str]) -> bool:
    (action,) = rates
    return bool(ratelimit.consume(request, app="fede.website", action=action, config=rates))


def _no_store(response):
    """Personal data: never kept by a browser or a proxy cache."""
    patch_cache_control(response, no_store=True, private=True)
    return response


# --- Home, news, pages ------------------------------------------------------------------------


@public_view
@require_GET
def home(request):
    """The public front page; a logged-in user gets their member home (core's)."""
    if request.user.is_authenticated:
        return core_views.home(request)
    context = {
        "news": selectors.home_news(3),
        "events": selectors.public_events(limit=4),
        "meta_description": getattr(settings, "FEDE_SITE_DESCRIPTION", "")
        or _(
            "%(site)s : actualités, réunions publiques, les sections de Paris près de chez vous, "
            "et adhérer en ligne."
        )
        % {"site": settings.FEDE_SITE_NAME},
    }
    return render(request, "website/home.html", context)


@public_view
@require_GET
def news_list(request):
    page = paginate(selectors.published_news(), request.GET.get("page"), per_page=10)
    context = {"page": page, "breadcrumbs": [(_("Actualités"), None)]}
    return render_partial(request, "website/news_list.html", context)


@public_view
@require_GET
def news_detail(request, slug):
    post = selectors.news_for_visitor(slug)
    context = {
        "post": post,
        "breadcrumbs": [(_("Actualités"), reverse("website:news_list")), (post.title, None)],
    }
    return render(request, "website/news_detail.html", context)


@public_view
@require_GET
def page(request, slug):
    obj = selectors.page_for_visitor(slug)
    return render(
        request, "website/page.html", {"page_obj": obj, "breadcrumbs": [(obj.title, None)]}
    )


# --- Sections -------------------------------------------------------------------------------------


def _int_or_none(value) -> int | None:
    try:
        number = int(str(value)[:3])
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 20 else None


@public_view
@require_GET
def sections(request):
    q = request.GET.get("q", "")[:100]
    arrondissement = _int_or_none(request.GET.get("arrondissement"))
    sector = request.GET.get("secteur", "")
    if sector not in Unit.Sector.values:
        sector = ""
    context = {
        "directory": selectors.directory(q=q, arrondissement=arrondissement, sector=sector),
        "q": q,
        "arrondissement": arrondissement,
        "arrondissements": range(1, 21),
        "sector": sector,
        "sectors": Unit.Sector.choices,
        "breadcrumbs": [(_("Sections"), None)],
    }
    return render_partial(request, "website/sections.html", context)


#: The contact form as an unbound form renders it, per language (see _form_html).
_CONTACT_FORM_HTML = TimedCache(ttl=None, max_size=8)


def _form_html(form) -> str:
    """The fields of an unbound contact form: the same HTML for every visitor (labels and
    empty inputs), rendered once per language and process. Empty for a sent form (its
    values and errors are the visitor's own)."""
    if form.is_bound:
        return ""
    return _CONTACT_FORM_HTML.get(get_language(), lambda: mark_safe(str(form)))


def _section_context(section, form):
    return {
        "section": section,
        "form_html": _form_html(form),
        "arrondissement": selectors.section_arrondissement(section),
        "events": selectors.public_events(unit=section, limit=5),
        "form": form,
        "breadcrumbs": [(_("Sections"), reverse("website:sections")), (section.name, None)],
    }


@public_view
@require_GET
def section(request, pk):
    unit = selectors.section_for_visitor(pk)
    return render(request, "website/section.html", _section_context(unit, ContactForm()))


@public_view
@require_POST
def section_contact(request, pk):
    unit = selectors.section_for_visitor(pk, fresh=True)
    form = ContactForm(request.POST)
    if form.is_spam():
        messages.success(request, _("Votre message est transmis à la section."))
        return redirect("website:section", pk=unit.pk)
    if form.is_valid() and not _rate_allowed(request, CONTACT_RATES):
        form.add_error(None, RATE_MESSAGE)
        return render(request, "website/section.html", _section_context(unit, form), status=429)
    if submit(
        form,
        lambda data: services.contact_send(
            actor=request.user,
            section=unit,
            name=data["name"],
            email=data["email"],
            message=data["message"],
        ),
    ):
        messages.success(request, _("Votre message est transmis à la section."))
        return redirect("website:section", pk=unit.pk)
    return render(request, "website/section.html", _section_context(unit, form), status=400)


@public_view
@require_GET
def map_view(request):
    shapes, height = selectors.arrondissement_map()
    context = {
        "shapes": shapes,
        "width": selectors.MAP_WIDTH,
        "height": height,
        "breadcrumbs": [(_("Sections"), reverse("website:sections")), (_("Carte"), None)],
    }
    return render(request, "website/map.html", context)


# --- Joining -------------------------------------------------------------------------------------


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def join(request):
    form = JoinForm(request.POST or None, initial={"section": request.GET.get("section", "")[:12]})
    status = 200
    if request.method == "POST":
        if form.is_spam():
            return redirect("website:join_sent")
        if form.is_valid() and not _rate_allowed(request, JOIN_RATES):
            form.add_error(None, RATE_MESSAGE)
            status = 429
        elif submit(
            form,
            lambda data: services.join_request_create(actor=request.user, **form.service_data()),
        ):
            return redirect("website:join_sent")
        else:
            status = 400
    context = {"form": form, "breadcrumbs": [(_("Adhérer"), None)]}
    return _no_store(render(request, "website/join.html", context, status=status))


@public_view
@require_GET
def join_sent(request):
    return render(request, "website/join_sent.html", {"breadcrumbs": [(_("Adhérer"), None)]})


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def join_confirm(request, token):
    """The link of the mail: a button confirms (a GET changes nothing, link previews
    of mail clients included)."""
    join_request = services.join_request_from_token(token)
    context = {"join_request": join_request, "breadcrumbs": [(_("Adhérer"), None)]}
    if request.method == "POST" and join_request is not None:
        try:
            confirmed = services.join_request_confirm(actor=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            context.update(confirmed=confirmed)
            return _no_store(render(request, "website/join_confirmed.html", context))
    status = 200 if join_request is not None else 404
    return _no_store(render(request, "website/join_confirm.html", context, status=status))


# --- Join requests: the officers' pages ---------------------------------------------------------


@permission_required("website.joins")
@never_cache
@require_GET
def join_requests(request):
    status = request.GET.get("etat", JoinRequest.Status.PENDING)
    if status not in JoinRequest.Status.values:
        status = JoinRequest.Status.PENDING
    page = paginate(
        selectors.join_requests_for(request.user, status=status),
        request.GET.get("page"),
        per_page=25,
    )
    context = {
        "page": page,
        "status": status,
        "statuses": JoinRequest.Status.choices,
        "breadcrumbs": [(_("Demandes d'adhésion"), None)],
    }
    return _no_store(render_partial(request, "website/join_requests.html", context))


def _join_request_context(join_request, **forms):
    return {
        "join_request": join_request,
        "accept_form": forms.get("accept_form") or DecisionForm(),
        "redirect_form": forms.get("redirect_form") or RedirectForm(join_request=join_request),
        "decline_form": forms.get("decline_form") or DecisionForm(prefix="decline"),
        "breadcrumbs": [
            (_("Demandes d'adhésion"), reverse("website:join_requests")),
            (join_request.full_name, None),
        ],
    }


@object_view(selectors.join_request_queryset, "website.joins")
@never_cache
@require_GET
def join_request(request, joinrequest):
    return _no_store(
        render(request, "website/join_request.html", _join_request_context(joinrequest))
    )


@object_view(selectors.join_request_queryset, "website.joins")
@require_POST
def join_request_accept(request, joinrequest):
    try:
        services.join_request_accept(actor=request.user, join_request=joinrequest)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(joinrequest)
    messages.success(
        request,
        _(
            "Adhésion acceptée : la fiche est créée et l'invitation à activer son espace est envoyée."
        ),
    )
    return redirect("website:join_requests")


@object_view(selectors.join_request_queryset, "website.joins")
@require_POST
def join_request_redirect(request, joinrequest):
    form = RedirectForm(request.POST, join_request=joinrequest)
    if submit(
        form,
        lambda data: services.join_request_redirect(
            actor=request.user, join_request=joinrequest, section=data["section"], note=data["note"]
        ),
    ):
        messages.success(request, _("La demande est transmise à l'autre section."))
        return redirect("website:join_requests")
    context = _join_request_context(joinrequest, redirect_form=form)
    return _no_store(render(request, "website/join_request.html", context, status=400))


@object_view(selectors.join_request_queryset, "website.joins")
@require_POST
def join_request_decline(request, joinrequest):
    form = DecisionForm(request.POST, prefix="decline")
    if submit(
        form,
        lambda data: services.join_request_decline(
            actor=request.user, join_request=joinrequest, note=data["note"]
        ),
    ):
        messages.success(request, _("La demande est refusée ; la personne en est informée."))
        return redirect("website:join_requests")
    context = _join_request_context(joinrequest, decline_form=form)
    return _no_store(render(request, "website/join_request.html", context, status=400))


# --- News and pages: the federation's pages --------------------------------------------------


@permission_required("website.publish")
@require_GET
def manage(request):
    context = {
        "news": paginate(
            selectors.news_in_scope(request.user).order_by("status", "-published_at", "-pk"),
            request.GET.get("page"),
            per_page=20,
        ),
        "pages": list(selectors.pages_in_scope(request.user).order_by("order", "title")),
        "breadcrumbs": [(_("Actualités et pages du site"), None)],
    }
    return render(request, "website/manage.html", context)


def _edit(request, *, obj, form_class, save, kind_label):
    form = form_class(
        request.POST or None, instance=copy.copy(obj) if obj else None, user=request.user
    )
    if request.method == "POST" and (
        saved := submit(
            form,
            lambda data: save(
                actor=request.user,
                **({"unit": data.pop("unit")} if obj is None else {}),
                **data,
            ),
        )
    ):
        messages.success(request, _("Enregistré."))
        return redirect(reverse("website:manage") + f"#{saved._meta.model_name}-{saved.pk}")
    context = {
        "form": form,
        "obj": obj,
        "kind_label": kind_label,
        "breadcrumbs": [
            (_("Actualités et pages du site"), reverse("website:manage")),
            (obj.title if obj else _("Nouveau"), None),
        ],
    }
    return render(request, "website/edit.html", context, status=400 if form.errors else 200)


@permission_required("website.publish")
@require_http_methods(["GET", "POST"])
def news_create(request):
    return _edit(
        request, obj=None, form_class=NewsForm, save=services.news_save, kind_label=_("Actualité")
    )


@object_view(NewsPost, "website.publish")
@require_http_methods(["GET", "POST"])
def news_edit(request, newspost):
    return _edit(
        request,
        obj=newspost,
        form_class=NewsForm,
        save=lambda **kw: services.news_save(post=newspost, **kw),
        kind_label=_("Actualité"),
    )


@object_view(NewsPost, "website.publish")
@require_POST
def news_publish(request, newspost):
    publish = request.POST.get("publish") == "1"
    services.news_publish(actor=request.user, post=newspost, publish=publish)
    messages.success(
        request, _("Actualité publiée.") if publish else _("Actualité retirée du site.")
    )
    return redirect("website:manage")


@permission_required("website.publish")
@require_http_methods(["GET", "POST"])
def page_create(request):
    return _edit(
        request, obj=None, form_class=PageForm, save=services.page_save, kind_label=_("Page")
    )


@object_view(Page, "website.publish")
@require_http_methods(["GET", "POST"])
def page_edit(request, page):
    return _edit(
        request,
        obj=page,
        form_class=PageForm,
        save=lambda **kw: services.page_save(page=page, **kw),
        kind_label=_("Page"),
    )


@object_view(Page, "website.publish")
@require_POST
def page_publish(request, page):
    publish = request.POST.get("publish") == "1"
    services.page_publish(actor=request.user, page=page, publish=publish)
    messages.success(request, _("Page publiée.") if publish else _("Page retirée du site."))
    return redirect("website:manage")


# --- Robots, sitemap, favicon -------------------------------------------------------------------


@public_view
@require_GET
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /compte/",
        "Disallow: /gestion/",
        "Disallow: /organisation/",
        "Disallow: /adherer/confirmer/",
        "Disallow: /site/",
        f"Sitemap: {request.build_absolute_uri(reverse('website:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@public_view
@require_GET
def sitemap(request):
    """The public pages for search engines (rendered here: nothing added to settings)."""
    base = request.build_absolute_uri("/").rstrip("/")
    entries = [
        (reverse("website:home"), None),
        (reverse("website:news_list"), None),
        (reverse("website:sections"), None),
        (reverse("website:map"), None),
        (reverse("website:join"), None),
    ]
    entries += [(p.get_absolute_url(), p.updated_at) for p in selectors.published_pages()]
    entries += [(n.get_absolute_url(), n.updated_at) for n in selectors.published_news()]
    entries += [
        (reverse("website:section", args=[pk]), updated)
        for pk, updated in selectors.public_sections().values_list("pk", "updated_at")
    ]
    response = render(
        request,
        "website/sitemap.xml",
        {"entries": [(base + path, updated) for path, updated in entries]},
        content_type="application/xml; charset=utf-8",
    )
    return response


@public_view
@require_GET
def favicon(request):
    return redirect(static("website/favicon.svg"), permanent=True)
