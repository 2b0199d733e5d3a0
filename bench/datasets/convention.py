"""The convention at national scale: this year's convention, organised at the national
level so that every section takes part, in its amendments phase. Its three topics each
hold a contribution from every section (8,000 per topic at national scale) with the
section's vote; each section's debate is scheduled; the published syntheses cite most
contributions (fully or in part), which the coverage view lists.
"""

from __future__ import annotations

import datetime
import math
import zoneinfo

from bench.pages import Page, url

APP = "convention"

TOPICS = (
    ("paris", "Paris, ville populaire : logement et services publics"),
    ("region", "Les transports en Île-de-France"),
    ("national", "Travail, salaires et retraites"),
)
PROPOSALS = (
    "La section propose un plan de construction de logements sociaux sur cinq ans.",
    "Les adhérent·es demandent la gratuité des transports pour les moins de 26 ans.",
    "Nous voulons des centres de santé publics dans chaque quartier.",
    "La section insiste sur la revalorisation des salaires des services publics.",
    "Il faut associer les usager·es aux décisions qui les concernent.",
    "Le débat a fait ressortir l'urgence climatique dans les choix d'aménagement.",
)
HEADINGS = ("Constats", "Nos propositions", "Financement", "Calendrier", "Mise en œuvre")
PAGE_SIZE = 30
#: The topic page the load run reads: the one that ends on the 900th contribution.
DEEP_PAGE = 30


