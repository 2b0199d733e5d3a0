"""Events: section meetings, general assemblies, conference-debates, trainings.

An event is organised by a unit (a section or the federation), may have co-organisers,
takes place in a booked room, at an address or online, and is visible to a chosen
audience (``Event.Visibility``). Members register in one click; guests of public events
register with their name and e-mail and confirm by a link sent to them.

Invariants held by the database:

- one registration per member and per event, one per guest e-mail and per event
  (double clicks and retries are harmless);
- the seats: a registration becomes "confirmed" only inside a transaction that holds the
  event row locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers with
  ``BEGIN IMMEDIATE``), so the count of confirmed registrations never exceeds ``capacity``;
- an event ends after it starts.

Calendar clients match events by ``uid`` (stable for the life of the event) and learn of
changes through ``sequence``, incremented on each significant change (date, place, title,
cancellation).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import DurationField, ExpressionWrapper, F, Q, Subquery, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from fede.core.models import TimeStampedModel
from fede.core.uploads import generated_upload_to

#: The reach of ``in_scope`` for reading: what the actor may see.
VIEW_SCOPE = "events.view"
#: The reach of the organisers' pages of one event (``views.managed_event``).
ORGANISER_SCOPE = "events.organiser_pages"


class SpeakerQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """Speakers belong to a federation (``owner``).

        - ``events.view`` (reading, choosing for a programme): the speakers of the
          federations the actor belongs to or works in, shared ones, and those with no
          owner (older than ownership);
        - ``events.manage_speakers`` (editing): the speakers of the federations where the
          actor organises events (anywhere in the owner's tree, or above it).
        """
        from fede.organization.roles import grant_paths

        if getattr(actor, "is_system", False) or (
            getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False)
        ):
            return self.all()
        organises = grant_paths(actor, "events.manage")
        if capability == "events.manage_speakers":
            q = Q(pk__in=[])
            for path in organises:
                q |= Q(owner__path__startswith=path)
            above = {a for path in organises for a in _ancestors(path)}
            if above:
                q |= Q(owner__path__in=sorted(above))
            if any(path.count(".") == 1 for path in organises):
                q |= Q(owner__isnull=True)
            return self.filter(q)
        from fede.rooms.models import home_paths

        q = Q(owner__isnull=True) | Q(shared=True)
        above = {a for path in home_paths(actor) for a in _ancestors(path)}
        if above:
            q |= Q(owner__path__in=sorted(above))
        for path in organises:
            q |= Q(owner__path__startswith=path)
        return self.filter(q)


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


class Speaker(TimeStampedModel):
    """A person who speaks at or moderates events: the federation's speakers directory."""

    class Quality(models.TextChoices):
        RESEARCHER = "researcher", _("Chercheur·e, intellectuel·le")
        ELECTED = "elected", _("Élu·e")
        UNIONIST = "unionist", _("Syndicaliste")
        ASSOCIATION = "association", _("Associatif·ve")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    quality = models.CharField(_("qualité"), max_length=20, choices=Quality.choices)
    affiliation = models.CharField(
        _("fonction"),
        max_length=200,
        blank=True,
        help_text=_("Ex. : « historienne, université de Nanterre », « maire adjoint »."),
    )
    bio = models.TextField(_("biographie courte"), max_length=1500, blank=True)
    photo = models.FileField(_("photo"), upload_to=generated_upload_to("intervenants"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("fédération"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_speakers",
        help_text=_("La fédération qui tient cette fiche ; elle seule la modifie."),
    )
    shared = models.BooleanField(
        _("partagé avec les autres fédérations"),
        default=False,
        db_default=False,
        help_text=_("Les autres fédérations peuvent inviter cette personne à leurs événements."),
    )

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervenant·e")
        verbose_name_plural = _("intervenant·es")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    @property
    def permission_unit(self):
        return self.owner


def longest_duration() -> Subquery:
    """The duration of the longest event (``end - start``), as a subquery."""
    durations = (
        Event.objects.order_by()
        .annotate(duration=ExpressionWrapper(F("end") - F("start"), output_field=DurationField()))
        .order_by("-duration")
        .values("duration")[:1]
    )
    return Subquery(durations, output_field=DurationField())


class EventQuerySet(models.QuerySet):
    def published(self):
        """Published or cancelled (cancelled events stay in calendars): never drafts."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self, now=None):
        """Events that have not ended yet."""
        return self.ending_after(now or timezone.now())

    def ending_after(self, moment):
        """Events that end at or after ``moment`` (``end >= moment``), in a shape the
        database drives by start time.

        ``end >= moment`` alone cannot use an index ordered by ``start``: among 400,000
        events the planner then walks five years of ``start`` to find the few that have not
        ended. The redundant bound ``start >= moment - (longest event)`` is exact (an event
        ending after ``moment`` started at most its own duration before it) and lets every
        ``start`` index serve the range. The longest duration is read in the same query
        from the expression index of migration 0003 (one index entry).

        ``moment`` may be an expression (a value given when the SQL, compiled once, runs).
        """
        start = moment if hasattr(moment, "resolve_expression") else Value(moment)
        return self.filter(end__gte=moment, start__gte=start - longest_duration())

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now())

    def for_listing(self):
        """What a list row shows: organiser, its territory, the booked room and its venue."""
        return self.select_related("organiser", "organiser__territory", "booking__room__venue")

    def in_scope(self, actor, capability: str):
        """The events ``actor`` reaches with ``capability``, filtered in SQL.

        - ``events.manage``: events organised by a unit where the actor holds the
          capability (a co-organiser does not manage the event: its organiser does);
        - ``events.view``: the events the actor may see (``selectors.visibility_q``:
          public events for anonymous visitors);
        - ``events.organiser_pages``: the reach of the organisers' pages (see below).
        """
        from fede.organization.models import Unit
        from fede.organization.roles import can, units_q

        if capability == ORGANISER_SCOPE:
            # The organisers' pages: an organiser reaches the events they manage (any
            # other is a 404); anyone else reaches what they may see, and is then refused
            # the page (403) by the capability check.
            if getattr(actor, "is_system", False) or can(actor, "events.manage"):
                capability = "events.manage"
            else:
                capability = VIEW_SCOPE
        if capability == VIEW_SCOPE:
            from .selectors import visibility_q

            return self.filter(visibility_q(actor))
        if getattr(actor, "is_system", False):
            return self
        managed = Unit.objects.filter(units_q(actor, capability)).values("pk")
        return self.filter(organiser_id__in=managed)


class Event(TimeStampedModel):
    """A meeting, an assembly, a conference-debate or a training, with its registrations."""

    class Kind(models.TextChoices):
        SECTION_MEETING = "section_meeting", _("Réunion de section")
        GENERAL_ASSEMBLY = "general_assembly", _("Assemblée générale")
        CONFERENCE = "conference", _("Conférence-débat")
        TRAINING = "training", _("Formation")
        PUBLIC_MEETING = "public_meeting", _("Réunion publique")
        OTHER = "other", _("Autre")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Tous les adhérent·es")
        UNIT_MEMBERS = "unit_members", _("Adhérent·es des unités organisatrices")
        UP_TO_DATE = "up_to_date", _("Adhérent·es à jour de cotisation")
        INVITATION = "invitation", _("Sur invitation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")
        CANCELLED = "cancelled", _("Annulé")

    uid = models.UUIDField(
        _("identifiant de calendrier"), default=uuid.uuid4, unique=True, editable=False
    )
    organiser = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("organisé par"),
        on_delete=models.PROTECT,
        related_name="organised_events",
    )
    co_organisers = models.ManyToManyField(
        "organization.Unit",
        verbose_name=_("co-organisateurs"),
        blank=True,
        related_name="co_organised_events",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse courte"), max_length=80, blank=True)
    description = models.TextField(
        _("présentation"), blank=True, help_text=_("Mise en forme Markdown possible.")
    )
    programme = models.TextField(
        _("programme"),
        blank=True,
        help_text=_("Déroulé, horaires des interventions… (Markdown)."),
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    # The place: a booked room, or an address, and/or an online link.
    booking = models.ForeignKey(
        "rooms.Booking",
        verbose_name=_("salle réservée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    place_name = models.CharField(
        _("nom du lieu"), max_length=200, blank=True, help_text=_("Ex. : « Café Le Zinc »")
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    online_url = models.URLField(_("lien de la visioconférence"), max_length=500, blank=True)
    visibility = models.CharField(
        _("ouvert à"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    registration_enabled = models.BooleanField(
        _("inscriptions"),
        default=True,
        help_text=_("Décochez pour un événement sans inscription."),
    )
    capacity = models.PositiveIntegerField(
        _("nombre de places"), null=True, blank=True, help_text=_("Vide : sans limite.")
    )
    registration_opens = models.DateTimeField(
        _("ouverture des inscriptions"),
        null=True,
        blank=True,
        help_text=_("Vide : dès maintenant."),
    )
    registration_closes = models.DateTimeField(
        _("clôture des inscriptions"),
        null=True,
        blank=True,
        help_text=_("Vide : au début de l'événement."),
    )
    image = models.FileField(_("image"), upload_to=generated_upload_to("evenements"), blank=True)
    image_alt = models.CharField(
        _("description de l'image"),
        max_length=200,
        blank=True,
        help_text=_("Pour les personnes qui ne voient pas l'image."),
    )
    # Rows written outside the application (bulk loads) are published, as before drafts.
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_default=Status.PUBLISHED,
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    postponed_from = models.DateTimeField(
        _("initialement prévu le"),
        null=True,
        blank=True,
        help_text=_("Date d'origine d'un événement reporté."),
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancellation_reason = models.TextField(_("motif de l'annulation"), blank=True)
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="event_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="event_capacity_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["start"]),
            models.Index(fields=["end"]),
            models.Index(fields=["organiser", "start"]),
            models.Index(fields=["visibility", "start"]),
            models.Index(fields=["kind", "start"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event_detail", args=[self.pk, self.slug or "evenement"])

    @property
    def permission_unit(self):
        return self.organiser

    @property
    def ics_uid(self) -> str:
        return f"event-{self.uid}@fede"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_postponed(self) -> bool:
        return self.postponed_from is not None

    @property
    def is_conference(self) -> bool:
        return self.kind == self.Kind.CONFERENCE

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.start

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.end

    @property
    def closes_at(self):
        return self.registration_closes or self.start

    def registration_state(self, now=None) -> str:
        """``open``, ``not_yet``, ``closed``, ``cancelled``, ``draft`` or ``none``."""
        now = now or timezone.now()
        if not self.registration_enabled:
            return "none"
        if self.is_cancelled:
            return "cancelled"
        if self.is_draft:
            return "draft"
        if self.registration_opens and now < self.registration_opens:
            return "not_yet"
        if now >= self.closes_at:
            return "closed"
        return "open"

    @property
    def seats_left(self) -> int | None:
        """Free seats, when the listing annotated ``confirmed_count`` (None: unlimited)."""
        taken = getattr(self, "confirmed_count", None)
        if self.capacity is None or taken is None:
            return None
        return max(0, self.capacity - taken)

    @property
    def room(self):
        return self.booking.room if self.booking_id else None

    @property
    def place_label(self) -> str:
        """One line for lists, calendars and e-mails."""
        parts: list[str] = []
        if self.booking_id:
            room = self.booking.room
            parts.append(f"{room.venue.name} — {room.name}")
            address = ", ".join(p for p in (room.venue.address, room.venue.postal_code) if p)
            if address:
                parts.append(address)
        else:
            if self.place_name:
                parts.append(self.place_name)
            if self.address:
                parts.append(self.address)
        if not parts and self.online_url:
            parts.append(str(_("En ligne")))
        return ", ".join(parts)

    def make_slug(self) -> str:
        return slugify(self.title)[:80].strip("-") or "evenement"


class EventSpeaker(models.Model):
    """A speaker's part in an event: speaker or moderator, in programme order."""

    class Part(models.TextChoices):
        SPEAKER = "speaker", _("Intervenant·e")
        MODERATOR = "moderator", _("Modérateur·rice")

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="speaker_parts"
    )
    speaker = models.ForeignKey(
        Speaker, verbose_name=_("intervenant·e"), on_delete=models.PROTECT, related_name="parts"
    )
    part = models.CharField(_("rôle"), max_length=10, choices=Part.choices, default=Part.SPEAKER)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "speaker"], name="event_speaker_once"),
        ]

    def __str__(self):
        return f"{self.speaker} ({self.get_part_display()})"

    @property
    def permission_unit(self):
        return self.event.organiser


