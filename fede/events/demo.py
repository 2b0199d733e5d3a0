"""Demo of events: a season of conference-debates with their (invented) speakers, a
meeting of every section, trainings, a general assembly, and registrations.

Believable whatever the day it is loaded: no meeting falls on a public holiday nor on 24,
25 or 31 December (dates move to the nearest working day, keeping past events past and
coming ones coming), section meetings have varied titles, and events show every state —
drafts, published, cancelled with a message, past with their attendance.

Runs after the organisation demo (federation "FED75", its sections) and the rooms demo
(the federation's premises). Every person here is invented. Idempotent: events are found
again by organiser and title, registrations are only added to events that have none.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from fede.organization.models import Mandate, Member, Role, Unit
from fede.rooms.models import Booking, Room, Venue
from fede.rooms.selectors import is_festive

from .models import Event, EventSpeaker, Invitation, Registration, Speaker

Q = Speaker.Quality

# Invented people: any resemblance to real persons would be a coincidence.
SPEAKERS = [
    (
        "Maëlle Kervadec",
        Q.RESEARCHER,
        "sociologue, spécialiste du logement",
        "Enquête depuis quinze ans sur les copropriétés dégradées du nord-est parisien.",
    ),
    (
        "Rachid Delorme-Anfray",
        Q.RESEARCHER,
        "économiste du travail",
        "Travaille sur les conditions d'emploi des travailleurs des plateformes.",
    ),
    (
        "Sidonie Vautrain",
        Q.RESEARCHER,
        "historienne des mouvements sociaux",
        "Autrice d'une histoire des bourses du travail parisiennes.",
    ),
    (
        "Ousmane Pelletier-Ba",
        Q.RESEARCHER,
        "géographe, urbanisme",
        "Étudie la transformation des faubourgs et la place des commerces de quartier.",
    ),
    (
        "Agathe Lemarrec",
        Q.ELECTED,
        "conseillère d'arrondissement",
        "Élue de terrain, chargée de la vie associative et des quartiers populaires.",
    ),
    (
        "Baptiste Quernel",
        Q.ELECTED,
        "adjoint au maire chargé des mobilités",
        "Porte le plan vélo et les rues aux écoles de son arrondissement.",
    ),
    (
        "Inès Fauvarque",
        Q.ELECTED,
        "conseillère régionale",
        "Suit les transports et la tarification sociale en Île-de-France.",
    ),
    (
        "Joël Martineau-Sall",
        Q.UNIONIST,
        "secrétaire d'une union locale",
        "Militant syndical dans le secteur hospitalier depuis vingt ans.",
    ),
    (
        "Clémence Arbogaste",
        Q.UNIONIST,
        "syndicaliste de l'éducation",
        "Professeure des écoles, engagée sur la mixité scolaire.",
    ),
    (
        "Yanis Brocheteau",
        Q.ASSOCIATION,
        "président d'une régie de quartier",
        "Anime une association d'insertion par le travail dans un quartier prioritaire.",
    ),
    (
        "Héloïse Tanguy-Rimbert",
        Q.ASSOCIATION,
        "coordinatrice d'une association de locataires",
        "Accompagne les locataires face aux hausses de charges.",
    ),
    (
        "Lucien Ardoise",
        Q.OTHER,
        "journaliste indépendant",
        "Anime des débats publics et des émissions de radio associative.",
    ),
]

MODERATOR = "Lucien Ardoise"

# (title, days from today, speakers, description)
CONFERENCES = [
    (
        "Se loger à Paris : quelles réponses publiques ?",
        -45,
        ["Maëlle Kervadec", "Héloïse Tanguy-Rimbert", "Agathe Lemarrec"],
        "Loyers, logement social, copropriétés dégradées : chercheuse, association de locataires et élue confrontent leurs diagnostics.",
    ),
    (
        "Le travail à l'heure des plateformes",
        -15,
        ["Rachid Delorme-Anfray", "Joël Martineau-Sall"],
        "Livreurs, chauffeurs, aides à domicile : que deviennent le salariat et les droits sociaux ?",
    ),
    (
        "Mémoire ouvrière des faubourgs parisiens",
        9,
        ["Sidonie Vautrain", "Ousmane Pelletier-Ba"],
        "Des bourses du travail aux ateliers du faubourg : ce que l'histoire des quartiers dit de la gauche parisienne.",
    ),
    (
        "Respirer en ville : mobilités et santé",
        23,
        ["Baptiste Quernel", "Inès Fauvarque"],
        "Vélo, transports en commun, rues aux écoles : comment concilier santé publique et justice sociale ?",
    ),
    (
        "L'école de la mixité",
        40,
        ["Clémence Arbogaste", "Agathe Lemarrec"],
        "Secteurs scolaires, options, établissements privés : quelles politiques pour une école commune ?",
    ),
    (
        "Quartiers populaires : faire avec les associations",
        58,
        ["Yanis Brocheteau", "Ousmane Pelletier-Ba"],
        "Régies de quartier, centres sociaux, éducation populaire : comment la gauche peut-elle travailler avec eux ?",
    ),
    (
        "L'hôpital public en question",
        75,
        ["Joël Martineau-Sall", "Inès Fauvarque"],
        "Urgences, fermetures de lits, recrutement : témoignages et propositions.",
    ),
    (
        "Le commerce de proximité face aux loyers",
        96,
        ["Ousmane Pelletier-Ba", "Baptiste Quernel"],
        "Baux commerciaux, foncières publiques, marchés : défendre la ville des petits commerces.",
    ),
]

PROGRAMME = """**18 h 45** — Accueil

