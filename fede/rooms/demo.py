"""Demo data of the rooms app: the federation's espace sections and rooms across Paris.

Runs after the organisation demo (federation "FED75", sections "S75-…"/"SE75-…",
arrondissements by INSEE code). Idempotent: venues and rooms are matched by name,
equipment by code; bookings are generated only for rooms that have none yet. No booking
falls on a public holiday nor on 24, 25 or 31 December (``slots.is_festive``).
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from fede.organization.models import Mandate, Role, Territory, Unit

from . import slots
from .models import Booking, BookingSeries, Equipment, OpeningHours, Room, Venue

EQUIPMENT = [
    ("projecteur", "Vidéoprojecteur"),
    ("ecran", "Écran"),
    ("sono", "Sonorisation"),
    ("micro", "Micros sans fil"),
    ("wifi", "Wi-Fi"),
    ("visio", "Visioconférence"),
    ("paperboard", "Paperboard"),
    ("cuisine", "Coin cuisine ou bar"),
    ("boucle", "Boucle magnétique"),
]

# Weekday opening hours: (first weekday, last weekday, opens, closes).
FEDERATION_HOURS = [(0, 5, "09:00", "23:00")]
TOWN_HALL_HOURS = [(0, 4, "09:00", "22:30"), (5, 5, "09:00", "18:00")]
ASSOCIATION_HOURS = [(0, 5, "10:00", "22:30")]
UNION_HOURS = [(0, 4, "09:00", "22:00")]
CAFE_HOURS = [(0, 5, "17:00", "23:30")]

FEDERATION_VENUE = {
    "name": "Fédération de Paris — espace sections",
    "kind": Venue.Kind.FEDERATION,
    "address": "27 rue du Faubourg-Poissonnière",
    "postal_code": "75010",
    "arr": 10,
    "description": (
        "Les locaux de la fédération accueillent les sections qui n'ont pas de local : "
        "réunions de bureau, permanences, assemblées générales."
    ),
    "access_notes": "Métro Bonne-Nouvelle. Ascenseur au fond de la cour. Digicode donné à la réservation.",
    "contact_name": "Accueil de la fédération",
    "contact_email": "accueil@demo.fede.paris",
    "contact_phone": "01 40 00 00 00",
    "hours": FEDERATION_HOURS,
    "rooms": [
        {
            "name": "Salle Jean-Jaurès",
            "capacity": 80,
            "step_free": True,
            "equipment": ["projecteur", "ecran", "sono", "micro", "wifi", "boucle"],
            "requires_approval": True,
            "policy": Room.Policy.ALL_SECTIONS,
            "price": "Gratuit pour les sections. Rangement de la salle à la charge de la section.",
        },
        {
            "name": "Salle Louise-Michel",
            "capacity": 30,
            "step_free": True,
            "equipment": ["projecteur", "ecran", "wifi", "paperboard"],
            "policy": Room.Policy.ALL_SECTIONS,
            "price": "Gratuit pour les sections.",
        },
        {
            "name": "Salle Olympe-de-Gouges",
            "capacity": 14,
            "step_free": True,
            "equipment": ["visio", "wifi", "paperboard"],
            "policy": Room.Policy.NO_PREMISES,
            "price": "Gratuit. Réservée aux sections sans local.",
        },
        {
            "name": "Bureau des permanences",
            "capacity": 6,
            "step_free": True,
            "equipment": ["wifi"],
            "policy": Room.Policy.NO_PREMISES,
            "price": "Gratuit. Réservé aux sections sans local.",
        },
    ],
}

# (venue name, kind, arrondissement, address, rooms[(name, capacity, step_free, equipment,
#  requires_approval, price)], hours)
VENUES = [
    (
        "Mairie du 3e — salle des fêtes",
        Venue.Kind.TOWN_HALL,
        3,
        "2 rue Eugène-Spuller",
        [
            (
                "Salle des fêtes",
                120,
                True,
                ["sono", "micro", "projecteur"],
                True,
                "Gratuit, sur demande écrite au cabinet du maire.",
            )
        ],
        TOWN_HALL_HOURS,
    ),
    (
        "Mairie du 11e",
        Venue.Kind.TOWN_HALL,
        11,
        "12 place Léon-Blum",
        [
            (
                "Salle Olympe",
                50,
                True,
                ["projecteur", "ecran", "micro"],
                True,
                "Gratuit pour les associations et partis, deux mois à l'avance.",
            ),
            ("Salon Voltaire", 25, False, ["paperboard"], True, "Gratuit."),
        ],
        TOWN_HALL_HOURS,
    ),
    (
        "Mairie du 13e",
        Venue.Kind.TOWN_HALL,
        13,
        "1 place d'Italie",
        [("Salle des mariages (hors samedis)", 90, True, ["sono", "micro"], True, "Gratuit.")],
        TOWN_HALL_HOURS,
    ),
    (
        "Mairie du 18e",
        Venue.Kind.TOWN_HALL,
        18,
        "1 place Jules-Joffrin",
        [("Salle Barbara", 60, True, ["projecteur", "sono", "boucle"], True, "Gratuit.")],
        TOWN_HALL_HOURS,
    ),
    (
        "Mairie du 20e",
        Venue.Kind.TOWN_HALL,
        20,
        "6 place Gambetta",
        [("Salle des commissions", 35, True, ["projecteur", "ecran"], True, "Gratuit.")],
        TOWN_HALL_HOURS,
    ),
    (
        "Maison des associations du 12e",
        Venue.Kind.ASSOCIATION,
        12,
        "181 avenue Daumesnil",
        [
            (
                "Salle 1",
                30,
                True,
                ["projecteur", "wifi"],
                False,
                "Adhésion annuelle de la section : 20 €.",
            ),
            (
                "Salle 2",
                15,
                True,
                ["paperboard", "wifi"],
                False,
                "Adhésion annuelle de la section : 20 €.",
            ),
        ],
        ASSOCIATION_HOURS,
    ),
    (
        "Maison des associations du 14e",
        Venue.Kind.ASSOCIATION,
        14,
        "22 rue Deparcieux",
        [
            (
                "Grande salle",
                45,
                True,
                ["projecteur", "sono", "wifi"],
                False,
                "Gratuit pour les associations inscrites.",
            )
        ],
        ASSOCIATION_HOURS,
    ),
    (
        "Maison des associations du 15e",
        Venue.Kind.ASSOCIATION,
        15,
        "22 rue de la Saïda",
        [
            (
                "Salle Jacqueline-Auriol",
                40,
                True,
                ["projecteur", "wifi", "boucle"],
                False,
                "Gratuit.",
            )
        ],
        ASSOCIATION_HOURS,
    ),
    (
        "Maison des associations du 19e",
        Venue.Kind.ASSOCIATION,
        19,
        "20 rue Édouard-Pailleron",
        [
            ("Salle Simone-Veil", 35, True, ["projecteur", "ecran", "wifi"], False, "Gratuit."),
            ("Petite salle", 12, False, ["paperboard"], False, "Gratuit."),
        ],
        ASSOCIATION_HOURS,
    ),
    (
        "Centre social Belleville",
        Venue.Kind.ASSOCIATION,
        20,
        "34 rue de Tourtille",
        [
            (
                "Salle polyvalente",
                50,
                True,
                ["sono", "cuisine"],
                False,
                "Participation libre aux frais de ménage.",
            )
        ],
        ASSOCIATION_HOURS,
    ),
    (
        "Maison de quartier La Chapelle",
        Venue.Kind.ASSOCIATION,
        18,
        "12 rue de Torcy",
        [
            (
                "Salle du rez-de-chaussée",
                30,
                True,
                ["cuisine", "paperboard"],
                False,
                "Caution de 100 €.",
            )
        ],
        ASSOCIATION_HOURS,
    ),
    (
        "Centre Paris Anim' Montparnasse",
        Venue.Kind.ASSOCIATION,
        6,
        "26 rue du Montparnasse",
        [("Salle B", 20, False, ["paperboard", "wifi"], False, "15 € de l'heure.")],
        ASSOCIATION_HOURS,
    ),
    (
        "Bourse du travail",
        Venue.Kind.UNION,
        10,
        "3 rue du Château-d'Eau",
        [
            (
                "Grande salle Ambroise-Croizat",
                150,
                False,
                ["sono", "micro", "projecteur"],
                True,
                "Sur accord de l'union départementale.",
            ),
            (
                "Salle Eugène-Varlin",
                40,
                True,
                ["projecteur", "wifi"],
                True,
                "Sur accord de l'union départementale.",
            ),
        ],
        UNION_HOURS,
    ),
    (
        "Union locale du 17e",
        Venue.Kind.UNION,
        17,
        "35 rue de Saussure",
        [
            (
                "Salle de réunion",
                25,
                False,
                ["paperboard"],
                False,
                "Gratuit entre organisations amies.",
            )
        ],
        UNION_HOURS,
    ),
    (
        "Local syndical des cheminots",
        Venue.Kind.UNION,
        12,
        "8 rue de Chalon",
        [
            (
                "Salle du comité",
                30,
                True,
                ["projecteur", "wifi"],
                False,
                "Gratuit, pour la section d'entreprise en priorité.",
            )
        ],
        UNION_HOURS,
    ),
    (
        "Le Petit Ménilmontant",
        Venue.Kind.CAFE,
        20,
        "40 rue de Ménilmontant",
        [
            (
                "Arrière-salle",
                25,
                False,
                ["cuisine"],
                False,
                "Consommation conseillée ; pas de location.",
            )
        ],
        CAFE_HOURS,
    ),
    (
        "Café de la Commune",
        Venue.Kind.CAFE,
        11,
        "95 rue Oberkampf",
        [
            (
                "Salle du fond",
                30,
                True,
                ["cuisine", "wifi"],
                False,
                "Gratuit en semaine, réserver auprès du patron.",
            )
        ],
        CAFE_HOURS,
    ),
    (
        "Le Bistrot des Canaux",
        Venue.Kind.CAFE,
        10,
        "6 quai de Jemmapes",
        [
            (
                "Mezzanine",
                20,
                False,
                ["cuisine"],
                False,
                "Minimum de consommation : 5 € par personne.",
            )
        ],
        CAFE_HOURS,
    ),
    (
        "La Butte aux Cailles",
        Venue.Kind.CAFE,
        13,
        "18 rue de la Butte-aux-Cailles",
        [("Salle voûtée", 35, False, ["sono", "cuisine"], False, "Gratuit le lundi et le mardi.")],
        CAFE_HOURS,
    ),
    (
        "Le Comptoir de Clichy",
        Venue.Kind.CAFE,
        17,
        "2 avenue de Clichy",
        [("Salle du premier", 18, False, ["cuisine"], False, "Pas de location.")],
        CAFE_HOURS,
    ),
    (
        "Bar associatif La Ruche",
        Venue.Kind.CAFE,
        19,
        "5 rue de Meaux",
        [
            (
                "Grande salle",
                45,
                True,
                ["sono", "projecteur", "cuisine"],
                False,
                "Adhésion à prix libre.",
            )
        ],
        CAFE_HOURS,
    ),
    (
        "Maison de la vie associative du 5e",
        Venue.Kind.ASSOCIATION,
        5,
        "4 rue des Arènes",
        [("Salle Marie-Curie", 28, True, ["projecteur", "wifi"], False, "Gratuit.")],
        ASSOCIATION_HOURS,
    ),
    (
        "Espace associatif des Batignolles",
        Venue.Kind.ASSOCIATION,
        17,
        "7 rue Lemercier",
        [("Salle 3", 22, True, ["paperboard", "visio"], False, "Gratuit.")],
        ASSOCIATION_HOURS,
    ),
    (
        "Maison des ensembles du 16e",
        Venue.Kind.OTHER,
        16,
        "14 rue Cortambert",
        [("Salle polyvalente", 40, True, ["projecteur", "sono"], False, "30 € la soirée.")],
        ASSOCIATION_HOURS,
    ),
]

PURPOSES = [
    "Réunion de section",
    "Bureau de section",
    "Assemblée générale",
    "Permanence adhérents",
    "Préparation du porte-à-porte",
    "Réunion publique",
    "Atelier programme",
    "Accueil des nouveaux adhérents",
    "Formation militante",
    "Débat : logement",
]

EVENING = [("18:00", "20:00"), ("18:30", "20:30"), ("19:00", "21:00"), ("20:00", "22:00")]


def _t(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def _hours_rows(room: Room, spec) -> list[OpeningHours]:
    return [
        OpeningHours(room=room, weekday=weekday, opens=_t(opens), closes=_t(closes))
        for first, last, opens, closes in spec
        for weekday in range(first, last + 1)
    ]


def _arrondissements() -> dict[int, Territory]:
    return {
        t.number: t
        for t in Territory.objects.filter(
            kind=Territory.Kind.ARRONDISSEMENT, code__startswith="751"
        )
        if t.number
    }


def _venue(data: dict, arrondissements, owner=None) -> Venue:
    venue, _ = Venue.objects.update_or_create(
        name=data["name"],
        defaults={
            "owner": owner,
            "kind": data["kind"],
            "address": data["address"],
            "postal_code": data.get("postal_code") or f"750{data['arr']:02d}",
            "city": "Paris",
            "arrondissement": arrondissements.get(data["arr"]),
            "description": data.get("description", ""),
            "access_notes": data.get("access_notes", ""),
            "contact_name": data.get("contact_name", ""),
            "contact_email": data.get("contact_email", ""),
            "contact_phone": data.get("contact_phone", ""),
        },
    )
    return venue


def _room(venue: Venue, spec: dict, equipment: dict[str, Equipment], hours, *, space: bool) -> Room:
    room, _ = Room.objects.update_or_create(
        venue=venue,
        name=spec["name"],
        defaults={
            "capacity": spec["capacity"],
            "step_free": spec["step_free"],
            "requires_approval": spec.get("requires_approval", False),
            "booking_policy": spec.get("policy", Room.Policy.ALL_SECTIONS),
            "price_conditions": spec.get("price", ""),
            "is_sections_space": space,
            "max_duration_minutes": 240 if space else 300,
            "booking_window_days": 30 if space else 60,
            "no_premises_window_days": 90 if space else None,
        },
    )
    room.equipment.set([equipment[c] for c in spec["equipment"]])
    if not room.opening_hours.exists():
        OpeningHours.objects.bulk_create(_hours_rows(room, hours))
    return room


def _requesters(sections: list[Unit]) -> dict[int, object]:
    """The section secretary's login of each section, when the organisation demo made one."""
    return dict(
        Mandate.objects.current()
        .filter(unit__in=sections, role=Role.SECTION_SECRETARY, member__user__isnull=False)
        .values_list("unit_id", "member__user")
    )


