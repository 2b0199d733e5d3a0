"""Views of the rooms app: parse, authorise, call one service or selector, render.

Members (and officers) see the directory and the grids; officers book for the sections in
their scope; federation staff approve, refuse and manage venues and rooms. Objects of the
URL are fetched by ``object_view`` through their QuerySet's ``in_scope``: out of scope is a
404. Whether a write is allowed is decided by the service (PermissionDenied: 403).
"""

from __future__ import annotations

import contextlib
import datetime
from math import ceil

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import get_in_scope_or_404, object_view, permission_required, public_view
from fede.core.forms import submit
from fede.core.ics import ics_response, make_calendar, make_event
from fede.core.lists import Page, page_number, paginate, render_partial
from fede.core.uploads import protected_file_response
from fede.organization.roles import can, capabilities_anywhere

from . import selectors, services, slots
from .forms import (
    BookingEditForm,
    BookingForm,
    DirectoryFilterForm,
    PhotoForm,
    RefuseForm,
    RoomForm,
    VenueForm,
)
from .models import Booking, Room, RoomPhoto, Venue
from .rendering import (
    agenda_days_html,
    directory_card_list,
    room_badges_html,
    venue_week_rows,
    week_rows,
)

PAGE_SIZE = 20


def _caps(request):
    return capabilities_anywhere(request.user)


def _crumbs(*items):
    return [(_("Salles"), reverse("rooms:directory")), *items]


def _page_of_ids(ids: list[int], page_param) -> Page:
    """One page of a list of ids already computed in full (the directory's)."""
    count = len(ids)
    number = min(page_number(page_param), max(1, ceil(count / PAGE_SIZE)))
    offset = (number - 1) * PAGE_SIZE
    return Page(
        object_list=ids[offset : offset + PAGE_SIZE],
        number=number,
        per_page=PAGE_SIZE,
        has_next=offset + PAGE_SIZE < count,
        count=count,
    )


def _week_from(request) -> datetime.date:
    monday = slots.parse_week(request.GET.get("semaine"))
    if monday is None:
        day = slots.parse_day(request.GET.get("jour")) or slots.today()
        monday = slots.monday_of(day)
    return monday


# --- Directory and availability ------------------------------------------------------------


@require_GET
@permission_required("rooms.view")
def directory(request):
    """Rooms with filters: arrondissement, capacity, step-free, equipment, free on a slot."""
    form = DirectoryFilterForm(request.GET or None)
    filters = form.to_filters()
    # Page over the ids (counted in Python), then load only the page's rooms.
    page = _page_of_ids(
        selectors.directory_room_ids(filters, actor=request.user), request.GET.get("page")
    )
    slot = filters.slot
    book_query = ""
    if slot is not None:
        # The same "book this slot" query string on every card, built once.
        # Dates, times and a number: nothing to quote.
        book = [
            ("date", slots.local(slot[0]).date().isoformat()),
            ("debut", slots.format_time(slot[0])),
            ("fin", slots.format_time(slot[1])),
        ]
        if filters.capacity:
            book.append(("participants", filters.capacity))
        book_query = "&".join(f"{key}={value}" for key, value in book)
    can_book = "rooms.book" in _caps(request)
    page.object_list = directory_card_list(
        page.object_list, book_query=book_query, bookable=bool(slot and can_book)
    )
    return render_partial(
        request,
        "rooms/directory.html",
        {
            "form": form,
            "filter_fields": form.fields_html(),
            "page": page,
            "rooms": page.object_list,
            "slot": slot,
            "filters": filters,
            "book_query": book_query,
            "can_book": can_book,
            "breadcrumbs": [(_("Salles"), None)],
        },
        partial="directory",
    )


