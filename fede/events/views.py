"""Pages of events: agenda, event page, registration, calendars, and the organisers' tools.

Thin views: parse, fetch the URL's event in the user's scope (``Event.objects.in_scope``:
404 outside it), call one service (which authorises the write), render the page or its
htmx partial (``render_partial``).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import login_view, object_view, permission_required, public_view
from fede.core.audit import log_access
from fede.core.exports import stream_csv, stream_xlsx
from fede.core.forms import csrf_input, submit
from fede.core.ics import ics_response
from fede.core.lists import PK_MARK, paginate, render_partial
from fede.core.pdf import pdf_response, render_pdf
from fede.core.uploads import protected_file_response
from fede.organization.models import Unit
from fede.organization.roles import can, units_q

from . import selectors, services
from .calendars import calendar_of, calendar_with_states
from .forms import (
    AgendaFilterForm,
    CancelForm,
    EventForm,
    EventSpeakerForm,
    GuestRegistrationForm,
    InvitationForm,
    MaterialForm,
    PostponeForm,
    SpeakerForm,
)
from .models import (
    ORGANISER_SCOPE,
    VIEW_SCOPE,
    Event,
    EventMaterial,
    EventSpeaker,
    Invitation,
    Registration,
    Speaker,
)
from .qr import qr_svg_data_uri
from .rendering import agenda_filters, agenda_rows, escape_text, month_list, month_rows
from .rules import registration_refusal
from .tokens import CHECKIN, CONFIRM, CONFIRM_MAX_AGE, TICKET, make_token, read_token

PAGE_SIZE = 20


def _agenda_crumb():
    return (_("Agenda"), reverse("events:agenda"))


def _htmx_swap(request) -> bool:
    """An htmx request that swaps a partial (not a history restore, which needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- Agenda ------------------------------------------------------------------------------


@public_view
@require_GET
def agenda(request):
    """Upcoming events the visitor may see, filtered; the #results partial for htmx.

    The partial also refreshes the organiser filter (out of band): choosing a federation
    offers its sections.
    """
    form = AgendaFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page = selectors.agenda_page(request.user, filters, request.GET.get("page"), per_page=PAGE_SIZE)
    rows = agenda_rows(selectors.listing_rows(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    all_days = query.copy()
    all_days.pop("jour", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filters": filters,
        "all_days_url": reverse("events:agenda") + (f"?{all_days.urlencode()}" if all_days else ""),
        "month_url": reverse("events:month") + ("?" + query.urlencode() if query else ""),
        "can_manage": can(request.user, "events.manage"),
        # The partial also refreshes the organiser filter (out of band).
        "refresh_filters": _htmx_swap(request),
        # Called by the template only when it writes the whole page.
        "filter_form": lambda: agenda_filters(
            form, action=reverse("events:agenda"), target="agenda-results"
        ),
    }
    return render_partial(request, "events/agenda.html", context, partial="results")


def _parse_month(value: str | None, day: datetime.date | None = None) -> tuple[int, int]:
    """The month asked for ("2026-12"), else the month of the day filter, else this month."""
    today = day or timezone.localdate()
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            if 1900 < year < 2200 and 1 <= month <= 12:
                return year, month
        except ValueError:
            pass
    return today.year, today.month


@public_view
@require_GET
def month(request):
    """The month grid (Monday first) of visible events; the #calendar partial for htmx.

    Each day shows its first events and links to the list of that day for the others.
    """
    form = AgendaFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    year, month_number = _parse_month(request.GET.get("mois"), filters.day)
    weeks = selectors.month_grid(request.user, filters, year, month_number)
    first = datetime.date(year, month_number, 1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    query = request.GET.copy()
    for name in ("mois", "page", "jour"):
        query.pop(name, None)
    base = query.urlencode()
    query.pop("periode", None)
    day_url = reverse("events:agenda") + "?" + (f"{query.urlencode()}&" if query else "")
    context = {
        "form": form,
        "week_rows": month_rows(weeks, day_url),
        "day_list": month_list(weeks, day_url),
        "month_start": first,
        "month_value": f"{year:04d}-{month_number:02d}",
        "previous_url": f"?mois={previous:%Y-%m}" + (f"&{base}" if base else ""),
        "next_url": f"?mois={following:%Y-%m}" + (f"&{base}" if base else ""),
        "list_url": reverse("events:agenda") + (f"?{base}" if base else ""),
        "has_events": any(day.events for week in weeks for day in week),
        "breadcrumbs": [_agenda_crumb(), (_("Mois"), None)],
        "refresh_filters": _htmx_swap(request),
        "filter_form": lambda: agenda_filters(
            form,
            action=reverse("events:month"),
            target="month-calendar",
            month_value=f"{year:04d}-{month_number:02d}",
        ),
    }
    return render_partial(request, "events/month.html", context, partial="calendar")


# --- Event page --------------------------------------------------------------------------


@public_view
@require_GET
def event_short(request, pk):
    event = selectors.event_for_user(request.user, pk)
    return redirect(event)


@public_view
@require_GET
def event_detail(request, pk, slug):
    """An event page: description, programme, speakers, registration box, organiser tools."""
    event = selectors.event_for_user(request.user, pk, parts=True)
    if slug != (event.slug or "evenement"):
        return redirect(event, permanent=True)
    member = selectors.audience_member(request.user)
    figures, registration = selectors.figures_and_registration_of(event, member)
    manager = request.user.has_perm("events.manage", event)
    context = {
        "event": event,
        **selectors.event_parts(event),
        "figures": figures,
        "registration": registration,
        "member": member,
        "refusal": registration_refusal(event, member),
        "can_manage": manager,
        "guest_form": GuestRegistrationForm(),
        "breadcrumbs": [_agenda_crumb(), (event.title, None)],
    }
    if registration is not None and registration.status in (
        Registration.Status.CONFIRMED,
        Registration.Status.WAITING,
    ):
        context["ticket_url"] = reverse("events:ticket", args=[make_token(registration, TICKET)])
        context["waiting_position"] = selectors.waiting_position(registration)
        if registration.holds_seat:
            context["qr"] = _checkin_qr(request, registration)
    return render(request, "events/event_detail.html", context)


def _checkin_qr(request, registration: Registration) -> str:
    url = request.build_absolute_uri(
        reverse(
            "events:checkin_scan",
            args=[registration.event_id, make_token(registration, CHECKIN)],
        )
    )
    return qr_svg_data_uri(url)


@public_view
@require_GET
def event_ics(request, pk):
    """The event as an .ics file (add to my calendar)."""
    event = selectors.event_for_user(request.user, pk)
    registration = selectors.registration_of(event, selectors.audience_member(request.user))
    attending = registration is not None and registration.holds_seat
    calendar = calendar_of(event.title, [event], for_attendee=attending)
    return ics_response(calendar, f"{event.slug or 'evenement'}.ics")


@public_view
@require_GET
def event_image(request, pk):
    event = selectors.event_for_user(request.user, pk)
    return protected_file_response(event.image, filename="image", inline=True)


@public_view
@require_GET
def speaker_photo(request, pk):
    """A speaker's photo (speakers are public figures presented on event pages)."""
    speaker = get_object_or_404(Speaker, pk=pk)
    return protected_file_response(speaker.photo, filename="photo", inline=True)


@public_view
@require_GET
def material_download(request, pk, material_pk):
    event = selectors.event_for_user(request.user, pk)
    material = get_object_or_404(EventMaterial, pk=material_pk, event=event)
    if not material.file:
        # Never a redirect to an address an organiser typed: the page shows where the
        # link goes and the visitor decides (no open redirect).
        return render(
            request,
            "events/material_link.html",
            {
                "event": event,
                "material": material,
                "host": urlsplit(material.url).hostname or "",
                "safe_scheme": material.url.lower().startswith(("http://", "https://")),
                "breadcrumbs": [_agenda_crumb(), (event.title, event.get_absolute_url())],
            },
        )
    return protected_file_response(material.file, filename=material.original_name or material.title)


# --- Registration ------------------------------------------------------------------------


@object_view(Event, VIEW_SCOPE)
@require_POST
def register(request, event):
    """A member registers in one click."""
    member = selectors.audience_member(request.user)
    if member is None:
        messages.error(request, _("Votre compte n'est pas relié à une fiche d'adhérent·e."))
        return redirect(event)
    try:
        registration = services.registration_create(actor=request.user, event=event, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(event)
    if registration.holds_seat:
        messages.success(
            request, _("Vous êtes inscrit·e. Un e-mail de confirmation vous a été envoyé.")
        )
    else:
        messages.info(
            request,
            _(
                "L'événement est complet : vous êtes sur la liste d'attente. Vous recevrez un e-mail si une place se libère."
            ),
        )
    return redirect(event)


@object_view(Event, VIEW_SCOPE)
@require_POST
def unregister(request, event):
    registration = selectors.registration_of(event, selectors.audience_member(request.user))
    if registration is None or registration.status == Registration.Status.CANCELLED:
        messages.info(request, _("Vous n'étiez pas inscrit·e."))
        return redirect(event)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Votre inscription est annulée."))
    return redirect(request.POST.get("next") if _safe_next(request) else event)


def _safe_next(request) -> bool:
    nxt = request.POST.get("next", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@public_view
@require_POST
def guest_register(request, pk):
    """A guest asks to attend a public event; they confirm from the e-mail sent to them."""
    event = selectors.event_for_user(request.user, pk)
    if event.visibility != Event.Visibility.PUBLIC:
        raise Http404
    form = GuestRegistrationForm(request.POST)
    breadcrumbs = [
        _agenda_crumb(),
        (event.title, event.get_absolute_url()),
        (_("Inscription"), None),
    ]
    if form.is_valid() and not _guest_rate_allowed(request, form.cleaned_data["email"]):
        form.add_error(
            None,
            _(
                "Trop de demandes d'inscription depuis cette connexion ou pour cette adresse. "
                "Réessayez dans quelques minutes."
            ),
        )
        return render(
            request,
            "events/guest_register.html",
            {"event": event, "guest_form": form, "breadcrumbs": breadcrumbs},
            status=429,
        )
    if submit(
        form,
        lambda data: services.registration_create_guest(
            actor=request.user, event=event, name=data["name"], email=data["email"]
        ),
    ):
        return render(
            request,
            "events/guest_pending.html",
            {"event": event, "email": form.cleaned_data["email"], "breadcrumbs": breadcrumbs},
        )
    return render(
        request,
        "events/guest_register.html",
        {"event": event, "guest_form": form, "breadcrumbs": breadcrumbs},
        status=400,
    )


#: Guest registrations sends mails to any address typed in: per client address and per
#: e-mail address, at most this many requests (allauth's syntax: amount/period/per).
GUEST_REGISTER_RATES = {"fede_guest_register": "10/m/ip,20/h/key"}


def _guest_rate_allowed(request, email: str) -> bool:
    """Count one guest registration request; False once over the limits.

    allauth's limiter keeps its counters in the shared cache and reads the client's
    address through the trusted-proxy settings (``ALLAUTH_TRUSTED_PROXY_COUNT``).
    """
    return bool(
        ratelimit.consume(
            request,
            app="fede.events",
            action="fede_guest_register",
            config=GUEST_REGISTER_RATES,
            key=email.strip().lower(),
        )
    )


#: A ticket link works until this long after the end of its event.
TICKET_GRACE = datetime.timedelta(days=1)


def _live_ticket(token: str) -> Registration:
    """The registration of a ticket link, or 404 once the link is dead: the registration
    or the event was cancelled, or the event ended more than a day ago. The page shows a
    name: an old or forwarded link must not."""
    registration = _registration_from_token(token, TICKET)
    if (
        registration.status == Registration.Status.CANCELLED
        or registration.event.is_cancelled
        or registration.event.end + TICKET_GRACE < timezone.now()
    ):
        raise Http404
    return registration


def _no_store(response):
    """Personal data: never kept by a browser or a proxy cache."""
    patch_cache_control(response, no_store=True, private=True)
    return response


def _registration_from_token(token: str, purpose: str, *, max_age=None) -> Registration:
    ids = read_token(token, purpose, max_age=max_age)
    if ids is None:
        raise Http404
    return get_object_or_404(
        Registration.objects.select_related(
            "event", "event__organiser", "event__booking__room__venue", "member"
        ),
        pk=ids[0],
        event_id=ids[1],
    )


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def guest_confirm(request, token):
    """The link of the guest's e-mail: a button confirms (nothing changes on GET)."""
    registration = _registration_from_token(token, CONFIRM, max_age=CONFIRM_MAX_AGE)
    event = registration.event
    if request.method == "POST" and registration.status == Registration.Status.PENDING:
        try:
            registration = services.registration_confirm_guest(
                actor=request.user, registration=registration
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("events:ticket", token=make_token(registration, TICKET))
    if registration.status in (Registration.Status.CONFIRMED, Registration.Status.WAITING):
        return redirect("events:ticket", token=make_token(registration, TICKET))
    return render(
        request,
        "events/guest_confirm.html",
        {
            "registration": registration,
            "event": event,
            "breadcrumbs": [(event.title, None), (_("Confirmer l'inscription"), None)],
        },
    )


@public_view
@never_cache
@require_GET
def ticket(request, token):
    """A registration seen from the link of its e-mail: QR code, calendar, cancellation."""
    registration = _live_ticket(token)
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "token": token,
        "waiting_position": selectors.waiting_position(registration),
        "breadcrumbs": [(event.title, None), (_("Mon inscription"), None)],
    }
    if registration.holds_seat:
        context["qr"] = _checkin_qr(request, registration)
    return _no_store(render(request, "events/ticket.html", context))


@public_view
@require_GET
def ticket_ics(request, token):
    """The event of a registration as .ics, from the e-mail's link (members-only events too)."""
    registration = _live_ticket(token)
    event = registration.event
    calendar = calendar_of(event.title, [event], for_attendee=registration.holds_seat)
    return ics_response(calendar, f"{event.slug or 'evenement'}.ics")


@public_view
@require_POST
def ticket_cancel(request, token):
    """Cancel from the e-mail's link, without logging in. The link dies with the
    registration: the answer is a page without the person's name."""
    registration = _live_ticket(token)
    try:
        services.registration_cancel(actor=request.user, registration=registration, from_link=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("events:ticket", token=token)
    event = registration.event
    return _no_store(
        render(
            request,
            "events/ticket_cancelled.html",
            {
                "event": event,
                "breadcrumbs": [(event.title, None), (_("Inscription annulée"), None)],
            },
        )
    )


# --- Mine and calendars ------------------------------------------------------------------


@login_view
@require_GET
def my_events(request):
    """My upcoming registrations, my past events with attendance, my trainings."""
    member = selectors.audience_member(request.user)
    data = selectors.my_events(member)
    for registration in data["upcoming"]:
        registration.ticket_token = make_token(registration, TICKET)
    context = {
        **data,
        "member": member,
        "breadcrumbs": [_agenda_crumb(), (_("Mes événements"), None)],
    }
    return render_partial(request, "events/my_events.html", context)


@login_view
@require_GET
def feeds(request):
    """Subscription addresses of the calendars (public, my section, mine)."""
    token = services.feed_token_get(actor=request.user)
    member = selectors.audience_member(request.user)
    build = request.build_absolute_uri
    context = {
        "public_url": build(reverse("events:public_feed")),
        "personal_url": build(reverse("events:personal_feed", args=[token.token])),
        "section_url": build(reverse("events:unit_feed", args=[token.token, member.section_id]))
        if member
        else "",
        "section": member.section if member else None,
        "federation_urls": [
            (unit, build(reverse("events:unit_feed", args=[token.token, unit.pk])))
            for unit in Unit.objects.filter(kind=Unit.Kind.FEDERATION, is_active=True).order_by(
                "name"
            )
        ],
        "breadcrumbs": [_agenda_crumb(), (_("S'abonner aux calendriers"), None)],
    }
    return render(request, "events/feeds.html", context)


@login_view
@require_POST
def feed_renew(request):
    services.feed_token_renew(actor=request.user)
    messages.success(request, _("Nouvelles adresses créées : les anciennes ne fonctionnent plus."))
    return redirect("events:feeds")


@public_view
@require_GET
def public_feed(request):
    """The federation's public calendar (public events only, cancellations included)."""
    calendar = calendar_of(_("Agenda public"), selectors.public_feed_events())
    return ics_response(calendar, "agenda-public.ics", inline=True)


@public_view
@require_GET
def personal_feed(request, token):
    """My events, for a calendar app (the secret token stands in for the login)."""
    user = selectors.feed_token_user(token)
    calendar = calendar_with_states(_("Mes événements"), selectors.personal_feed_events(user))
    return ics_response(calendar, "mes-evenements.ics", inline=True)


@public_view
@require_GET
def unit_feed(request, token, unit_pk):
    """A section's (or the federation's) events that the token's user may see."""
    user = selectors.feed_token_user(token)
    unit = get_object_or_404(Unit, pk=unit_pk, kind__in=[Unit.Kind.SECTION, Unit.Kind.FEDERATION])
    calendar = calendar_of(unit.name, selectors.unit_feed_events(user, unit))
    return ics_response(calendar, f"agenda-{unit.code.lower()}.ics", inline=True)


# --- Organisers --------------------------------------------------------------------------


#: The organisers' pages of one event: an organiser gets 404 for an event they do not
#: manage; a user who organises nothing gets 403 (``Event.objects.in_scope``).
managed_event = object_view(
    selectors.managed_events, "events.manage", scope=ORGANISER_SCOPE, arg="event"
)


#: The check-in page reads few columns of its event (and the organiser's path, for the
#: rights and the access log).
checkin_event = object_view(
    selectors.checkin_events, "events.manage", scope=ORGANISER_SCOPE, arg="event"
)


def _manage_crumbs(event: Event, label: str):
    return [
        (_("Organiser"), reverse("events:manage")),
        (event.title, event.get_absolute_url()),
        (label, None),
    ]


@permission_required("events.manage")
@require_GET
def manage(request):
    """The organiser's events: upcoming first, then the recent past, with their figures."""
    now = timezone.now()
    events = selectors.with_listing_data(selectors.events_managed_by(request.user), request.user)
    upcoming = events.upcoming(now).order_by("start", "pk")
    page = paginate(upcoming, request.GET.get("page"), per_page=PAGE_SIZE)
    past = events.past(now).order_by("-start", "-pk")[:10]
    context = {
        "page": page,
        "past": past,
        "breadcrumbs": [_agenda_crumb(), (_("Organiser"), None)],
    }
    return render_partial(request, "events/manage.html", context)


@permission_required("events.manage")
@require_http_methods(["GET", "POST"])
def event_create(request):
    units = selectors.organiser_units_for(request.user)
    form = EventForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        organiser_units=units,
        initial={"organiser": units.first(), "visibility": Event.Visibility.MEMBERS},
    )
    if request.method == "POST" and (
        event := submit(
            form,
            lambda _data: services.event_create(actor=request.user, **form.service_kwargs()),
        )
    ):
        messages.success(
            request,
            _(
                "Brouillon enregistré : seul·es les organisateur·rices le voient. "
                "Vérifiez l'aperçu ci-dessous, puis publiez-le."
            ),
        )
        return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {
            "form": form,
            "breadcrumbs": [
                (_("Organiser"), reverse("events:manage")),
                (_("Nouvel événement"), None),
            ],
        },
        status=400 if form.errors else 200,
    )


@managed_event
@require_http_methods(["GET", "POST"])
def event_update(request, event):
    if event.is_cancelled:
        messages.error(request, _("Un événement annulé ne peut plus être modifié."))
        return redirect(event)
    form = EventForm(
        request.POST or None,
        request.FILES or None,
        instance=event,
        user=request.user,
        organiser_units=selectors.organiser_units_for(request.user),
    )
    # The form's validation writes onto its instance: the service gets a fresh copy.
    original = selectors.managed_events().get(pk=event.pk) if request.method == "POST" else event
    if request.method == "POST" and (
        updated := submit(
            form,
            lambda _data: services.event_update(
                actor=request.user, event=original, **form.service_kwargs()
            ),
        )
    ):
        messages.success(request, _("L'événement est modifié."))
        return redirect(updated)
    return render(
        request,
        "events/event_form.html",
        {"form": form, "event": event, "breadcrumbs": _manage_crumbs(event, _("Modifier"))},
        status=400 if form.errors else 200,
    )


@managed_event
@require_http_methods(["GET", "POST"])
def event_cancel(request, event):
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("L'événement est annulé ; les inscrit·es sont prévenu·es par e-mail.")
            )
        return redirect(event)
    return render(
        request,
        "events/event_cancel.html",
        {
            "form": form,
            "event": event,
            "figures": selectors.event_figures(event),
            "breadcrumbs": _manage_crumbs(event, _("Annuler")),
        },
    )


@managed_event
@require_POST
def event_publish(request, event):
    """A draft goes live: agendas, feeds, public pages, registrations."""
    try:
        services.event_publish(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("L'événement est publié."))
    return redirect(event)


@managed_event
@require_http_methods(["GET", "POST"])
def event_postpone(request, event):
    """Move the event to a new date; registrants are told once, by mail."""
    form = PostponeForm(request.POST or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.event_postpone(
            actor=request.user,
            event=event,
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
        ),
    ):
        messages.success(
            request, _("L'événement est reporté ; les inscrit·es sont prévenu·es par e-mail.")
        )
        return redirect("events:event_short", pk=event.pk)
    return render(
        request,
        "events/event_postpone.html",
        {
            "form": form,
            "event": event,
            "figures": selectors.event_figures(event),
            "breadcrumbs": _manage_crumbs(event, _("Reporter")),
        },
        status=400 if form.errors else 200,
    )


@managed_event
@require_http_methods(["GET", "POST"])
def event_speakers(request, event):
    """Put speakers on the programme of an event."""
    form = EventSpeakerForm(request.POST or None, user=request.user)
    if request.method == "POST" and submit(
        form,
        lambda data: services.event_speaker_add(
            actor=request.user,
            event=event,
            speaker=data["speaker"],
            part=data["part"],
            order=data["order"],
        ),
    ):
        messages.success(request, _("Intervenant·e ajouté·e au programme."))
        return redirect("events:event_speakers", pk=event.pk)
    return render(
        request,
        "events/event_speakers.html",
        {
            "form": form,
            "event": event,
            "speakers": selectors.event_speakers(event),
            "breadcrumbs": _manage_crumbs(event, _("Intervenant·es")),
        },
        status=400 if form.errors else 200,
    )


@managed_event
@require_POST
def event_speaker_remove(request, event, link_pk):
    link = get_object_or_404(EventSpeaker.objects.select_related("event"), pk=link_pk, event=event)
    services.event_speaker_remove(actor=request.user, link=link)
    messages.success(request, _("Intervenant·e retiré·e du programme."))
    return redirect("events:event_speakers", pk=event.pk)


def _sees_names(user, event: Event) -> bool:
    """Lists of people by name (attendees, invitees, exports, sign-in sheet) need the
    member-file capability on the organising unit, as the member list does (its offices
    must have MFA). Other organisers see the figures only."""
    return can(user, "members.view", event.organiser)


ATTENDEES_PER_PAGE = 50


class AttendeeRow:
    """What a check-in row shows of a registration (``_attendee_rows`` adds its HTML)."""

    __slots__ = ("pk", "status", "attended", "name", "where", "is_guest", "toggle_url", "row_html")

    def __init__(self, pk, status, attended, name, where, is_guest):
        self.pk, self.status, self.attended = pk, status, attended
        self.name, self.where, self.is_guest = name, where, is_guest

    @classmethod
    def of(cls, registration: Registration) -> AttendeeRow:
        return cls(
            registration.pk,
            registration.status,
            registration.attended,
            registration.display_name,
            registration.member.section.name
            if registration.member_id
            else registration.guest_email,
            registration.is_guest,
        )

    @classmethod
    def from_values(cls, values) -> AttendeeRow:
        """From a row of ``selectors.attendee_values``: what ``of`` reads of the models."""
        pk, status, attended, guest_name, guest_email, member_id, first, last, section = values
        if member_id is None:
            return cls(pk, status, attended, guest_name or guest_email, guest_email, True)
        return cls(pk, status, attended, f"{first} {last}".strip(), section, False)


def _attendee_rows(request, event: Event, rows: list[AttendeeRow], q: str = "", token=None) -> dict:
    """What the check-in rows show, written once here rather than by tags on each row:
    each row's toggle URL (from one ``reverse``), name and section (or e-mail), and the
    row labels, translated once for the whole list (the ``labels`` of the context). Each
    row gets its ``row_html``: the HTML the ``row`` partial prints, every value escaped
    here."""
    pattern = reverse("events:attendee_toggle", args=[event.pk, PK_MARK])
    head, tail = pattern.rsplit(str(PK_MARK), 1)
    # As {% translate %} would print them (translations are not escaped).
    labels = {
        "guest": mark_safe(_("invité·e")),  # noqa: S308
        "waiting": mark_safe(_("Liste d'attente")),  # noqa: S308
        "confirmed": mark_safe(_("Inscrit·e")),  # noqa: S308
        "present": mark_safe(_("Présent·e")),  # noqa: S308
        "mark_present": mark_safe(_("Marquer présent·e")),  # noqa: S308
    }
    q_input = f'<input type="hidden" name="q" value="{conditional_escape(q)}">' if q else ""
    csrf = None if token is None else csrf_input(token=token)
    for row in rows:
        row.toggle_url = f"{head}{row.pk}{tail}"
        if csrf is None and row.status == Registration.Status.CONFIRMED:
            csrf = csrf_input(request)
        row.row_html = _attendee_row_html(row, labels, q_input, csrf)
    return labels


def _attendee_row_html(registration, labels: dict, q_input: str, csrf) -> str:
    """One check-in row, as the ``row`` partial of ``events/attendees.html`` wrote it."""
    pk = registration.pk
    name = escape_text(registration.name)
    where = escape_text(registration.where)
    confirmed = registration.status == Registration.Status.CONFIRMED
    guest = (
        f' <span class="badge text-bg-light border">{labels["guest"]}</span>'
        if registration.is_guest
        else ""
    )
    waiting = "" if confirmed else f'<div class="small d-sm-none">{labels["waiting"]}</div>'
    state = labels["confirmed"] if confirmed else labels["waiting"]
    if confirmed:
        url = escape_text(registration.toggle_url)
        if registration.attended:
            present = '<input type="hidden" name="present" value="0">'
            button = (
                '<button type="submit" class="btn btn-sm btn-success" aria-pressed="true">\n'
                f"          {labels['present']}"
            )
        else:
            present = '<input type="hidden" name="present" value="1">'
            button = (
                '<button type="submit" class="btn btn-sm btn-outline-secondary" '
                'aria-pressed="false">\n'
                f"          {labels['mark_present']}"
            )
        action = (
            f'\n      <form method="post" action="{url}"\n'
            f'            hx-post="{url}" hx-target="#registration-{pk}" hx-swap="outerHTML">\n'
            f"        {csrf}\n"
            f"        {present}\n"
            f"        {q_input}\n"
            f'        {button}<span class="visually-hidden"> : {name}</span>\n'
            "        </button>\n"
            "      </form>\n    "
        )
    else:
        action = "—"
    return mark_safe(  # noqa: S308 (every value above is escaped)
        f'<tr id="registration-{pk}">\n'
        f"  <td>{name}{guest}\n"
        f'    <div class="small text-body-secondary d-sm-none">{where}</div>\n'
        f"    {waiting}</td>\n"
        f'  <td class="small d-none d-sm-table-cell">{where}</td>\n'
        f'  <td class="d-none d-sm-table-cell">{state}</td>\n'
        "  <td>\n"
        f"    {action}\n"
        "  </td>\n"
        "</tr>"
    )


@checkin_event
@never_cache
@require_GET
def attendees(request, event):
    """Check-in: searchable list of registrants (#rows partial), figures, "présent" toggle.

    Without ``members.view`` on the organiser: the figures only (no names, sections or
    e-mails); check-in is then done by scanning tickets."""
    figures = selectors.event_figures(event)
    context = {
        "event": event,
        "figures": figures,
        "sees_names": _sees_names(request.user, event),
        "breadcrumbs": _manage_crumbs(event, _("Participants")),
    }
    if context["sees_names"]:
        q = request.GET.get("q", "").strip()[:100]
        rows = selectors.attendee_values(event, q)
        # Without a search the figures already counted the rows (confirmed + waiting).
        total = None if q else figures["registered"] + figures["waiting"]
        page = paginate(rows, request.GET.get("page"), per_page=ATTENDEES_PER_PAGE, total=total)
        page.object_list = [AttendeeRow.from_values(values) for values in page.object_list]
        log_access(
            actor=request.user,
            action="list",
            code="events.attendees_list",
            params={"event": event.pk},
            obj=event,
            row_count=len(page.object_list),
            detail={"q": q} if q else None,
        )
        # One CSRF token for the page and its rows (each ``get_token`` masks it anew).
        context["csrf_token"] = get_token(request)
        labels = _attendee_rows(request, event, page.object_list, q, context["csrf_token"])
        # The rows as the template's loop over the ``row`` partial printed them.
        rows_html = "".join(f"\n\n{row.row_html}\n" for row in page.object_list)
        context.update(page=page, q=q, labels=labels, rows_html=mark_safe(rows_html))  # noqa: S308 - rows escaped
    return _no_store(render_partial(request, "events/attendees.html", context))


@managed_event
@require_POST
def attendee_toggle(request, event, registration_pk):
    """Mark present / not present; htmx swaps the row and the figures (out of band),
    others get the page back."""
    if not _sees_names(request.user, event):
        raise PermissionDenied
    registration = selectors.registration_of_event(event, registration_pk)
    present = request.POST.get("present") == "1"
    try:
        registration = services.registration_check_in(
            actor=request.user, registration=registration, present=present
        )
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect("events:attendees", pk=event.pk)
    if request.htmx:
        row = AttendeeRow.of(registration)
        return _no_store(
            render(
                request,
                "events/attendees.html#toggled",
                {
                    "event": event,
                    "registration": row,
                    "labels": _attendee_rows(request, event, [row]),
                    "figures": selectors.event_figures(event),
                    "sees_names": True,
                },
            )
        )
    url = reverse("events:attendees", args=[event.pk])
    if request.POST.get("q"):
        url += "?" + urlencode({"q": request.POST["q"][:100]})
    return redirect(url)


EXPORT_FORMATS = ("csv", "xlsx")


@managed_event
@require_GET
def registrations_export(request, event, fmt):
    """Registrations and attendance as CSV or XLSX (names: ``members.view``; logged)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    if not _sees_names(request.user, event):
        raise PermissionDenied
    rows = selectors.export_rows(event)
    log_access(
        actor=request.user,
        action="export",
        code="events.registrations_export",
        params={"event": event.pk, "format": fmt},
        obj=event,
        row_count=selectors.export_count(event),
    )
    headers = [
        _("Nom"),
        _("Prénom"),
        _("Numéro d'adhérent·e"),
        _("Section"),
        _("E-mail (invité·e)"),
        _("État"),
        _("Inscrit·e le"),
        _("Présent·e"),
        _("Pointé·e le"),
    ]
    name = f"inscriptions-{event.pk}-{event.slug or 'evenement'}"
    if fmt == "csv":
        response = stream_csv(rows, headers, f"{name}.csv")
    else:
        response = stream_xlsx(rows, headers, f"{name}.xlsx", sheet_title=_("Inscriptions"))
    return _no_store(response)


#: Blank lines at the end of the sign-in sheet, for people who come without registering.
WALK_IN_LINES = 15


@managed_event
@require_GET
def sign_in_sheet(request, event):
    """A printable sign-in sheet (PDF): registrants in alphabetical order, then blank
    lines for walk-ins (names: ``members.view``; logged)."""
    if not _sees_names(request.user, event):
        raise PermissionDenied
    registrants = selectors.sign_in_rows(event)
    log_access(
        actor=request.user,
        action="export",
        code="events.sign_in_sheet",
        params={"event": event.pk},
        obj=event,
        row_count=len(registrants),
    )
    pdf = render_pdf(
        "events/sign_in_sheet.html",
        {"event": event, "registrants": registrants, "blank_lines": range(WALK_IN_LINES)},
        request=request,
    )
    return _no_store(pdf_response(pdf, f"emargement-{event.pk}.pdf"))


@managed_event
@require_GET
def attendance(request, event):
    """Attendance figures after the event, and for its series of meetings (the events
    held in the rooms of the same recurring booking)."""
    context = {
        "event": event,
        "figures": selectors.event_figures(event),
        "series": selectors.series_attendance(event),
        "breadcrumbs": _manage_crumbs(event, _("Bilan de présence")),
    }
    return render(request, "events/attendance.html", context)


@managed_event
@never_cache
@require_http_methods(["GET", "POST"])
def checkin_scan(request, event, token):
    """The QR code of a registration, scanned by an organiser: a button marks them present.

    The page names the person only to organisers who may see members' names."""
    ids = read_token(token, CHECKIN)
    if ids is None or ids[1] != event.pk:
        raise Http404
    registration = selectors.registration_of_event(event, ids[0])
    sees_names = _sees_names(request.user, event)
    if request.method == "POST":
        try:
            registration = services.registration_check_in(
                actor=request.user, registration=registration, present=True
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s est pointé·e présent·e.") % {"name": registration.display_name}
                if sees_names
                else _("Inscription n°%(number)s pointée présente.") % {"number": registration.pk},
            )
    if sees_names:
        log_access(
            actor=request.user,
            action="view",
            code="events.checkin_scan",
            params={"event": event.pk, "registration": registration.pk},
            obj=event,
            row_count=1,
        )
    return _no_store(
        render(
            request,
            "events/checkin_scan.html",
            {
                "event": event,
                "registration": registration,
                "sees_names": sees_names,
                "breadcrumbs": _manage_crumbs(event, _("Pointage")),
            },
        )
    )


@managed_event
@require_http_methods(["GET", "POST"])
def materials(request, event):
    """Files and links kept after the event."""
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.material_add(
            actor=request.user,
            event=event,
            title=data["title"],
            file=data.get("file"),
            url=data.get("url") or "",
        ),
    ):
        messages.success(request, _("Document ajouté."))
        return redirect("events:materials", pk=event.pk)
    return render(
        request,
        "events/materials.html",
        {
            "form": form,
            "event": event,
            "materials": selectors.event_materials(event),
            "breadcrumbs": _manage_crumbs(event, _("Documents")),
        },
        status=400 if form.errors else 200,
    )


@managed_event
@require_POST
def material_remove(request, event, material_pk):
    material = get_object_or_404(
        EventMaterial.objects.select_related("event"), pk=material_pk, event=event
    )
    services.material_remove(actor=request.user, material=material)
    messages.success(request, _("Document retiré."))
    return redirect("events:materials", pk=event.pk)


@managed_event
@never_cache
@require_http_methods(["GET", "POST"])
def invitations(request, event):
    """The invitation list of an event "sur invitation".

    Whole sections, and the list of invitees by name, need ``members.view`` (as the
    member list); other organisers invite by membership number and see a count."""
    sees_names = _sees_names(request.user, event)
    scope = Unit.objects.filter(units_q(request.user, "events.manage")).filter(
        path__startswith=event.organiser.path
    )
    form = InvitationForm(
        request.POST or None,
        scope_units=scope,
        section_units=scope.filter(units_q(request.user, "members.view")) if sees_names else None,
    )
    if request.method == "POST" and form.is_valid():
        members = form.members()
        created = services.invitation_add(actor=request.user, event=event, members=members)
        missing = len(form.cleaned_data["number_list"]) - len(
            {m.membership_number for m in members} & set(form.cleaned_data["number_list"])
        )
        messages.success(
            request, _("%(count)s invitation(s) envoyée(s).") % {"count": len(created)}
        )
        if missing:
            messages.warning(
                request,
                _(
                    "%(count)s numéro(s) introuvable(s) parmi les adhérent·es de l'unité organisatrice."
                )
                % {"count": missing},
            )
        return redirect("events:invitations", pk=event.pk)
    context = {
        "form": form,
        "event": event,
        "sees_names": sees_names,
        "breadcrumbs": _manage_crumbs(event, _("Invitations")),
    }
    if sees_names:
        page = paginate(selectors.invitations_of(event), request.GET.get("page"), per_page=50)
        log_access(
            actor=request.user,
            action="list",
            code="events.invitations_list",
            params={"event": event.pk},
            obj=event,
            row_count=len(page.object_list),
        )
        context["page"] = page
    else:
        context["invited_count"] = event.invitations.count()
    response = render_partial(request, "events/invitations.html", context)
    if form.errors:
        response.status_code = 400
    return _no_store(response)


@managed_event
@require_POST
def invitation_remove(request, event, invitation_pk):
    invitation = get_object_or_404(
        Invitation.objects.select_related("event"), pk=invitation_pk, event=event
    )
    services.invitation_remove(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation retirée."))
    return redirect("events:invitations", pk=event.pk)


# --- Speakers directory ------------------------------------------------------------------


@permission_required("events.manage_speakers")
@require_GET
def speaker_list(request):
    q = request.GET.get("q", "").strip()[:100]
    speakers = (
        Speaker.objects.in_scope(request.user, VIEW_SCOPE)
        .select_related("owner")
        .order_by("name", "pk")
    )
    editable = set(
        Speaker.objects.in_scope(request.user, "events.manage_speakers").values_list(
            "pk", flat=True
        )
    )
    for word in q.replace("\x00", "").split()[:4]:
        speakers = speakers.filter(Q(name__icontains=word) | Q(affiliation__icontains=word))
    page = paginate(speakers, request.GET.get("page"), per_page=PAGE_SIZE)
    return render_partial(
        request,
        "events/speaker_list.html",
        {
            "page": page,
            "q": q,
            "editable": editable,
            "breadcrumbs": [
                (_("Organiser"), reverse("events:manage")),
                (_("Intervenant·es"), None),
            ],
        },
    )


@permission_required("events.manage_speakers")
@require_http_methods(["GET", "POST"])
def speaker_create(request):
    owners = Unit.objects.filter(pk__in=services.speaker_owner_ids(request.user)).order_by("name")
    form = SpeakerForm(request.POST or None, request.FILES or None, owners=owners)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""  # only a page of this site (the event's programme)
    if request.method == "POST" and submit(
        form,
        lambda _data: services.speaker_create(actor=request.user, **form.service_kwargs()),
    ):
        messages.success(request, _("Intervenant·e ajouté·e à l'annuaire."))
        # Created from an event's programme: back to it.
        if back:
            return redirect(back)
        return redirect("events:speaker_list")
    return render(
        request,
        "events/speaker_form.html",
        {
            "form": form,
            "next": back,
            "breadcrumbs": [
                (_("Intervenant·es"), reverse("events:speaker_list")),
                (_("Nouvel·le intervenant·e"), None),
            ],
        },
        status=400 if form.errors else 200,
    )


@object_view(Speaker, "events.manage_speakers")
@require_http_methods(["GET", "POST"])
def speaker_update(request, speaker):
    # The form's validation writes onto its instance: the service gets the stored record.
    stored = Speaker.objects.get(pk=speaker.pk) if request.method == "POST" else speaker
    form = SpeakerForm(request.POST or None, request.FILES or None, instance=speaker)
    if request.method == "POST" and submit(
        form,
        lambda _data: services.speaker_update(
            actor=request.user, speaker=stored, **form.service_kwargs()
        ),
    ):
        messages.success(request, _("Fiche mise à jour."))
        return redirect("events:speaker_list")
    return render(
        request,
        "events/speaker_form.html",
        {
            "form": form,
            "speaker": speaker,
            "breadcrumbs": [
                (_("Intervenant·es"), reverse("events:speaker_list")),
                (stored.name, None),
            ],
        },
        status=400 if form.errors else 200,
    )