def _bookings(rooms: list[Room], sections: list[Unit], stdout) -> int:
    """A few weeks of bookings (3 weeks back, 5 ahead) for rooms that have none yet."""
    rooms = [r for r in rooms if not r.bookings.exists()]
    if not rooms or not sections:
        return 0
    rng = random.Random(75)  # noqa: S311 — demo data, reproducible
    today = slots.today()
    requesters = _requesters(sections)
    homeless = [s for s in sections if not s.has_premises] or sections
    rows: list[Booking] = []
    first_day = today - datetime.timedelta(weeks=3)
    for room in rooms:
        open_days = {o.weekday: o for o in room.opening_hours.all()}
        for offset in range(8 * 7):
            day = first_day + datetime.timedelta(days=offset)
            hours = open_days.get(day.weekday())
            if hours is None or slots.is_festive(day):
                continue  # closed, or a holiday, 24, 25 or 31 December: nobody meets
            chance = 0.55 if room.is_sections_space else 0.22
            candidates = homeless if room.booking_policy == Room.Policy.NO_PREMISES else sections
            if rng.random() < chance:
                start_s, end_s = rng.choice(EVENING)
                if _t(start_s) >= hours.opens and _t(end_s) <= hours.closes:
                    rows.append(
                        _demo_booking(
                            room,
                            rng.choice(candidates),
                            day,
                            start_s,
                            end_s,
                            rng,
                            today,
                            requesters,
                        )
                    )
            if day.weekday() == 5 and rng.random() < chance and hours.opens <= _t("10:00"):
                rows.append(
                    _demo_booking(
                        room, rng.choice(candidates), day, "10:00", "12:00", rng, today, requesters
                    )
                )
    Booking.objects.bulk_create(rows)
    return len(rows)


