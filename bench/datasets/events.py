"""Events at national scale: in each federation the section meetings, assemblies,
conference-debates and trainings of the scale's history (``history_days``) and of the
three months to come, some of them in a room booked by the organising section, with speakers and registrations of members (and of
guests for public events)."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

from bench.pages import Page, url

APP = "events"

KINDS = (
    ("section_meeting", "Réunion de section", 40),
    ("general_assembly", "Assemblée générale", 8),
    ("conference", "Conférence-débat", 20),
    ("training", "Formation", 15),
    ("public_meeting", "Réunion publique", 12),
    ("other", "Rencontre", 5),
)
VISIBILITIES = (("public", 40), ("members", 40), ("unit_members", 15), ("up_to_date", 5))
THEMES = (
    "le logement",
    "l'école publique",
    "les services publics",
    "la santé",
    "les transports",
    "l'écologie populaire",
    "le travail",
    "l'Europe",
    "les municipales",
    "la jeunesse",
)
FUTURE_DAYS = 90


def generate(conn, ctx):
    try:
        from fede.events.models import Event, EventSpeaker, Registration, Speaker
    except ImportError:
        ctx.skip("l'application events n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")

    scale = ctx.scale
    rng = ctx.rng(APP)
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    now = ctx.now
    federations = org["federations"]
    sections = org["sections"]
    fed_sections = org["fed_sections"]
    starts, per_section = org["section_members"]
    user_of = org["user_of"]
    secretary = org["section_secretary"]
    booked = ctx.shared.get("rooms", {}).get("confirmed_by_federation", {})

    speakers = []
    for fid, _path, _dept in federations:
        for _ in range(10):
            speakers.append(
                (
                    len(speakers) + 1,
                    f"Intervenant·e {len(speakers) + 1}",
                    rng.choice(("researcher", "elected", "unionist", "association", "other")),
                    "Chercheuse en sciences sociales",
                    "Auteur·e de plusieurs ouvrages.",
                    fid,  # each federation's directory of speakers
                    False,
                )
            )
    ctx.copy(
        Speaker, ["id", "name", "quality", "affiliation", "bio", "owner_id", "shared"], speakers
    )

    kinds = [k for k, _l, _w in KINDS]
    kind_weights = [w for _k, _l, w in KINDS]
    labels = {k: label for k, label, _w in KINDS}
    visibilities = [v for v, _w in VISIBILITIES]
    vis_weights = [w for _v, w in VISIBILITIES]

    events, parts, registrations = [], [], []
    # (registrations, id, slug, the organising section's secretary)
    big_upcoming: list[tuple[int, int, str, int]] = []
    reg_id = 0
    for fi, (fid, _path, _dept) in enumerate(federations):
        pool = list(booked.get(fi, []))
        rng.shuffle(pool)
        sis = fed_sections[fi]
        for k in range(scale.events_per_federation):
            eid = len(events) + 1
            kind = rng.choices(kinds, kind_weights)[0]
            flagship = k == 0
            booking = pool.pop() if pool and rng.random() < 0.4 and not flagship else None
            if flagship:
                # Each federation's big public conference, a fortnight ahead, in its
                # largest section: the event page with the most registrations.
                kind, booking_id = "conference", None
                si = max(sis, key=lambda i: per_section[i])
                organiser = sections[si][0]
                day = now.date() + datetime.timedelta(days=14)
                start = datetime.datetime.combine(day, datetime.time(19), tz)
                end = start + datetime.timedelta(hours=2)
            elif booking:
                booking_id, organiser, start, end, _room = booking
                si = None
            else:
                booking_id = None
                day = now.date() + datetime.timedelta(
                    days=rng.randint(-scale.history_days, FUTURE_DAYS)
                )
                start = datetime.datetime.combine(
                    day, datetime.time(rng.choice((10, 14, 18, 19))), tz
                )
                end = start + datetime.timedelta(hours=rng.choice((1, 2, 2, 3)))
                if kind in ("general_assembly", "conference") and rng.random() < 0.4:
                    organiser, si = fid, None
                else:
                    si = sis[rng.randrange(len(sis))]
                    organiser = sections[si][0]
            if si is None:
                si = next((i for i in sis if sections[i][0] == organiser), sis[0])
            title = f"{labels[kind]} : {rng.choice(THEMES)}"
            slug = f"{kind.replace('_', '-')}-{eid}"
            visibility = "public" if flagship else rng.choices(visibilities, vis_weights)[0]
            capacity = 300 if flagship else rng.choice((None, None, 30, 50, 80, 150, 300))
            enabled = flagship or rng.random() < 0.85
            events.append(
                (
                    eid,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    organiser,
                    kind,
                    title,
                    slug,
                    f"Une soirée pour débattre de {rng.choice(THEMES)}.\n\nEntrée libre.",
                    start,
                    end,
                    booking_id,
                    "" if booking_id else "Café associatif",
                    "" if booking_id else f"{rng.randint(1, 99)} rue de la Paix",
                    visibility,
                    enabled,
                    capacity,
                    user_of[secretary[si]],
                    start - datetime.timedelta(days=rng.randint(7, 40)),
                )
            )
            if kind == "conference":
                for order, sp in enumerate(
                    rng.sample(range(fi * 10 + 1, fi * 10 + 11), rng.randint(1, 3))
                ):
                    parts.append((len(parts) + 1, eid, sp, "speaker", order))
            if not enabled:
                continue
            # Registrations: members of the organising section, guests for public events.
            wanted = 250 if flagship else int(rng.expovariate(1 / scale.registrations_per_event))
            n = min(capacity or 10_000, wanted, per_section[si])
            members = rng.sample(range(starts[si], starts[si] + per_section[si]), n)
            past = end < now
            for mid in members:
                reg_id += 1
                x = rng.random()
                status = "confirmed" if x < 0.85 else "cancelled" if x < 0.95 else "waiting"
                changed = start - datetime.timedelta(days=rng.randint(1, 30))
                registrations.append(
                    (
                        reg_id,
                        eid,
                        mid,
                        "",
                        "",
                        status,
                        changed,
                        past and status == "confirmed" and rng.random() < 0.7,
                        changed,
                    )
                )
            if visibility == "public":
                for g in range(int(n * 0.2)):
                    reg_id += 1
                    changed = start - datetime.timedelta(days=rng.randint(1, 30))
                    registrations.append(
                        (
                            reg_id,
                            eid,
                            None,
                            f"Invité·e {g}",
                            f"invite{eid}.{g}@example.net",
                            "confirmed",
                            changed,
                            False,
                            changed,
                        )
                    )
            if start > now and visibility == "public":
                big_upcoming.append((n, eid, slug, user_of[secretary[si]]))

    ctx.copy_timed(
        Event,
        [
            "id",
            "uid",
            "organiser_id",
            "kind",
            "title",
            "slug",
            "description",
            "start",
            "end",
            "booking_id",
            "place_name",
            "address",
            "visibility",
            "registration_enabled",
            "capacity",
            "created_by_id",
            "created_at",
            "status",
        ],
        # Every generated event is published (a draft is in no agenda, feed or public page).
        (e + ("published",) for e in events),
    )
    ctx.copy(EventSpeaker, ["id", "event_id", "speaker_id", "part", "order"], parts)
    ctx.copy_timed(
        Registration,
        [
            "id",
            "event_id",
            "member_id",
            "guest_name",
            "guest_email",
            "status",
            "status_changed_at",
            "attended",
            "created_at",
        ],
        registrations,
    )

    # The load run: the busiest coming public events of the first federations.
    big_upcoming.sort(reverse=True)
    secretaries = ctx.targets.get("organization", {}).get("section_secretaries", [])
    chosen = big_upcoming[: max(1, len(secretaries))]
    ctx.targets[APP] = {
        "users": [
            {
                "user_id": s["user_id"],
                "event_id": chosen[i % len(chosen)][1],
                "slug": chosen[i % len(chosen)][2],
            }
            for i, s in enumerate(secretaries)
        ]
        if chosen
        else [],
        "public": [{"event_id": e[1], "slug": e[2]} for e in chosen],
        "organisers": [{"user_id": e[3], "event_id": e[1]} for e in chosen],
    }


def pages(targets: dict) -> list[Page]:
    t = targets.get(APP, {})
    users, public = t.get("users", []), t.get("public", [])
    organisers = t.get("organisers", [])
    return [
        Page(
            "events.agenda_public",
            "Agenda public (anonyme)",
            [{}],
            lambda e: [url("events:agenda")],
            anonymous=True,
            weight=3,
        ),
        Page(
            "events.agenda",
            "Agenda d'un·e adhérent·e connecté·e (secrétaire)",
            users,
            lambda e: [url("events:agenda")],
            weight=3,
        ),
        Page(
            "events.month",
            "Agenda du mois (secrétaire)",
            users,
            lambda e: [url("events:month")],
        ),
        Page(
            "events.event_public",
            "Page d'un événement public très suivi (anonyme)",
            public,
            lambda e: [url("events:event_detail", e["event_id"], e["slug"])],
            anonymous=True,
            weight=3,
        ),
        Page(
            "events.event",
            "Page d'un événement très suivi (secrétaire connecté·e)",
            users,
            lambda e: [url("events:event_detail", e["event_id"], e["slug"])],
            weight=2,
        ),
        Page(
            "events.attendees",
            "Participants d'un événement très suivi (organisateur·rice)",
            organisers,
            lambda e: [url("events:attendees", e["event_id"])],
        ),
    ]