**19 h 00** — Introduction par la fédération

**19 h 10** — Interventions

**20 h 00** — Débat avec la salle

**21 h 00** — Fin, verre de l'amitié"""

# (title, days from today, capacity, description)
TRAININGS = [
    (
        "Formation : tenir la trésorerie d'une section",
        -60,
        20,
        "Cotisations, comptes, budget : les bases pour les trésorier·es de section.",
    ),
    (
        "Formation : prendre la parole en public",
        -20,
        16,
        "Exercices pratiques pour préparer une intervention en réunion publique.",
    ),
    (
        "Formation : animer une réunion de section",
        12,
        20,
        "Ordre du jour, tour de parole, compte rendu : les outils de l'animation.",
    ),
    (
        "Formation : porte-à-porte et terrain",
        30,
        25,
        "Préparer et mener une action de terrain, du repérage au bilan.",
    ),
]


AGENDA = "Ordre du jour :\n\n1. {first}\n2. Vie de la section\n3. Questions diverses"

# Section meetings, (title, first item of the agenda): one held last month, one coming.
# Each section gets its own, chosen from its rank: not every meeting is named the same.
PAST_SECTION_MEETINGS = [
    ("Réunion de section : bilan de rentrée", "Bilan de la rentrée"),
    ("Assemblée de section : retour sur la campagne", "Retour sur la campagne de terrain"),
    ("Réunion mensuelle de la section", "Actualité politique du mois"),
    ("Accueil des nouveaux adhérents de la section", "Présentation de la section"),
    ("Soirée débat : le logement dans le quartier", "Le logement dans le quartier"),
    ("Réunion de section : compte rendu du conseil fédéral", "Compte rendu du conseil fédéral"),
    ("Réunion de section : bilan des permanences", "Bilan des permanences du samedi"),
]
COMING_SECTION_MEETINGS = [
    ("Réunion de section : préparer la convention", "Contributions à la convention"),
    ("Réunion de section : renouvellement du bureau", "Élection du bureau de section"),
    ("Réunion mensuelle : actualité et vie de la section", "Actualité politique"),
    ("Réunion de section : le budget participatif", "Projets pour le budget participatif"),
    ("Réunion de section : organiser le porte-à-porte", "Plan de porte-à-porte du quartier"),
    ("Réunion de section : les écoles du quartier", "Carte scolaire et mixité"),
    ("Assemblée de section : le projet fédéral", "Amendements au projet fédéral"),
    ("Réunion de section : préparer la fête de la section", "La fête de la section"),
]
SECTION_CANCELLATION = (
    "La salle n'est plus disponible ce soir-là : la réunion est annulée, "
    "une nouvelle date vous sera proposée."
)


