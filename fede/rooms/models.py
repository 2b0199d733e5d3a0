"""Rooms: venues, the rooms they offer to sections, opening hours and bookings.

The invariant "confirmed bookings of a room never overlap" is held by the database:
on PostgreSQL an exclusion constraint (``btree_gist`` + ``tstzrange(start, "end", '[)')``,
only on confirmed rows) created in migration 0002; on SQLite by a check run inside a
serialised write transaction in ``services.booking_create`` / ``booking_approve``.
The constraint lives in the migration, not in ``Meta.constraints``: Django would
otherwise try to create it on SQLite, where GiST and range types do not exist.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from fede.core.access import is_system
from fede.core.models import TimeStampedModel
from fede.core.periods import overlap_q
from fede.core.uploads import generated_upload_to
from fede.organization.roles import units_q

#: Name of the PostgreSQL exclusion constraint (see migration 0002 and services).
NO_OVERLAP_CONSTRAINT = "rooms_booking_no_overlap_confirmed"


def new_ics_token() -> str:
    return secrets.token_urlsafe(24)


class Equipment(models.Model):
    """Something a room offers: projector, sound system, kitchen, wifi…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("équipement")
        verbose_name_plural = _("équipements")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _ancestors(path: str) -> list[str]:
    """ "0001.0007." → ["0001.", "0001.0007."]: the paths of a unit and every unit above."""
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def home_paths(actor) -> list[str]:
    """Paths of the units an actor belongs to: their section, and every unit where they
    hold an office (any capability)."""
    from fede.organization.roles import office_paths
    from fede.organization.selectors import member_of_user

    paths = office_paths(actor)
    member = member_of_user(actor) if getattr(actor, "is_authenticated", False) else None
    if member is not None and member.section_id:
        paths.add(member.section.path)
    return sorted(paths)


def owner_reach_q(actor, capability: str, *, field: str = "owner__") -> Q:
    """Q over rows owned by a unit (``<field>path``): those within reach of ``actor``.

    A row belongs to a federation (its owner). It is reached:

    - for reading or booking (any capability but ``rooms.manage``): by anyone whose
      section or office lies in the owner's tree, by offices above the owner (national
      level), and by everyone when the owner shares it or when it has no owner (rows
      older than ownership, shared by all until a federation claims them);
    - for managing (``rooms.manage``): by the offices holding it on the owner or above;
      rows with no owner only by offices at the top of the tree.
    """
    from fede.organization.roles import grant_paths

    if is_system(actor) or (
        getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False)
    ):
        return Q()
    isnull = {f"{field}isnull": True}
    if capability == "rooms.manage":
        paths = grant_paths(actor, "rooms.manage")
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(**{f"{field}path__startswith": p})
        if any(p.count(".") == 1 for p in paths):
            q |= Q(**isnull)
        return q
    above, prefixes = reach_key(actor, capability)
    q = Q(**isnull) | Q(**{f"{field[: -len('owner__')]}shared": True})
    if above:
        q |= Q(**{f"{field}path__in": list(above)})
    for p in prefixes:
        q |= Q(**{f"{field}path__startswith": p})
    return q


def reach_key(actor, capability: str) -> tuple:
    """What :func:`owner_reach_q` (reading or booking) depends on, as a hashable value:
    (the paths of the actor's units and of every unit above them, the prefixes of their
    grants). Two actors with the same key reach the same rows: the key of the caches of
    what is the same for everyone in a scope. Superusers and SYSTEM: ``("*",)``."""
    from fede.organization.roles import grant_paths

    if is_system(actor) or (
        getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False)
    ):
        return ("*",)
    above = tuple(sorted({a for path in home_paths(actor) for a in _ancestors(path)}))
    prefixes = []
    for cap in ("rooms.book", "rooms.approve", "rooms.manage", capability):
        for p in grant_paths(actor, cap):
            if p not in prefixes:
                prefixes.append(p)
    return above, tuple(prefixes)


def _directory_scope(queryset, actor, capability: str, *, active: Q, prefix: str = ""):
    """Venues and rooms a federation owns: whoever holds ``capability`` and is within the
    owner's reach (:func:`owner_reach_q`). ``rooms.manage`` reaches inactive ones too;
    other capabilities only ``active``."""
    if not is_system(actor) and not (actor is not None and actor.has_perm(capability)):
        return queryset.none()
    queryset = queryset.filter(owner_reach_q(actor, capability, field=f"{prefix}owner__"))
    if capability == "rooms.manage":
        return queryset
    return queryset.filter(active)


class VenueQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return _directory_scope(self, actor, capability, active=Q(is_active=True))


class RoomQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return _directory_scope(
            self,
            actor,
            capability,
            active=Q(is_active=True, venue__is_active=True),
            prefix="venue__",
        )


class RoomPhotoQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return _directory_scope(
            self,
            actor,
            capability,
            active=Q(room__is_active=True, room__venue__is_active=True),
            prefix="room__venue__",
        )


def _section_scope(queryset, actor, capability: str):
    """Rows of the sections where ``actor`` holds ``capability``.

    ``rooms.view`` on a booking means seeing its details: for the sections where the
    actor books or approves, and for the rooms whose owner the actor approves for (anyone
    else sees only "Réservé — <section>" on the grids). ``rooms.approve`` reaches the
    requests for the rooms of the federations where the actor approves (rooms with no
    owner: by the requesting section, as before ownership).
    """
    if is_system(actor):
        return queryset
    if capability == "rooms.view":
        return queryset.filter(units_q(actor, "rooms.book", field="section__") | _approve_q(actor))
    if capability == "rooms.approve":
        return queryset.filter(_approve_q(actor))
    return queryset.filter(units_q(actor, capability, field="section__"))


def _approve_q(actor) -> Q:
    return units_q(actor, "rooms.approve", field="room__venue__owner__") | (
        Q(room__venue__owner__isnull=True) & units_q(actor, "rooms.approve", field="section__")
    )


class BookingSeriesQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return _section_scope(self, actor, capability)


class Venue(TimeStampedModel):
    """A place with one or more rooms: the federation's premises, a town hall, a café…"""

    class Kind(models.TextChoices):
        FEDERATION = "federation", _("Locaux de la fédération")
        TOWN_HALL = "town_hall", _("Mairie d'arrondissement")
        ASSOCIATION = "association", _("Association, maison de quartier")
        UNION = "union", _("Local syndical")
        CAFE = "cafe", _("Café, arrière-salle")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de lieu"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("adresse"), max_length=300)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, default="Paris")
    arrondissement = models.ForeignKey(
        "organization.Territory",
        verbose_name=_("arrondissement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
        limit_choices_to={"kind": "arrondissement"},
    )
    description = models.TextField(_("présentation"), blank=True)
    access_notes = models.TextField(
        _("accès"), blank=True, help_text=_("Métro, digicode, étage, accès PMR…")
    )
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail du contact"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    owner = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("fédération propriétaire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_venues",
        help_text=_("Qui voit, réserve et gère ce lieu ; vide : partagé par toutes."),
    )
    shared = models.BooleanField(
        _("partagé avec les autres fédérations"),
        default=False,
        db_default=False,
        help_text=_("Les sections des autres fédérations peuvent voir et réserver ses salles."),
    )

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["arrondissement", "is_active"]),
            models.Index(fields=["owner", "is_active"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("rooms:venue_detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.owner

    def open_to(self, unit) -> bool:
        """May ``unit`` (a section or a federation) book the rooms of this venue?"""
        if self.owner_id is None or self.shared:
            return True
        return unit is not None and unit.path.startswith(self.owner.path)


class Room(TimeStampedModel):
    """A bookable room, with its booking rules."""

    class Policy(models.TextChoices):
        ALL_SECTIONS = "all", _("Toutes les sections")
        NO_PREMISES = "no_premises", _("Sections sans local (et fédération)")
        FEDERATION = "federation", _("Fédération seulement")

    venue = models.ForeignKey(
        Venue, verbose_name=_("lieu"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("nom"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacité (personnes)"))
    step_free = models.BooleanField(
        _("accessible de plain-pied"),
        default=False,
        help_text=_("Accès sans marche (fauteuil roulant), directement ou par ascenseur."),
    )
    equipment = models.ManyToManyField(
        Equipment, verbose_name=_("équipements"), blank=True, related_name="rooms"
    )
    description = models.TextField(_("description"), blank=True)
    price_conditions = models.TextField(
        _("tarif et conditions"), blank=True, help_text=_("Ex. : gratuit, caution de 100 €…")
    )
    is_sections_space = models.BooleanField(
        _("espace sections"),
        default=False,
        help_text=_("Salle de l'espace « sections » de la fédération."),
    )
    booking_policy = models.CharField(
        _("qui peut réserver"), max_length=12, choices=Policy.choices, default=Policy.ALL_SECTIONS
    )
    requires_approval = models.BooleanField(
        _("réservation soumise à validation"),
        default=False,
        help_text=_("Les demandes restent en attente jusqu'à validation par la fédération."),
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("durée maximale (minutes)"), null=True, blank=True, default=300
    )
    booking_window_days = models.PositiveIntegerField(
        _("réservable jusqu'à (jours à l'avance)"), default=60
    )
    no_premises_window_days = models.PositiveIntegerField(
        _("fenêtre des sections sans local (jours)"),
        null=True,
        blank=True,
        help_text=_("Fenêtre plus longue pour les sections sans local ; vide : la même."),
    )
    ics_token = models.CharField(
        _("jeton du calendrier"), max_length=64, unique=True, default=new_ics_token, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["venue__name", "name"]
        indexes = [models.Index(fields=["is_active", "capacity"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.venue.name} — {self.name}"

    def get_absolute_url(self):
        return reverse("rooms:room_detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.venue.owner

    @property
    def max_duration_label(self) -> str:
        from .slots import format_duration

        return format_duration(self.max_duration_minutes) if self.max_duration_minutes else ""

    def window_days_for(self, unit) -> int:
        """How many days ahead ``unit`` may book this room."""
        if (
            self.no_premises_window_days
            and unit is not None
            and unit.kind == "section"
            and not unit.has_premises
        ):
            return max(self.booking_window_days, self.no_premises_window_days)
        return self.booking_window_days


class OpeningHours(models.Model):
    """When a room can be booked on a weekday (local time). No row for a day: closed.

    A room with no opening hours at all has no hours rule.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")
        SUNDAY = 6, _("dimanche")

    room = models.ForeignKey(
        Room, verbose_name=_("salle"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"))

    class Meta:
        verbose_name = _("horaires d'ouverture")
        verbose_name_plural = _("horaires d'ouverture")
        ordering = ["room", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["room", "weekday"], name="opening_one_per_weekday"),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opening_closes_after_opens"
            ),
        ]

    def __str__(self):
        opens, closes = time_format(self.opens, "H:i"), time_format(self.closes, "H:i")
        return f"{self.get_weekday_display()} {opens}–{closes}"

    @property
    def hours(self) -> float:
        opens = datetime.datetime.combine(datetime.date.min, self.opens)
        closes = datetime.datetime.combine(datetime.date.min, self.closes)
        return (closes - opens).total_seconds() / 3600


class RoomPhoto(TimeStampedModel):
    """A photo of a room, served through a permission-checked view."""

    room = models.ForeignKey(
        Room, verbose_name=_("salle"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=generated_upload_to("salles"))
    caption = models.CharField(
        _("légende"), max_length=200, blank=True, help_text=_("Décrit la photo (accessibilité).")
    )

    objects = RoomPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["room", "pk"]

    def __str__(self):
        return self.caption or self.image.name

    def get_absolute_url(self):
        return reverse("rooms:photo", args=[self.pk])


class BookingSeries(TimeStampedModel):
    """A recurring booking: the occurrences are ordinary Booking rows pointing here."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Chaque semaine")
        MONTHLY = "monthly", _("Chaque mois (même jour du mois)")

    room = models.ForeignKey(
        Room, verbose_name=_("salle"), on_delete=models.PROTECT, related_name="series"
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="booking_series",
    )
    frequency = models.CharField(_("fréquence"), max_length=10, choices=Frequency.choices)
    until = models.DateField(_("jusqu'au"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = BookingSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("série de réservations")
        verbose_name_plural = _("séries de réservations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_frequency_display()} — {self.room_id} ({self.section_id})"

    @property
    def permission_unit(self):
        return self.section


class BookingQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Booking.Status.CONFIRMED)

    def active(self):
        """Bookings that hold or ask for the slot (pending or confirmed)."""
        return self.filter(status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED])

    def overlapping(self, start: datetime.datetime, end: datetime.datetime):
        """Half-open intervals [start, end): back-to-back bookings do not overlap."""
        return self.filter(overlap_q(start, end))

    def in_scope(self, actor, capability: str):
        """Bookings of the sections where ``actor`` holds ``capability`` (in SQL)."""
        return _section_scope(self, actor, capability)


class Booking(TimeStampedModel):
    """A slot of a room for a section. Events link to a booking (events → rooms)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de validation")
        CONFIRMED = "confirmed", _("Confirmée")
        REFUSED = "refused", _("Refusée")
        CANCELLED = "cancelled", _("Annulée")

    room = models.ForeignKey(
        Room, verbose_name=_("salle"), on_delete=models.PROTECT, related_name="bookings"
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    purpose = models.CharField(_("objet"), max_length=200)
    expected_attendance = models.PositiveIntegerField(_("participants attendus"))
    notes = models.TextField(_("informations pour le lieu"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="room_bookings",
    )
    series = models.ForeignKey(
        BookingSeries,
        verbose_name=_("série"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["start", "room"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(expected_attendance__gte=1), name="booking_attendance_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["room", "start"]),
            models.Index(fields=["section", "start"]),
            models.Index(fields=["status", "start"]),
            models.Index(fields=["series"]),
        ]

    def __str__(self):
        return f"{self.room_id} {self.start:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("rooms:booking_detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.section

    @property
    def holds_slot(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_open(self) -> bool:
        """Pending or confirmed: may still be cancelled."""
        return self.status in (self.Status.PENDING, self.Status.CONFIRMED)

    @property
    def duration_hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600
