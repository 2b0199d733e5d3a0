"""Conventions at a fixed moment: every test freezes the clock at NOW (or later phases)."""

from __future__ import annotations

import datetime
import zoneinfo

from fede.convention import services
from fede.convention.models import Contribution, Topic
from fede.core.access import SYSTEM

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
#: Mid-debates of the test convention.
NOW = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=PARIS)
DAY = datetime.timedelta(days=1)
#: A moment of each phase of the test convention.
AT = {
    "draft": NOW - 40 * DAY,
    "topics": NOW - 25 * DAY,
    "debates": NOW,
    "synthesis": NOW + 15 * DAY,
    "amendments": NOW + 35 * DAY,
    "convention": NOW + 50 * DAY,
}


def convention_dates(now: datetime.datetime = NOW) -> dict:
    return {
        "topics_published_on": (now - 30 * DAY).date(),
        "debates_start": (now - 20 * DAY).date(),
        "contributions_deadline": now + 10 * DAY,
        "amendments_open": (now + 30 * DAY).date(),
        "amendments_deadline": now + 45 * DAY,
        "convention_day": (now + 50 * DAY).date(),
    }


TOPICS = [
    (
        Topic.Scope.PARIS,
        "Le logement à Paris",
        "Comment loger celles et ceux qui font vivre Paris ?",
    ),
    (Topic.Scope.REGION, "Les transports en Île-de-France", "Quelles priorités pour le réseau ?"),
    (Topic.Scope.NATIONAL, "L'Europe sociale", "Quel salaire minimum européen ?"),
]


def make_convention(federation, *, year=2025, title=None, topics=True, now=None):
    """A convention whose phases are placed around NOW (call with the clock at NOW)."""
    convention = services.convention_create(
        actor=SYSTEM,
        federation=federation,
        year=year,
        title=title or f"Convention {year}",
        presentation="",
        place="Bourse du travail",
        **convention_dates(now or NOW),
    )
    if topics:
        for scope, title_, framing in TOPICS:
            services.topic_save(
                actor=SYSTEM, convention=convention, scope=scope, title=title_, framing=framing
            )
    return convention


def contribution_data(**overrides) -> dict:
    data = {
        "text": "La section demande la construction de logements sociaux dans chaque quartier.",
        "votes_for": 12,
        "votes_against": 2,
        "votes_abstain": 1,
        "members_present": 15,
        "minority_opinion": "",
    }
    data.update(overrides)
    return data


def submit(topic, section, actor=SYSTEM, **overrides) -> Contribution:
    return services.contribution_submit(
        actor=actor, topic=topic, section=section, **contribution_data(**overrides)
    )


def amendment_data(**overrides) -> dict:
    data = {
        "proposed_text": "Nous proposons une autre rédaction du paragraphe.",
        "rationale": "La section souhaite préciser l'objectif.",
        "votes_for": 9,
        "votes_against": 0,
        "votes_abstain": 1,
        "members_present": 10,
    }
    data.update(overrides)
    return data