def meeting_day(days: int, *, weekend: bool = False) -> datetime.date:
    """The day ``days`` from today, moved off public holidays and 24, 25 and 31 December
    (and off weekends, unless ``weekend``). Coming days move later and past days earlier,
    so a coming event never becomes past, nor the reverse."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    step = datetime.timedelta(days=-1 if days < 0 else 1)
    while is_festive(day) or (not weekend and day.weekday() >= 5):
        day += step
    return day


def _at(days: int, hour: int, minute: int = 0, *, weekend: bool = False) -> datetime.datetime:
    day = meeting_day(days, weekend=weekend)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _speakers() -> dict[str, Speaker]:
    found = {s.name: s for s in Speaker.objects.filter(name__in=[row[0] for row in SPEAKERS])}
    owner = Unit.objects.filter(code="FED75").first()
    missing = [
        Speaker(name=name, quality=quality, affiliation=affiliation, bio=bio, owner=owner)
        for name, quality, affiliation, bio in SPEAKERS
        if name not in found
    ]
    for speaker in Speaker.objects.bulk_create(missing):
        found[speaker.name] = speaker
    return found


def _federation_room() -> Room | None:
    return (
        Room.objects.filter(venue__kind=Venue.Kind.FEDERATION, is_active=True)
        .order_by("-capacity")
        .first()
    )


def _book(room: Room | None, unit: Unit, start, end, title: str, capacity: int) -> Booking | None:
    """A confirmed booking of the federation's big room, if the slot is free."""
    if (
        room is None
        or Booking.objects.confirmed().filter(room=room).overlapping(start, end).exists()
    ):
        return None
    return Booking.objects.create(
        room=room,
        section=unit,
        start=start,
        end=end,
        status=Booking.Status.CONFIRMED,
        purpose=title[:200],
        expected_attendance=min(capacity, room.capacity),
    )


def _event(organiser: Unit, title: str, **fields) -> tuple[Event, bool]:
    fields.setdefault("status", Event.Status.PUBLISHED)
    return Event.objects.get_or_create(
        organiser=organiser, title=title, defaults={"slug": slugify(title)[:80], **fields}
    )


def _register(
    event: Event, members: list[int], rng: random.Random, *, attendance: float | None
) -> list[Registration]:
    """Registrations for ``members`` (ids), seats first, then the waiting list."""
    rows = []
    now = timezone.now()
    past = event.end < now
    for position, member_id in enumerate(members):
        seat = event.capacity is None or position < event.capacity
        attended = bool(past and seat and attendance and rng.random() < attendance)
        rows.append(
            Registration(
                event=event,
                member_id=member_id,
                status=Registration.Status.CONFIRMED if seat else Registration.Status.WAITING,
                status_changed_at=event.start - datetime.timedelta(days=10, minutes=-position),
                attended=attended,
                checked_in_at=event.start if attended else None,
            )
        )
    return rows


