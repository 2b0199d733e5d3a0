"""Demo data of the public site: the federation's news and pages, a presentation for every
section that has none, and join requests waiting in a few sections (Paris 11 included).

Runs after the organisation demo (federation "FED75", sections "S75-…"). Idempotent: posts
and pages are matched by slug, presentations only fill empty ones, join requests by their
e-mail address. Deterministic: dates relative to the moment it runs, no randomness.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization import services as organization_services
from fede.organization.models import Unit

from . import selectors, services
from .models import JoinRequest, NewsPost, Page

DOMAIN = "demo.fede.paris"

# (slug, days ago, title, summary, body)
NEWS = [
    (
        "rentree-des-sections",
        3,
        "Rentrée des sections : tous les rendez-vous de septembre",
        "Assemblées générales, accueil des nouveaux adhérents, réunions publiques : le "
        "calendrier de rentrée des sections parisiennes.",
        "Les sections reprennent leurs réunions dans les vingt arrondissements et dans les "
        "entreprises.\n\n"
        "## Les temps forts\n\n"
        "- **assemblées générales** de rentrée dans chaque section ;\n"
        "- **soirées d'accueil** des nouveaux adhérents ;\n"
        "- **réunions publiques** sur le logement et les services publics.\n\n"
        "Retrouvez les dates de votre section sur sa page, depuis « Trouver ma section ».",
    ),
    (
        "logement-conference-debat",
        9,
        "Se loger à Paris : une conférence-débat ouverte à toutes et à tous",
        "Chercheurs, élus et associations de locataires confrontent leurs diagnostics sur "
        "le logement à Paris.",
        "La fédération ouvre son cycle de conférences-débats avec la question qui revient "
        "dans toutes nos réunions : **comment se loger à Paris ?**\n\n"
        "Une chercheuse en urbanisme, une élue d'arrondissement et une association de "
        "locataires répondront aux questions de la salle. L'entrée est libre, sur "
        "inscription depuis l'agenda.",
    ),
    (
        "sections-entreprise-transports",
        16,
        "Une nouvelle section d'entreprise dans les transports",
        "Des salariés des transports parisiens se réunissent désormais en section.",
        "Après l'hôpital et la Ville, c'est au tour des transports : une section "
        "d'entreprise réunit désormais des agents de plusieurs dépôts et ateliers.\n\n"
        "Vous travaillez dans le même secteur ? Écrivez à la section depuis sa page, ou "
        "choisissez-la en adhérant.",
    ),
    (
        "espace-sections",
        24,
        "L'espace sections de la fédération ouvre ses portes",
        "Les sections sans local peuvent réserver une salle dans les locaux de la fédération.",
        "Une section sur quatre n'a pas de local. L'espace sections de la fédération met à "
        "leur disposition des salles de réunion, du matériel de projection et un coin "
        "impression.\n\nLes secrétaires de section réservent en ligne depuis leur espace.",
    ),
    (
        "convention-trois-sujets",
        35,
        "Convention fédérale : les trois sujets de l'année",
        "Paris, l'Île-de-France, le monde : trois sujets débattus dans les sections avant "
        "la convention.",
        "Chaque année, les sections débattent de trois sujets : un sujet parisien, un sujet "
        "francilien et un sujet national ou international. Leurs contributions sont "
        "rassemblées et discutées lors de la convention fédérale.\n\n"
        "Adhérer, c'est aussi prendre part à ces débats dans sa section.",
    ),
    (
        "quartiers-populaires",
        48,
        "Dans les quartiers, avec les associations",
        "Les sections du nord et de l'est parisien multiplient les permanences avec les "
        "associations de quartier.",
        "Permanences d'accès aux droits, soutien scolaire, fêtes de quartier : les sections "
        "travaillent avec les associations qui font vivre les quartiers populaires de "
        "Paris.\n\n> « On ne fait pas de politique sans être là le reste de l'année. »",
    ),
    (
        "adherer-en-ligne",
        60,
        "Adhérer en ligne, en quelques minutes",
        "Le formulaire d'adhésion propose directement la section de votre arrondissement.",
        "Indiquez votre code postal : la section de votre arrondissement vous est proposée, "
        "ou choisissez celle de votre entreprise. Après confirmation de votre adresse "
        "e-mail, les responsables de la section vous recontactent.",
    ),
]

# (slug, order, title, summary, body)
PAGES = [
    (
        "qui-sommes-nous",
        10,
        "Qui sommes-nous ?",
        "La fédération de Paris et ses sections.",
        "La fédération de Paris rassemble les sections des vingt arrondissements et les "
        "sections d'entreprise de la capitale.\n\n"
        "## Nos sections\n\n"
        "Chaque section se réunit régulièrement, organise des réunions publiques et agit "
        "dans son quartier ou son entreprise. Trouvez la vôtre depuis « Trouver ma "
        "section ».\n\n"
        "## La fédération\n\n"
        "Le conseil fédéral et le premier secrétariat coordonnent l'action des sections, "
        "préparent la convention annuelle et organisent les conférences-débats.",
    ),
    (
        "contact",
        20,
        "Contact",
        "Écrire à la fédération ou à une section.",
        "**Fédération de Paris** — siège et espace sections.\n\n"
        "- par e-mail : federation@demo.fede.paris ;\n"
        "- à une section : depuis sa page, par le formulaire « Écrire à la section ».\n\n"
        "La presse peut écrire à presse@demo.fede.paris.",
    ),
    (
        "mentions-legales",
        90,
        "Mentions légales",
        "Éditeur, directeur de la publication, hébergeur.",
        "**Éditeur** : Fédération de Paris (association), dont le siège est à Paris.\n\n"
        "**Directeur·rice de la publication** : le ou la premier·e secrétaire fédéral·e.\n\n"
        "**Hébergement** : serveurs situés dans l'Union européenne.\n\n"
        "**Fond de carte** : arrondissements de Paris, Ville de Paris, licence ODbL.",
    ),
    (
        "confidentialite",
        95,
        "Politique de confidentialité",
        "Quelles données nous recevons, pourquoi, combien de temps.",
        "Une demande d'adhésion révèle une opinion politique : elle n'est lue que par les "
        "responsables de la section concernée.\n\n"
        "## Durées de conservation\n\n"
        "- demande non confirmée : effacée après 30 jours ;\n"
        "- demande refusée : effacée après 90 jours ;\n"
        "- demande acceptée : elle devient la fiche d'adhérent·e, puis est effacée après "
        "90 jours.\n\n"
        "Les messages envoyés à une section ne sont pas conservés par le site : ils sont "
        "transmis par e-mail à ses responsables.\n\n"
        "## Vos droits\n\n"
        "Accès, rectification, effacement : écrivez à la fédération (page Contact).",
    ),
]

PRESENTATION = (
    "La section {name} se réunit chaque mois. Réunions publiques, tractages sur les "
    "marchés, permanences : chacun·e y trouve sa place, adhérent·e de longue date ou "
    "nouveau venu·e."
)

# (section code, first name, last name, postcode, days since confirmation, message)
JOIN_REQUESTS = [
    ("S75-11-1", "Inès", "Moreau-Lavigne", "75011", 2, "Je viens d'emménager rue Oberkampf."),
    ("S75-11-1", "Théo", "Baranger", "75011", 5, ""),
    ("S75-11-2", "Aïcha", "Benkirane", "75011", 1, "Disponible pour tracter le samedi."),
    ("S75-18-1", "Lucas", "Perrichon", "75018", 3, ""),
    ("S75-20-1", "Maëlys", "Tardieu", "75020", 6, "J'ai participé à la réunion sur le logement."),
    ("S75-15-1", "Bastien", "Quéméner", "75015", 4, ""),
]


def _publishable(model, rows, now, save, publish, key):
    existing = set(
        model.objects.filter(slug__in=[r[0] for r in rows]).values_list("slug", flat=True)
    )
    federation = Unit.objects.filter(code="FED75").first()
    created = 0
    if federation is None:
        return 0
    for slug, number, title, summary, body in rows:
        if slug in existing:
            continue
        obj = save(
            actor=SYSTEM, unit=federation, slug=slug, title=title, summary=summary, body=body
        )
        if key == "news":
            at = now - datetime.timedelta(days=number, hours=2)
        else:
            obj.order = number
            obj.save(update_fields=["order"])
            at = now - datetime.timedelta(days=120)
        publish(obj, at)
        created += 1
    return created


def load(*, stdout, open_data=None) -> list:
    now = timezone.now()
    news = _publishable(
        NewsPost,
        NEWS,
        now,
        services.news_save,
        lambda obj, at: services.news_publish(actor=SYSTEM, post=obj, at=at),
        "news",
    )
    pages = _publishable(
        Page,
        PAGES,
        now,
        services.page_save,
        lambda obj, at: services.page_publish(actor=SYSTEM, page=obj, at=at),
        "pages",
    )
    stdout.write(f"Site public : {news} actualités et {pages} pages créées.")
    empty = list(Unit.objects.sections().active().filter(presentation=""))
    for unit in empty:
        organization_services.unit_update(
            actor=SYSTEM, unit=unit, presentation=PRESENTATION.format(name=unit.name)
        )
    units = {u.code: u for u in Unit.objects.filter(code__in={r[0] for r in JOIN_REQUESTS})}
    emails = {
        f"{_ascii(first)}.{_ascii(last)}@{DOMAIN}": (code, first, last, postcode, days, message)
        for code, first, last, postcode, days, message in JOIN_REQUESTS
    }
    known = set(JoinRequest.objects.filter(email__in=emails).values_list("email", flat=True))
    requests = []
    for email, (code, first, last, postcode, days, message) in emails.items():
        section = units.get(code) or selectors.proposed_section(postcode)
        if email in known or section is None:
            continue
        # Demo rows as they stand after the applicant confirmed (no mail is sent).
        requests.append(
            JoinRequest(
                section=section,
                first_name=first,
                last_name=last,
                email=email,
                postal_code=postcode,
                city="Paris",
                message=message,
                status=JoinRequest.Status.PENDING,
                confirmed_at=now - datetime.timedelta(days=days),
            )
        )
    JoinRequest.objects.bulk_create(requests)
    stdout.write(
        f"Site public : {len(empty)} présentations de section complétées, "
        f"{len(requests)} demandes d'adhésion en attente."
    )
    return []


def _ascii(text: str) -> str:
    import unicodedata

    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode()
        .lower()
        .replace(" ", "")
    )