def _demo_booking(room, section, day, start_s, end_s, rng, today, requesters) -> Booking:
    status = Booking.Status.CONFIRMED
    if room.requires_approval and day > today and rng.random() < 0.35:
        status = Booking.Status.PENDING
    elif day > today and rng.random() < 0.05:
        status = Booking.Status.CANCELLED
    return Booking(
        room=room,
        section=section,
        start=slots.at(day, _t(start_s)),
        end=slots.at(day, _t(end_s)),
        status=status,
        purpose=rng.choice(PURPOSES),
        expected_attendance=max(2, min(room.capacity, rng.randint(6, 60))),
        requested_by_id=requesters.get(section.pk),
    )


def _weekly_series(room: Room, section: Unit, requesters) -> None:
    """A section without premises holds the permanence office every Tuesday evening."""
    if BookingSeries.objects.filter(room=room, section=section).exists():
        return
    today = slots.today()
    first = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    until = first + datetime.timedelta(weeks=6)
    series = BookingSeries.objects.create(
        room=room,
        section=section,
        frequency=BookingSeries.Frequency.WEEKLY,
        until=until,
        requested_by_id=requesters.get(section.pk),
    )
    taken = Booking.objects.confirmed().filter(room=room)
    rows = []
    day = first
    while day <= until:
        start, end = slots.at(day, _t("18:00")), slots.at(day, _t("19:30"))
        if not slots.is_festive(day) and not taken.overlapping(start, end).exists():
            rows.append(
                Booking(
                    room=room,
                    section=section,
                    start=start,
                    end=end,
                    status=Booking.Status.CONFIRMED,
                    purpose="Permanence hebdomadaire",
                    expected_attendance=4,
                    series=series,
                    requested_by_id=requesters.get(section.pk),
                )
            )
        day += datetime.timedelta(weeks=1)
    Booking.objects.bulk_create(rows)