@transaction.atomic
def load(*, stdout, open_data=None) -> list[tuple[str, str, str]]:
    federation = Unit.objects.filter(code="FED75").first()
    if federation is None:
        stdout.write("Événements : pas de fédération de démonstration, rien à créer.")
        return []
    sections = list(Unit.objects.sections().active().order_by("code"))
    rng = random.Random(2026)  # noqa: S311 — demo data, reproducible
    speakers = _speakers()
    room = _federation_room()
    members_by_section: dict[int, list[int]] = {}
    for pk, section_id in (
        Member.objects.filter(status=Member.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "section_id")
    ):
        members_by_section.setdefault(section_id, []).append(pk)
    all_members = [pk for pks in members_by_section.values() for pk in pks]
    # Demo logins come first in every list, so each demo account has something to see.
    demo_members = list(
        Member.objects.filter(user__email__endswith="@demo.fede.paris", status=Member.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    registrations: list[Registration] = []
    created_events = 0

    # A season of conference-debates of the federation, public.
    for index, (title, days, names, description) in enumerate(CONFERENCES):
        start, end = _at(days, 19), _at(days, 21)
        capacity = 12 if index == 2 else 80
        event, created = _event(
            federation,
            title,
            kind=Event.Kind.CONFERENCE,
            description=description,
            programme=PROGRAMME,
            start=start,
            end=end,
            visibility=Event.Visibility.PUBLIC,
            capacity=capacity,
            address="" if room else "Siège de la fédération, Paris",
            place_name="" if room else "Siège de la fédération",
        )
        if created:
            created_events += 1
            event.booking = _book(
                room, federation, start - datetime.timedelta(minutes=30), end, title, capacity
            )
            if event.booking is None and not event.address:
                event.place_name, event.address = "Siège de la fédération", "Paris"
            event.save(update_fields=["booking", "place_name", "address"])
            parts = [
                EventSpeaker(event=event, speaker=speakers[name], order=(i + 1) * 10)
                for i, name in enumerate(names)
            ]
            parts.append(
                EventSpeaker(
                    event=event,
                    speaker=speakers[MODERATOR],
                    part=EventSpeaker.Part.MODERATOR,
                    order=100,
                )
            )
            EventSpeaker.objects.bulk_create(parts)
        if not event.registrations.exists():
            # The small conference is full: it shows the waiting list.
            count = capacity + 4 if capacity < 20 else rng.randint(25, 70)
            others = rng.sample(all_members, min(count, len(all_members)))
            if capacity < 20:
                # Demo accounts come last to the full conference: they are on its waiting list.
                chosen = [pk for pk in others if pk not in demo_members][: count - 2]
                chosen += demo_members
            elif days < 0 or index % 3 == 0:
                chosen = demo_members + others
            else:
                chosen = others
            chosen = list(dict.fromkeys(chosen))[:count]
            registrations += _register(event, chosen, rng, attendance=0.75)
            if days > 0:
                registrations += [
                    Registration(
                        event=event,
                        guest_name=f"Invité·e {n}",
                        guest_email=f"invite{n}.{event.pk}@example.org",
                        status=Registration.Status.CONFIRMED
                        if capacity >= 20
                        else Registration.Status.PENDING,
                    )
                    for n in range(1, 3)
                ]

    # One conference was cancelled: it stays in calendars, marked cancelled.
    cancelled, created = _event(
        federation,
        "Europe sociale : rencontre reportée",
        kind=Event.Kind.CONFERENCE,
        description="Rencontre reportée à une date ultérieure.",
        start=_at(50, 19),
        end=_at(50, 21),
        visibility=Event.Visibility.PUBLIC,
        place_name="Siège de la fédération",
        address="Paris",
        status=Event.Status.CANCELLED,
        cancelled_at=timezone.now(),
        cancellation_reason="Les intervenant·es ne peuvent être présent·es : la rencontre sera reprogrammée.",
        sequence=1,
    )
    created_events += created

    # Trainings of the federation, for members.
    for title, days, capacity, description in TRAININGS:
        event, created = _event(
            federation,
            title,
            kind=Event.Kind.TRAINING,
            description=description,
            start=_at(days, 10, weekend=True) if days % 2 == 0 else _at(days, 18, 30),
            end=_at(days, 13, weekend=True) if days % 2 == 0 else _at(days, 21),
            visibility=Event.Visibility.MEMBERS,
            capacity=capacity,
            place_name="Espace sections de la fédération",
            address="Siège de la fédération, Paris",
        )
        created_events += created
        if not event.registrations.exists():
            chosen = list(
                dict.fromkeys(
                    demo_members + rng.sample(all_members, min(capacity - 2, len(all_members)))
                )
            )
            registrations += _register(event, chosen[:capacity], rng, attendance=0.85)

    # The federation's general assembly: members up to date with dues.
    ag, created = _event(
        federation,
        "Assemblée générale de la fédération",
        kind=Event.Kind.GENERAL_ASSEMBLY,
        description="Rapport d'activité, budget, orientations de l'année. Réservée aux adhérent·es à jour de cotisation.",
        start=_at(33, 10, weekend=True),
        end=_at(33, 17, weekend=True),
        visibility=Event.Visibility.UP_TO_DATE,
        place_name="Salle des fêtes",
        address="Mairie d'arrondissement, Paris",
    )
    created_events += created

    # Secretaries' meeting, on invitation.
    secretaries = list(
        Mandate.objects.current()
        .filter(role=Role.SECTION_SECRETARY, unit__in=sections)
        .values_list("member_id", flat=True)
    )
    meeting, created = _event(
        federation,
        "Réunion des secrétaires de section",
        kind=Event.Kind.OTHER,
        description="Préparation de la convention : calendrier et méthode.",
        start=_at(6, 19),
        end=_at(6, 21, 30),
        visibility=Event.Visibility.INVITATION,
        place_name="Siège de la fédération",
        address="Paris",
    )
    created_events += created
    if created and secretaries:
        Invitation.objects.bulk_create(
            [Invitation(event=meeting, member_id=pk) for pk in secretaries]
        )

    # A meeting of every section: one last month, one coming.
    new_section_events: list[Event] = []
    existing = set(
        Event.objects.filter(organiser__in=sections, kind=Event.Kind.SECTION_MEETING).values_list(
            "organiser_id", "title"
        )
    )
    for i, section in enumerate(sections):
        place = section.meeting_place or "Local de la section"
        # Most section meetings are for the section's members; one in five is open to all.
        upcoming_visibility = (
            Event.Visibility.MEMBERS if i % 5 == 0 else Event.Visibility.UNIT_MEMBERS
        )
        past_title, past_item = PAST_SECTION_MEETINGS[i % len(PAST_SECTION_MEETINGS)]
        coming_title, coming_item = COMING_SECTION_MEETINGS[(i * 3) % len(COMING_SECTION_MEETINGS)]
        for title, item, days, visibility in (
            (past_title, past_item, -25 - i % 7, Event.Visibility.UNIT_MEMBERS),
            (coming_title, coming_item, 5 + i % 21, upcoming_visibility),
        ):
            if (section.pk, title) in existing:
                continue
            coming = days > 0
            # Every fourth section is still preparing its next meeting (a draft); one in
            # seven had to cancel it, and told its members why.
            status = Event.Status.PUBLISHED
            if coming and i % 4 == 3:
                status = Event.Status.DRAFT
            elif coming and i % 7 == 5:
                status = Event.Status.CANCELLED
            new_section_events.append(
                Event(
                    organiser=section,
                    kind=Event.Kind.SECTION_MEETING,
                    title=title,
                    slug=slugify(title)[:80],
                    description=AGENDA.format(first=item),
                    start=_at(days, 19),
                    end=_at(days, 21),
                    visibility=visibility,
                    address=place[:300],
                    status=status,
                    cancelled_at=timezone.now() if status == Event.Status.CANCELLED else None,
                    cancellation_reason=SECTION_CANCELLATION
                    if status == Event.Status.CANCELLED
                    else "",
                    sequence=1 if status == Event.Status.CANCELLED else 0,
                )
            )
    Event.objects.bulk_create(new_section_events)
    created_events += len(new_section_events)
    for event in new_section_events:
        pool = members_by_section.get(event.organiser_id, [])
        if pool:
            chosen = rng.sample(pool, min(len(pool), rng.randint(4, 15)))
            registrations += _register(event, chosen, rng, attendance=0.7)

    Registration.objects.bulk_create(registrations, ignore_conflicts=True)
    stdout.write(
        f"Événements : {created_events} créés ({Event.objects.count()} en tout), "
        f"{len(registrations)} inscriptions, {len(speakers)} intervenant·es."
    )
    return []