def generate(conn, ctx):
    try:
        from fede.convention.models import (
            Citation,
            Contribution,
            Convention,
            Paragraph,
            SectionDebate,
            Topic,
        )
    except ImportError:
        ctx.skip("l'application convention n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")

    rng = ctx.rng(APP)
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    today = ctx.today
    sections = org["sections"]
    starts, per_section = org["section_members"]
    user_of = org["user_of"]
    secretary = org["section_secretary"]
    org_targets = ctx.targets.get("organization", {})
    national_id = org_targets.get("national_id", 1)
    national_user = org_targets.get("national_first_secretary")

    def day(offset: int) -> datetime.date:
        return today + datetime.timedelta(days=offset)

    def at(offset: int, hour: int = 23) -> datetime.datetime:
        return datetime.datetime.combine(day(offset), datetime.time(hour), tz)

    # The amendments phase: contributions closed a month ago, syntheses published.
    created = at(-120, 10)
    ctx.copy(
        Convention,
        [
            "id",
            "federation_id",
            "year",
            "title",
            "presentation",
            "topics_published_on",
            "debates_start",
            "contributions_deadline",
            "amendments_open",
            "amendments_deadline",
            "convention_day",
            "place",
            "created_at",
        ],
        [
            (
                1,
                national_id,
                today.year,
                f"Convention nationale {today.year}",
                "Trois sujets débattus dans toutes les sections.",
                day(-100),
                day(-90),
                at(-30),
                day(-5),
                at(10),
                day(20),
                "Palais des congrès",
                created,
            )
        ],
    )
    published = at(-6, 12)
    ctx.copy(
        Topic,
        [
            "id",
            "convention_id",
            "scope",
            "title",
            "framing",
            "synthesis_introduction",
            "synthesis_published_at",
            "created_at",
        ],
        [
            (
                ti,
                1,
                scope,
                title,
                "Les questions posées aux sections, les enjeux et les chiffres utiles.",
                "La synthèse reprend les contributions des sections.",
                published,
                created,
            )
            for ti, (scope, title) in enumerate(TOPICS, start=1)
        ],
    )
    ctx.copy(
        SectionDebate,
        ["id", "convention_id", "section_id", "starts_at", "place", "notes", "created_at"],
        (
            (
                si + 1,
                1,
                s[0],
                at(-rng.randint(31, 89), 19),
                "Local de la section",
                "Ouvert à tous les adhérent·es.",
                created,
            )
            for si, s in enumerate(sections)
        ),
    )

    # A contribution of every section on every topic.
    contribution_ids: list[list[int]] = [[] for _ in TOPICS]

    def contribution_rows():
        cid = 0
        for ti in range(len(TOPICS)):
            for si, s in enumerate(sections):
                cid += 1
                contribution_ids[ti].append(cid)
                present = max(1, min(per_section[si], rng.randint(3, 40)))
                votes_for = rng.randint(0, present)
                votes_against = rng.randint(0, present - votes_for)
                votes_abstain = rng.randint(0, present - votes_for - votes_against)
                text = "\n\n".join(rng.sample(PROPOSALS, rng.randint(2, 4)))
                submitted = at(-rng.randint(31, 60), 21)
                yield (
                    cid,
                    ti + 1,
                    s[0],
                    text,
                    present,
                    votes_for,
                    votes_against,
                    votes_abstain,
                    "Une minorité souhaitait aller plus loin." if rng.random() < 0.1 else "",
                    1,
                    user_of[secretary[si]],
                    "Reprise dans la synthèse." if rng.random() < 0.2 else "",
                    submitted,
                )

    ctx.copy_timed(
        Contribution,
        [
            "id",
            "topic_id",
            "section_id",
            "text",
            "members_present",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "minority_opinion",
            "version",
            "submitted_by_id",
            "rapporteur_note",
            "created_at",
        ],
        contribution_rows(),
    )

    # The syntheses: paragraphs citing about two thirds of the contributions.
    paragraphs, citations = [], []
    for ti in range(len(TOPICS)):
        pids = []
        for position in range(1, 16):
            pid = len(paragraphs) + 1
            pids.append(pid)
            paragraphs.append(
                (
                    pid,
                    ti + 1,
                    position,
                    HEADINGS[(position - 1) % len(HEADINGS)],
                    " ".join(rng.sample(PROPOSALS, 3)),
                    1,
                    published,
                )
            )
        for cid in contribution_ids[ti]:
            if rng.random() < 0.35:
                continue
            for pid in rng.sample(pids, rng.choice((1, 1, 2))):
                citations.append(
                    (
                        len(citations) + 1,
                        pid,
                        cid,
                        "full" if rng.random() < 0.6 else "partial",
                        "La proposition principale.",
                        1,
                        published,
                    )
                )
    ctx.copy(
        Paragraph,
        ["id", "topic_id", "position", "heading", "text", "version", "created_at"],
        paragraphs,
    )
    ctx.copy_timed(
        Citation,
        [
            "id",
            "paragraph_id",
            "contribution_id",
            "extent",
            "note",
            "contribution_version",
            "created_at",
        ],
        citations,
    )

    last_page = max(1, math.ceil(len(sections) / PAGE_SIZE))
    secretaries = org_targets.get("section_secretaries", [])
    ctx.targets[APP] = {
        "topic_ids": list(range(1, len(TOPICS) + 1)),
        "page": min(DEEP_PAGE, last_page),
        "contributions_per_topic": len(sections),
        "users": [{"user_id": s["user_id"]} for s in secretaries],
        "rapporteurs": [{"user_id": national_user}] if national_user else [],
    }


def pages(targets: dict) -> list[Page]:
    t = targets.get(APP, {})
    if not t:
        return []
    topics, page = t["topic_ids"], t["page"]
    n = t.get("contributions_per_topic", 0)
    return [
        Page(
            "convention.topic",
            f"Sujet aux {n} contributions, page {page} (secrétaire de section)",
            t.get("users", []),
            lambda e: [url("convention:topic", pk, page=page) for pk in topics],
            weight=2,
        ),
        Page(
            "convention.coverage",
            f"Couverture des {n} contributions d'un sujet (secrétaire de section)",
            t.get("users", []),
            lambda e: [url("convention:coverage", pk) for pk in topics],
            weight=2,
        ),
        Page(
            "convention.coverage_rapporteur",
            "Couverture des contributions d'un sujet (rapporteur·e)",
            t.get("rapporteurs", []),
            lambda e: [url("convention:coverage", pk, page=page) for pk in topics],
        ),
    ]
