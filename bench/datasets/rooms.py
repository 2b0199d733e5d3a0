"""Rooms at national scale: in each federation a few venues (the federation's premises with
its "espace sections", town halls, associations, cafés), their rooms with opening hours and
equipment, and the bookings by the sections of the federation over the scale's history
(``history_days``) and the two months to come.

Confirmed bookings of a room never overlap (the database's exclusion constraint holds
them): each room's bookings take distinct slots of a daily grid.
"""

from __future__ import annotations

import datetime
import zoneinfo

from bench.pages import Page, url

APP = "rooms"

EQUIPMENT = (
    ("projecteur", "Vidéoprojecteur"),
    ("sono", "Sonorisation"),
    ("micro", "Micros"),
    ("wifi", "Wifi"),
    ("cuisine", "Cuisine"),
    ("paperboard", "Paperboard"),
    ("visio", "Matériel de visioconférence"),
    ("ecran", "Grand écran"),
)
VENUE_KINDS = ("federation", "town_hall", "association", "union", "cafe", "other")
SLOTS = ((9, 12), (14, 17), (18, 20), (20, 22))
PURPOSES = (
    "Réunion de section",
    "Assemblée générale",
    "Réunion du bureau",
    "Formation des nouveaux adhérents",
    "Conférence-débat",
    "Permanence",
    "Préparation de la campagne",
)
FUTURE_DAYS = 60