@require_GET
@object_view(selectors.room_page_queryset, "rooms.view")
def room_detail(request, room):
    """A room: what it offers, its rules and its week grid (htmx: the grid alone)."""
    monday = _week_from(request)
    facts = selectors.room_facts(room.pk)
    grid = selectors.room_week(
        room,
        monday,
        can_see=selectors.scope_checker(request.user),
        opening_hours=facts.opening_hours,
    )
    agenda_days_html(grid)
    return render_partial(
        request,
        "rooms/room_detail.html",
        {
            "room": room,
            "badges": mark_safe(room_badges_html(room, facts.equipment)),  # noqa: S308 - escaped
            "photos": facts.photos,
            "grid": grid,
            "week_rows": week_rows(grid),
            "opening_hours": list(facts.opening_hours),
            "can_book": "rooms.book" in _caps(request),
            "can_manage": can(request.user, "rooms.manage"),
            "ics_url": request.build_absolute_uri(reverse("rooms:room_ics", args=[room.ics_token])),
            "breadcrumbs": _crumbs(
                (room.venue.name, room.venue.get_absolute_url()), (room.name, None)
            ),
        },
        partial="grid",
    )


@require_GET
@object_view(selectors.venue_queryset, "rooms.view")
def venue_detail(request, venue):
    """A venue and the week of all its rooms (htmx: the grid alone)."""
    monday = _week_from(request)
    days, rows = selectors.venue_week(venue, monday, can_see=selectors.scope_checker(request.user))
    return render_partial(
        request,
        "rooms/venue_detail.html",
        {
            "venue": venue,
            "days": days,
            "rows": rows,
            "row_html": venue_week_rows(rows),
            "monday": monday,
            "week": slots.week_param(monday),
            "previous_week": slots.week_param(monday - datetime.timedelta(days=7)),
            "next_week": slots.week_param(monday + datetime.timedelta(days=7)),
            "sunday": days[-1],
            "today": slots.today(),
            "breadcrumbs": _crumbs((venue.name, None)),
        },
        partial="grid",
    )


@require_GET
@object_view(selectors.venue_queryset, "rooms.view")
def venue_day(request, venue):
    """One day of a venue: rooms × hours (htmx: the table alone)."""
    day = slots.parse_day(request.GET.get("jour")) or slots.today()
    hours, rows = selectors.venue_day(venue, day, can_see=selectors.scope_checker(request.user))
    return render_partial(
        request,
        "rooms/venue_day.html",
        {
            "venue": venue,
            "day": day,
            "hours": hours,
            "rows": rows,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "week": slots.week_param(slots.monday_of(day)),
            "breadcrumbs": _crumbs(
                (venue.name, venue.get_absolute_url()), (slots.format_day(day), None)
            ),
        },
        partial="day",
    )


@public_view
@require_GET
def room_ics(request, token):
    """The room's calendar for calendar apps, at a secret address (no login possible).

    It shows only "Réservé — <section>" and the times: never the purpose or the people.
    Cancelled bookings stay in the feed as CANCELLED so subscribed clients remove them.
    """
    room = get_object_or_404(Room.objects.select_related("venue"), ics_token=token, is_active=True)
    since = timezone.now() - datetime.timedelta(days=30)
    bookings = (
        room.bookings.filter(end__gte=since)
        .filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.CANCELLED])
        .select_related("section")
        .order_by("start")
    )
    calendar = make_calendar(f"{room.venue.name} — {room.name}")
    location = f"{room.venue.name}, {room.venue.address}"
    for booking in bookings:
        cancelled = booking.status == Booking.Status.CANCELLED
        calendar.add_component(
            make_event(
                uid=f"booking-{booking.pk}@fede",
                start=booking.start,
                end=booking.end,
                summary=_("Réservé — %(section)s") % {"section": booking.section.name},
                location=location,
                status="CANCELLED" if cancelled else "CONFIRMED",
                sequence=1 if cancelled else 0,
                last_modified=booking.updated_at,
            )
        )
    response = ics_response(calendar, f"salle-{room.pk}.ics", inline=True)
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
@object_view(RoomPhoto, "rooms.view", arg="photo")
def room_photo(request, photo):
    """A room photo, served only to people who may see the directory."""
    return protected_file_response(photo.image, filename=f"salle-{photo.room_id}", inline=True)


# --- Booking ---------------------------------------------------------------------------------


def _initial_from_query(request) -> dict:
    initial = {}
    day = slots.parse_day(request.GET.get("date"))
    if day:
        initial["date"] = day
    for key in ("debut", "fin"):
        value = request.GET.get(key, "")
        with contextlib.suppress(ValueError):
            initial[key] = datetime.time.fromisoformat(value)
    if (request.GET.get("participants") or "").isdigit():
        initial["expected_attendance"] = int(request.GET["participants"])
    return initial


