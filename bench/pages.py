"""The pages the load run measures.

A page is found through its URL name (``django.urls.reverse``), tried when the run starts:
a capability that is not built yet (no such URL name) is left out of the run and listed
as absent in the results, rather than breaking it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

FLOOR = "core.ping"
#: The floor's second reference, served by another gunicorn (``bench.bare``).
BARE = "bench.bare"
BARE_PATH = "/ping-nu/"


@dataclass
class Page:
    #: Stable identifier: "<app>.<page>".
    name: str
    #: What the page is, in French, for the results.
    label: str
    #: One dict per simulated user (``user_id`` to log in as, ids of their objects);
    #: simulated users take them in turn.
    entries: list[dict]
    #: The URLs one simulated user visits in turn; raises NoReverseMatch when absent.
    urls: Callable[[dict], list[str]]
    anonymous: bool = False
    #: A key page is held to the targets (p95, errors); others are shown for information.
    key: bool = True
    #: Share of the requests of the mixed phase.
    weight: int = 1
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def app(self) -> str:
        return self.name.split(".", 1)[0]


def url(name: str, *args, **query) -> str:
    """reverse(name, args) with a query string; NoReverseMatch when the URL does not exist."""
    from django.urls import reverse

    path = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v is not None}
    return f"{path}?{urlencode(query)}" if query else path


def first_url(*candidates: tuple) -> str:
    """The first of several (name, args…, {query}) candidates that reverses."""
    from django.urls import NoReverseMatch

    last = None
    for candidate in candidates:
        name, *args = candidate
        query = args.pop() if args and isinstance(args[-1], dict) else {}
        try:
            return url(name, *args, **query)
        except NoReverseMatch as exc:
            last = exc
    raise last or NoReverseMatch("no candidate")


def core_pages(targets: dict) -> list[Page]:
    """The floor (a trivial page behind the login) and the public home."""
    org = targets.get("organization", {})
    secretaries = org.get("section_secretaries", [])
    return [
        Page(
            FLOOR,
            "Plancher : page triviale authentifiée",
            secretaries,
            lambda e: [url("core:ping")],
            key=False,
            weight=2,
            note="Session, utilisateur, contrôle MFA et middlewares, sans gabarit.",
        ),
        Page(
            "core.home",
            "Accueil public (anonyme)",
            [{}],
            lambda e: [url("core:home")],
            anonymous=True,
            weight=4,
        ),
        Page(
            "core.home_member",
            "Accueil d'un·e secrétaire de section connecté·e",
            secretaries,
            lambda e: [url("core:home")],
            weight=3,
        ),
    ]


def organization_pages(targets: dict) -> list[Page]:
    org = targets.get("organization", {})
    secretaries = org.get("section_secretaries", [])
    first = org.get("first_secretaries", [])
    national = [{"user_id": org["national_first_secretary"]}] if org else []
    public_sections = [{"section_id": pk} for pk in org.get("public_section_ids", [])]
    return [
        Page(
            "organization.member_list",
            "Liste des adhérents de la section (secrétaire)",
            secretaries,
            lambda e: [url("organization:section_member_list", e["section_id"])],
            weight=6,
        ),
        Page(
            "organization.member_search",
            "Recherche d'un adhérent dans la section (secrétaire)",
            secretaries,
            lambda e: [
                url("organization:section_member_list", e["section_id"], q=term)
                for term in e["search"]
            ],
            weight=4,
        ),
        Page(
            "organization.member_detail",
            "Fiche d'un adhérent (secrétaire)",
            secretaries,
            lambda e: [url("organization:member_detail", pk) for pk in e["member_ids"]],
            weight=6,
        ),
        Page(
            "organization.section_dashboard",
            "Tableau de bord de la section (secrétaire)",
            secretaries,
            lambda e: [url("organization:section_dashboard", e["section_id"])],
            weight=3,
        ),
        Page(
            "organization.federation_sections",
            "Sections de la fédération et leurs chiffres (premier·e secrétaire)",
            first,
            lambda e: [url("organization:federation_sections")],
            weight=2,
        ),
        Page(
            "organization.federation_member_search",
            "Recherche d'un adhérent dans la fédération (premier·e secrétaire)",
            first,
            lambda e: [url("organization:member_list", q=term) for term in e["search"]],
            weight=2,
        ),
        Page(
            "organization.national_member_search",
            "Recherche d'un adhérent dans tout le parti (direction nationale)",
            national,
            lambda e: [
                url("organization:member_list", q=term) for term in ("Martin", "Lefebvre", "Roux")
            ],
            key=False,
            note="Pour information : une recherche dans les 500 000 adhérents.",
        ),
        Page(
            "organization.section_public",
            "Page publique d'une section (anonyme)",
            public_sections,
            lambda e: [
                first_url(
                    ("website:section_detail", e["section_id"]),
                    ("organization:section_public", e["section_id"]),
                )
            ],
            anonymous=True,
            weight=3,
        ),
    ]