class Invitation(models.Model):
    """A member invited to an event open "on invitation"."""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("adhérent·e"),
        on_delete=models.CASCADE,
        related_name="event_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité·e par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invité·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["event", "member__last_name", "member__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="invitation_once"),
        ]
        indexes = [models.Index(fields=["member"])]

    def __str__(self):
        return f"{self.event_id} → {self.member_id}"


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        return self.filter(status=Registration.Status.WAITING)

    def active(self):
        """Registrations that hold a seat or wait for one."""
        return self.filter(status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING])


class Registration(TimeStampedModel):
    """A member's or a guest's registration for an event.

    Guests' registrations start "pending" and take a seat (or a place on the waiting list)
    only when the guest confirms from the link sent to their e-mail address, so that an
    address typed by mistake or by someone else never holds a seat.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("À confirmer")
        CONFIRMED = "confirmed", _("Inscrit·e")
        WAITING = "waiting", _("Liste d'attente")
        CANCELLED = "cancelled", _("Annulée")

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="registrations"
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("adhérent·e"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    guest_name = models.CharField(_("nom"), max_length=200, blank=True)
    guest_email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    # Position in the waiting list: the earliest status change comes first.
    status_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(_("confirmation envoyée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    attended = models.BooleanField(_("présent·e"), default=False)
    checked_in_at = models.DateTimeField(_("pointé·e le"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pointé·e par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event", "status_changed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(member__isnull=False),
                name="registration_one_per_member",
            ),
            models.UniqueConstraint(
                models.F("event"),
                Lower("guest_email"),
                condition=Q(member__isnull=True),
                name="registration_one_per_guest_email",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(guest_email=""),
                name="registration_member_or_guest",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "status_changed_at"]),
            models.Index(fields=["member", "status"]),
            models.Index(fields=["status", "reminded_at"]),
        ]

    def __str__(self):
        return f"{self.display_name} — {self.event_id} ({self.get_status_display()})"

    @property
    def permission_unit(self):
        return self.event.organiser

    @property
    def is_guest(self) -> bool:
        return self.member_id is None

    @property
    def display_name(self) -> str:
        if self.member_id:
            return self.member.full_name
        return self.guest_name or self.guest_email

    @property
    def email(self) -> str:
        if self.member_id:
            member = self.member
            if member.email:
                return member.email
            return member.user.email if member.user_id else ""
        return self.guest_email

    @property
    def holds_seat(self) -> bool:
        return self.status == self.Status.CONFIRMED


class EventMaterial(TimeStampedModel):
    """Something kept after an event: slides, minutes, a link to the recording."""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(
        _("fichier"), upload_to=generated_upload_to("evenements/documents"), blank=True
    )
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    url = models.URLField(
        _("lien"), max_length=500, blank=True, help_text=_("Ex. : enregistrement vidéo.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajouté par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="material_file_or_url"),
        ]

    def __str__(self):
        return self.title

    @property
    def permission_unit(self):
        return self.event.organiser


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The secret in a user's calendar subscription URLs (calendar apps send no cookies).

    Whoever holds the URL sees, in the feed, what this user may see; the user can replace
    the token at any time, which breaks the old URLs.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="event_feed_token",
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("jeton d'abonnement")
        verbose_name_plural = _("jetons d'abonnement")

    def __str__(self):
        return f"{self.user_id}"