def generate(conn, ctx):
    try:
        from fede.rooms.models import Booking, Equipment, OpeningHours, Room, Venue
    except ImportError:
        ctx.skip("l'application rooms n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")

    scale = ctx.scale
    rng = ctx.rng(APP)
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    today = ctx.today
    federations = org["federations"]
    sections = org["sections"]
    fed_sections = org["fed_sections"]
    user_of = org["user_of"]
    secretary = org["section_secretary"]
    first_secretary = org["fed_first_secretary"]
    arrondissements = [t[0] for t in org["territories"] if t[1] == "arrondissement"]

    ctx.copy(
        Equipment, ["id", "code", "name"], [(i, c, n) for i, (c, n) in enumerate(EQUIPMENT, 1)]
    )

    venues, rooms, room_equipment, hours = [], [], [], []
    room_info = []  # (room id, federation index, capacity, requires approval, sections space)
    vid = rid = 0
    for fi, (fid, _path, dept) in enumerate(federations):
        for k in range(scale.venues_per_federation):
            vid += 1
            kind = "federation" if k == 0 else VENUE_KINDS[1 + rng.randrange(len(VENUE_KINDS) - 1)]
            name = (
                "Siège de la fédération"
                if k == 0
                else f"{dict(Venue.Kind.choices)[kind]} {rng.randint(1, 99)}"
            )
            if dept != "75":
                name = f"{name} ({dept})"
            venues.append(
                (
                    vid,
                    name,
                    kind,
                    f"{rng.randint(1, 120)} rue de la République",
                    f"{dept}000"[:5],
                    "Paris" if dept == "75" else f"Ville {dept}",
                    rng.choice(arrondissements) if dept == "75" and arrondissements else None,
                    "Salle ouverte aux sections de la fédération.",
                    True,
                    fid,  # owned by its federation (rooms follow their venue)
                    False,
                )
            )
            for r in range(scale.rooms_per_venue):
                rid += 1
                sections_space = k == 0
                capacity = rng.choice((12, 20, 30, 40, 60, 80, 120, 200))
                approval = sections_space or rng.random() < 0.3
                rooms.append(
                    (
                        rid,
                        vid,
                        f"Salle {chr(65 + r)}",
                        capacity,
                        rng.random() < 0.6,
                        "Salle de réunion équipée.",
                        sections_space,
                        "no_premises" if sections_space and r == 0 else "all",
                        approval,
                        f"bench-{rid:08d}-{rng.getrandbits(64):016x}",
                    )
                )
                room_info.append((rid, fi, capacity, approval, sections_space))
                for e in rng.sample(range(1, len(EQUIPMENT) + 1), rng.randint(1, 4)):
                    room_equipment.append((len(room_equipment) + 1, rid, e))
                for weekday in range(6):
                    hours.append(
                        (len(hours) + 1, rid, weekday, datetime.time(9), datetime.time(22, 30))
                    )
    ctx.copy(
        Venue,
        [
            "id",
            "name",
            "kind",
            "address",
            "postal_code",
            "city",
            "arrondissement_id",
            "description",
            "is_active",
            "owner_id",
            "shared",
        ],
        venues,
    )
    ctx.copy(
        Room,
        [
            "id",
            "venue_id",
            "name",
            "capacity",
            "step_free",
            "description",
            "is_sections_space",
            "booking_policy",
            "requires_approval",
            "ics_token",
        ],
        rooms,
    )
    ctx.copy(Room.equipment.through, ["id", "room_id", "equipment_id"], room_equipment)
    ctx.copy(OpeningHours, ["id", "room_id", "weekday", "opens", "closes"], hours)

    now = ctx.now
    confirmed_by_fed: dict[int, list[tuple]] = {}
    busiest: dict[int, int] = {}

    def booking_rows():
        bid = 0
        candidates = [
            (d, s) for d in range(-scale.history_days, FUTURE_DAYS) for s in range(len(SLOTS))
        ]
        for rid, fi, capacity, approval, _space in room_info:
            sis = fed_sections[fi]
            chosen = rng.sample(candidates, min(scale.bookings_per_room, len(candidates)))
            for day_offset, slot in chosen:
                bid += 1
                day = today + datetime.timedelta(days=day_offset)
                start = datetime.datetime.combine(day, datetime.time(SLOTS[slot][0]), tz)
                end = datetime.datetime.combine(day, datetime.time(SLOTS[slot][1]), tz)
                si = sis[rng.randrange(len(sis))]
                x = rng.random()
                if start < now:
                    status = "confirmed" if x < 0.85 else "cancelled"
                elif approval and x < 0.25:
                    status = "pending"
                else:
                    status = "confirmed" if x < 0.9 else "cancelled"
                decided = status == "confirmed" and approval
                requested_by = user_of[secretary[si]]
                created = start - datetime.timedelta(days=rng.randint(3, 40))
                if status == "confirmed":
                    confirmed_by_fed.setdefault(fi, []).append(
                        (bid, sections[si][0], start, end, rid)
                    )
                    if start > now:
                        busiest[rid] = busiest.get(rid, 0) + 1
                yield (
                    bid,
                    rid,
                    sections[si][0],
                    start,
                    end,
                    status,
                    rng.choice(PURPOSES),
                    max(1, min(capacity, rng.randint(5, 60))),
                    requested_by,
                    user_of[first_secretary[fi]] if decided else None,
                    created + datetime.timedelta(days=1) if decided else None,
                    requested_by if status == "cancelled" else None,
                    created + datetime.timedelta(days=2) if status == "cancelled" else None,
                    created,
                )

    ctx.copy_timed(
        Booking,
        [
            "id",
            "room_id",
            "section_id",
            "start",
            "end",
            "status",
            "purpose",
            "expected_attendance",
            "requested_by_id",
            "decided_by_id",
            "decided_at",
            "cancelled_by_id",
            "cancelled_at",
            "created_at",
        ],
        booking_rows(),
    )
    ctx.shared[APP] = {"confirmed_by_federation": confirmed_by_fed}

    # The load run looks, for each simulated secretary, at the busiest rooms of their own
    # federation (rooms belong to a federation: another's are out of reach) and at the
    # week to come.
    fed_index = {fid: fi for fi, (fid, _path, _dept) in enumerate(federations)}
    monday = today - datetime.timedelta(days=today.weekday())
    iso = (monday + datetime.timedelta(days=7)).isocalendar()
    thursday = monday + datetime.timedelta(days=10)
    secretaries = ctx.targets.get("organization", {}).get("section_secretaries", [])

    def top_rooms(fi: int) -> list[int]:
        rooms_of = [r for r in room_info if r[1] == fi]
        return [r[0] for r in sorted(rooms_of, key=lambda r: -busiest.get(r[0], 0))[:4]]

    users = []
    for s in secretaries:
        fi = fed_index.get(s["federation_id"], 0)
        users.append(
            {
                "user_id": s["user_id"],
                "room_ids": top_rooms(fi),
                # Venues are numbered federation by federation.
                "venue_id": fi * scale.venues_per_federation + 1,
                "week": f"{iso[0]}-W{iso[1]:02d}",
                "free_day": thursday.isoformat(),
            }
        )
    ctx.targets[APP] = {"users": users}


def pages(targets: dict) -> list[Page]:
    users = targets.get(APP, {}).get("users", [])
    return [
        Page(
            "rooms.directory",
            "Annuaire des salles (secrétaire de section)",
            users,
            lambda e: [url("rooms:directory")],
            weight=2,
        ),
        Page(
            "rooms.directory_free",
            "Salles libres un jeudi soir pour 30 personnes (secrétaire)",
            users,
            lambda e: [
                url("rooms:directory", date=e["free_day"], debut="19:00", fin="21:00", capacite=30)
            ],
            weight=2,
        ),
        Page(
            "rooms.room_week",
            "Semaine d'une salle très réservée (secrétaire)",
            users,
            lambda e: [url("rooms:room_detail", pk, semaine=e["week"]) for pk in e["room_ids"]],
            weight=2,
        ),
        Page(
            "rooms.venue_week",
            "Semaine de toutes les salles du siège (secrétaire)",
            users,
            lambda e: [url("rooms:venue_detail", e["venue_id"], semaine=e["week"])],
        ),
    ]