@transaction.atomic
def load(*, stdout, open_data=None) -> list[tuple[str, str, str]]:
    federation = Unit.objects.filter(code="FED75").first()
    arrondissements = _arrondissements()
    equipment = {
        code: Equipment.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in EQUIPMENT
    }
    rooms: list[Room] = []
    fed_venue = _venue(FEDERATION_VENUE, arrondissements, federation)
    space_rooms = [
        _room(fed_venue, spec, equipment, FEDERATION_VENUE["hours"], space=True)
        for spec in FEDERATION_VENUE["rooms"]
    ]
    rooms += space_rooms
    for name, kind, arr, address, room_specs, hours in VENUES:
        venue = _venue(
            {"name": name, "kind": kind, "arr": arr, "address": address},
            arrondissements,
            federation,
        )
        for room_name, capacity, step_free, codes, approval, price in room_specs:
            rooms.append(
                _room(
                    venue,
                    {
                        "name": room_name,
                        "capacity": capacity,
                        "step_free": step_free,
                        "equipment": codes,
                        "requires_approval": approval,
                        "price": price,
                    },
                    equipment,
                    hours,
                    space=False,
                )
            )
    sections = list(Unit.objects.sections().active().filter(code__startswith="S").order_by("code"))
    if federation is None or not sections:
        stdout.write("Salles : pas de fédération de démonstration, réservations non créées.")
        return []
    count = _bookings(rooms, sections, stdout)
    homeless = [s for s in sections if not s.has_premises]
    if homeless:
        _weekly_series(space_rooms[-1], homeless[0], _requesters(homeless[:1]))
    stdout.write(
        f"Salles : {Venue.objects.count()} lieux, {Room.objects.count()} salles, "
        f"{count} réservations créées."
    )
    return []