@require_http_methods(["GET", "POST"])
@permission_required("rooms.book")
def booking_create(request, pk):
    """Request a room for a section; a repeated request goes through a preview first."""
    room = get_in_scope_or_404(
        selectors.room_detail_queryset(), actor=request.user, capability="rooms.book", pk=pk
    )
    form = BookingForm(
        request.POST or None, user=request.user, room=room, initial=_initial_from_query(request)
    )
    context = {
        "room": room,
        "form": form,
        # Approvers' own requests are confirmed at once (see services.booking_create).
        "needs_approval": room.requires_approval and not can(request.user, "rooms.approve"),
        "breadcrumbs": _crumbs(
            (room.venue.name, room.venue.get_absolute_url()),
            (room.name, room.get_absolute_url()),
            (_("Réserver"), None),
        ),
    }
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data.get("repeat"):
            return _series_step(request, room, form, context)
        booking = submit(
            form,
            lambda data: services.booking_create(
                actor=request.user,
                room=room,
                section=data["section"],
                start=form.start,
                end=form.end,
                purpose=data["purpose"],
                expected_attendance=data["expected_attendance"],
                notes=data.get("notes", ""),
            ),
        )
        if booking:
            if booking.holds_slot:
                messages.success(request, _("La salle est réservée pour vous."))
            else:
                messages.success(
                    request,
                    _(
                        "Votre demande est enregistrée. La fédération doit la valider : "
                        "vous serez prévenu·e par e-mail."
                    ),
                )
            return redirect(booking)
    return render(request, "rooms/booking_form.html", context)


def _series_step(request, room, form, context):
    data = form.cleaned_data
    occurrences = services.series_preview(
        room=room,
        section=data["section"],
        first=data["date"],
        start_time=data["debut"],
        end_time=data["fin"],
        frequency=data["repeat"],
        until=data["until"],
        expected_attendance=data["expected_attendance"],
    )
    if "confirm" in request.POST:
        chosen = set()
        for value in request.POST.getlist("occurrences"):
            day = slots.parse_day(value)
            if day:
                chosen.add(day)
        skip = {occ.day for occ in occurrences} - chosen
        if not chosen:
            form.add_error(None, _("Cochez au moins une date à réserver."))
        elif result := submit(
            form,
            lambda data: services.booking_series_create(
                actor=request.user,
                room=room,
                section=data["section"],
                first=data["date"],
                start_time=data["debut"],
                end_time=data["fin"],
                frequency=data["repeat"],
                until=data["until"],
                purpose=data["purpose"],
                expected_attendance=data["expected_attendance"],
                notes=data.get("notes", ""),
                skip=skip,
            ),
        ):
            messages.success(
                request,
                ngettext(
                    "%(count)s date réservée.",
                    "%(count)s dates réservées.",
                    len(result.created),
                )
                % {"count": len(result.created)},
            )
            for day, reason in result.skipped:
                messages.warning(
                    request,
                    _("%(day)s non réservé : %(reason)s")
                    % {"day": slots.format_day(day), "reason": reason},
                )
            return redirect(result.created[0])
    context.update(
        {
            "occurrences": occurrences,
            "bookable": sum(1 for o in occurrences if o.ok),
            "frequency_label": dict(form.REPEAT_CHOICES).get(data["repeat"], ""),
        }
    )
    return render(request, "rooms/booking_preview.html", context)


@require_GET
@permission_required("rooms.book")
def my_bookings(request):
    """Bookings of the user's sections, upcoming or past."""
    past = request.GET.get("periode") == "passees"
    qs = selectors.bookings_of_user_sections(request.user, upcoming=not past)
    page = paginate(qs, request.GET.get("page"), per_page=PAGE_SIZE)
    return render_partial(
        request,
        "rooms/my_bookings.html",
        {
            "page": page,
            "bookings": page.object_list,
            "past": past,
            "breadcrumbs": _crumbs((_("Réservations de mes sections"), None)),
        },
    )


@require_GET
@object_view(selectors.booking_detail_queryset, "rooms.view")
def booking_detail(request, booking):
    """A booking of a section in the user's scope (404 otherwise)."""
    series_bookings = []
    if booking.series_id:
        series_bookings = list(
            booking.series.bookings.select_related("room").order_by("start")[:100]
        )
    # What to offer; the services decide again when the form is sent.
    may_book = can(request.user, "rooms.book", booking.section)
    may_approve = can(request.user, "rooms.approve", booking.section)
    ongoing = booking.is_open and booking.end > timezone.now()
    return render(
        request,
        "rooms/booking_detail.html",
        {
            "booking": booking,
            "series_bookings": series_bookings,
            "can_change": ongoing and may_book,
            "can_cancel": ongoing and (may_book or may_approve),
            "can_decide": booking.status == Booking.Status.PENDING and may_approve,
            "refuse_form": RefuseForm(),
            "breadcrumbs": _crumbs(
                (booking.room.name, booking.room.get_absolute_url()),
                (_("Réservation"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.booking_detail_queryset, "rooms.book", scope="rooms.view")
def booking_edit(request, booking):
    """Change the purpose, attendance or notes of a booking of one's section."""
    form = BookingEditForm(
        request.POST or None,
        initial={
            "purpose": booking.purpose,
            "expected_attendance": booking.expected_attendance,
            "notes": booking.notes,
        },
    )
    if request.method == "POST" and submit(
        form,
        lambda data: services.booking_update(actor=request.user, booking=booking, **data),
    ):
        messages.success(request, _("Réservation modifiée."))
        return redirect(booking)
    return render(
        request,
        "rooms/booking_edit.html",
        {
            "booking": booking,
            "form": form,
            "breadcrumbs": _crumbs(
                (booking.room.name, booking.room.get_absolute_url()),
                (_("Réservation"), booking.get_absolute_url()),
                (_("Modifier"), None),
            ),
        },
    )


@require_POST
@object_view(selectors.booking_detail_queryset, "rooms.view")
def booking_cancel(request, booking):
    """Cancel one booking (its slot is free again)."""
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except services.BookingError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Réservation annulée : le créneau est libéré."))
    return redirect(booking)


@require_POST
@object_view(selectors.series_queryset, "rooms.view", arg="series")
def series_cancel(request, series):
    """Cancel every remaining date of a recurring booking."""
    count = services.booking_series_cancel(actor=request.user, series=series)
    messages.success(
        request,
        ngettext("%(count)s date annulée.", "%(count)s dates annulées.", count) % {"count": count},
    )
    back = request.POST.get("booking")
    if back and back.isdigit():
        return redirect("rooms:booking_detail", pk=int(back))
    return redirect("rooms:my_bookings")


# --- Federation ------------------------------------------------------------------------------


def _month_from(request) -> tuple[int, int]:
    value = request.GET.get("mois", "")
    try:
        year, month = (int(x) for x in value.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        today = slots.today()
        return today.year, today.month
    return year, month


@require_GET
@permission_required("rooms.federation")
def federation(request):
    """Pending approvals, occupancy per room for a month, use of the espace sections."""
    year, month = _month_from(request)
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    pending = paginate(
        selectors.pending_for_approver(request.user), request.GET.get("page"), per_page=PAGE_SIZE
    )
    pending.object_list = selectors.attach_competitors(list(pending.object_list))
    return render_partial(
        request,
        "rooms/federation.html",
        {
            "pending": pending,
            "occupancy": selectors.occupancy(year, month, actor=request.user),
            "space_use": selectors.sections_space_use(year, month, actor=request.user),
            "month": first,
            "previous_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}",
            "refuse_form": RefuseForm(),
            "can_manage": can(request.user, "rooms.manage"),
            "breadcrumbs": _crumbs((_("Fédération"), None)),
        },
        partial="pending",
    )


@require_POST
@object_view(selectors.booking_detail_queryset, "rooms.approve", scope="rooms.view")
def booking_approve(request, booking):
    try:
        approved = services.booking_approve(actor=request.user, booking=booking)
    except services.BookingError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Demande validée ; la section est prévenue par e-mail."))
        if approved.refused_competitors:
            messages.info(
                request,
                ngettext(
                    "%(count)s demande concurrente a été refusée ; sa section reçoit les "
                    "salles encore libres.",
                    "%(count)s demandes concurrentes ont été refusées ; leurs sections "
                    "reçoivent les salles encore libres.",
                    len(approved.refused_competitors),
                )
                % {"count": len(approved.refused_competitors)},
            )
    return redirect("rooms:federation")


@require_POST
@object_view(selectors.booking_detail_queryset, "rooms.approve", scope="rooms.view")
def booking_refuse(request, booking):
    form = RefuseForm(request.POST)
    if submit(
        form,
        lambda data: services.booking_refuse(
            actor=request.user, booking=booking, reason=data["reason"]
        ),
    ):
        messages.success(request, _("Demande refusée ; la section est prévenue par e-mail."))
        return redirect("rooms:federation")
    if form.errors.get("reason"):
        messages.error(request, _("Indiquez le motif du refus."))
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(booking)


# --- Management (rooms.manage) -----------------------------------------------------------------


@require_GET
@permission_required("rooms.manage")
def manage(request):
    """Venues and their rooms, with links to edit them."""
    page = paginate(
        Venue.objects.in_scope(request.user, "rooms.manage")
        .select_related("arrondissement", "owner")
        .prefetch_related("rooms")
        .order_by("name"),
        request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render_partial(
        request,
        "rooms/manage.html",
        {
            "page": page,
            "venues": page.object_list,
            "breadcrumbs": _crumbs(
                (_("Fédération"), reverse("rooms:federation")), (_("Lieux et salles"), None)
            ),
        },
    )


def _venue_form(request, venue: Venue):
    form = VenueForm(request.POST or None, instance=venue, user=request.user)
    if request.method == "POST" and submit(
        form, lambda data: services.venue_save(actor=request.user, venue=form.instance)
    ):
        messages.success(request, _("Lieu enregistré."))
        return redirect("rooms:manage")
    return render(
        request,
        "rooms/venue_form.html",
        {
            "form": form,
            "venue": venue,
            "breadcrumbs": _crumbs(
                (_("Lieux et salles"), reverse("rooms:manage")),
                (venue.name if venue.pk else _("Nouveau lieu"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("rooms.manage")
def venue_create(request):
    return _venue_form(request, Venue())


@require_http_methods(["GET", "POST"])
@object_view(Venue, "rooms.manage")
def venue_edit(request, venue):
    return _venue_form(request, venue)


def _room_form(request, room: Room):
    initial = {}
    if room.pk is None and (request.GET.get("lieu") or "").isdigit():
        initial["venue"] = int(request.GET["lieu"])
    form = RoomForm(request.POST or None, instance=room, initial=initial, user=request.user)
    if request.method == "POST" and submit(
        form,
        lambda data: services.room_save(
            actor=request.user,
            room=form.instance,
            equipment=data["equipment"],
            opening_hours=form.opening_hours,
        ),
    ):
        messages.success(request, _("Salle enregistrée."))
        return redirect(form.instance)
    return render(
        request,
        "rooms/room_form.html",
        {
            "form": form,
            "room": room,
            "breadcrumbs": _crumbs(
                (_("Lieux et salles"), reverse("rooms:manage")),
                (room.name if room.pk else _("Nouvelle salle"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("rooms.manage")
def room_create(request):
    return _room_form(request, Room())


@require_http_methods(["GET", "POST"])
@object_view(Room, "rooms.manage")
def room_edit(request, room):
    return _room_form(request, room)


@require_http_methods(["GET", "POST"])
@object_view(lambda: Room.objects.select_related("venue"), "rooms.manage")
def room_photos(request, room):
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.room_photo_add(
            actor=request.user, room=room, image=data["image"], caption=data["caption"]
        ),
    ):
        messages.success(request, _("Photo ajoutée."))
        return redirect("rooms:room_photos", pk=room.pk)
    return render(
        request,
        "rooms/room_photos.html",
        {
            "room": room,
            "photos": room.photos.all(),
            "form": form,
            "breadcrumbs": _crumbs((room.name, room.get_absolute_url()), (_("Photos"), None)),
        },
    )


@require_POST
@object_view(Room, "rooms.manage")
def room_ics_reset(request, room):
    services.room_ics_token_reset(actor=request.user, room=room)
    messages.success(request, _("Nouvelle adresse de calendrier : l'ancienne ne fonctionne plus."))
    return redirect(room)
