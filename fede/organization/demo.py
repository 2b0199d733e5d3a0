"""Demo data of the organisation: the Paris federation, its sections, members and offices.

Called by ``manage.py demo`` (first, before rooms and events). Everything is invented
except the map: the 20 arrondissements (INSEE codes 75101–75120, official names) and
their 80 administrative neighbourhoods (quartiers), after which the territorial sections
are named. Given a folder of the City's open data, arrondissements and polling stations
come from its files instead.

Idempotent: units are matched by code, territories by (kind, code), members by
membership number, accounts by e-mail; the generation is seeded, so a second run finds
everything in place and creates nothing. ``size="small"`` (or the environment variable
``FEDE_DEMO_SIZE=small``) loads ~700 members instead of ~6,000, for tests.
"""

from __future__ import annotations

import datetime
import os
import random
import unicodedata
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from fede.core.access import SYSTEM

from .models import DuesPayment, Mandate, Member, Role, Territory, Transfer, Unit
from .services import unit_create
from .territories import (
    arrondissement_code,
    arrondissement_name,
    arrondissements_import,
    polling_stations_import,
)

PASSWORD = "fede-demo-2026"  # noqa: S105 — the published password of the demo accounts
DOMAIN = "demo.fede.paris"
SEED = 2026
SIZES = {"full": 6000, "small": 700}
FEDERATION_ADDRESS = "27 rue du Faubourg-Poissonnière, 75010 Paris"

# The 80 quartiers administratifs, 4 per arrondissement, in their official order
# (number = 4 × (arrondissement − 1) + rank).
QUARTIERS = {
    1: ["Saint-Germain-l'Auxerrois", "Halles", "Palais-Royal", "Place-Vendôme"],
    2: ["Gaillon", "Vivienne", "Mail", "Bonne-Nouvelle"],
    3: ["Arts-et-Métiers", "Enfants-Rouges", "Archives", "Sainte-Avoye"],
    4: ["Saint-Merri", "Saint-Gervais", "Arsenal", "Notre-Dame"],
    5: ["Saint-Victor", "Jardin-des-Plantes", "Val-de-Grâce", "Sorbonne"],
    6: ["Monnaie", "Odéon", "Notre-Dame-des-Champs", "Saint-Germain-des-Prés"],
    7: ["Saint-Thomas-d'Aquin", "Invalides", "École-Militaire", "Gros-Caillou"],
    8: ["Champs-Élysées", "Faubourg-du-Roule", "Madeleine", "Europe"],
    9: ["Saint-Georges", "Chaussée-d'Antin", "Faubourg-Montmartre", "Rochechouart"],
    10: ["Saint-Vincent-de-Paul", "Porte-Saint-Denis", "Porte-Saint-Martin", "Hôpital-Saint-Louis"],
    11: ["Folie-Méricourt", "Roquette", "Sainte-Marguerite", "Saint-Ambroise"],
    12: ["Bel-Air", "Picpus", "Bercy", "Quinze-Vingts"],
    13: ["Salpêtrière", "Gare", "Maison-Blanche", "Croulebarbe"],
    14: ["Montparnasse", "Parc-de-Montsouris", "Petit-Montrouge", "Plaisance"],
    15: ["Saint-Lambert", "Necker", "Grenelle", "Javel"],
    16: ["Auteuil", "Muette", "Porte-Dauphine", "Chaillot"],
    17: ["Ternes", "Plaine-de-Monceaux", "Batignolles", "Épinettes"],
    18: ["Grandes-Carrières", "Clignancourt", "Goutte-d'Or", "Chapelle"],
    19: ["Villette", "Pont-de-Flandre", "Amérique", "Combat"],
    20: ["Belleville", "Saint-Fargeau", "Père-Lachaise", "Charonne"],
}

# Real streets of each arrondissement, for invented meeting places.
STREETS = {
    1: ["rue Saint-Honoré", "rue de l'Arbre-Sec"],
    2: ["rue Montorgueil", "rue du Sentier"],
    3: ["rue de Bretagne", "rue Vieille-du-Temple"],
    4: ["rue de la Verrerie", "rue Saint-Antoine"],
    5: ["rue Mouffetard", "rue Monge"],
    6: ["rue du Cherche-Midi", "rue de Vaugirard"],
    7: ["rue Cler", "rue de Grenelle"],
    8: ["rue du Rocher", "rue de Miromesnil"],
    9: ["rue des Martyrs", "rue Cadet"],
    10: ["rue de Lancry", "rue du Faubourg-Saint-Denis"],
    11: ["rue Oberkampf", "rue de la Roquette", "rue Saint-Maur", "boulevard Voltaire"],
    12: ["rue de Charenton", "avenue Daumesnil"],
    13: ["avenue d'Italie", "rue de Tolbiac"],
    14: ["rue d'Alésia", "rue Raymond-Losserand"],
    15: ["rue du Commerce", "rue de la Convention", "rue Lecourbe"],
    16: ["rue d'Auteuil", "rue de Passy"],
    17: ["avenue de Clichy", "rue des Moines"],
    18: ["rue Ordener", "rue Marcadet", "rue Myrha"],
    19: ["rue de Crimée", "avenue Jean-Jaurès"],
    20: ["rue des Pyrénées", "rue de Ménilmontant", "rue de Bagnolet"],
}

# Relative number of members per arrondissement (the east and north are the strongholds).
WEIGHTS = {
    1: 2, 2: 2, 3: 3, 4: 2, 5: 4, 6: 2, 7: 2, 8: 1, 9: 4, 10: 7,
    11: 10, 12: 7, 13: 8, 14: 7, 15: 6, 16: 2, 17: 5, 18: 9, 19: 9, 20: 10,
}  # fmt: skip

# Territorial sections that meet at the federation or in a town hall.
WITHOUT_PREMISES = {"S75-01-4", "S75-02-1", "S75-06-1", "S75-07-3", "S75-08-1", "S75-16-3"}

WORKPLACE = [
    # code, name, employer, sector, sites, has premises, weight
    (
        "SE75-1",
        "Section RATP",
        "RATP",
        Unit.Sector.TRANSPORT,
        "Maison de la RATP (12e), ateliers de Championnet (18e), dépôt de Lagny (20e)",
        True,
        8,
    ),
    (
        "SE75-2",
        "Section AP-HP — hôpitaux de Paris",
        "Assistance publique – Hôpitaux de Paris",
        Unit.Sector.HEALTH,
        "Pitié-Salpêtrière (13e), Saint-Antoine (12e), Lariboisière (10e), Bichat (18e)",
        True,
        9,
    ),
    (
        "SE75-3",
        "Section Ville de Paris",
        "Ville de Paris",
        Unit.Sector.CITY,
        "Hôtel de Ville (4e), mairies d'arrondissement, directions techniques",
        True,
        7,
    ),
    (
        "SE75-4",
        "Section EDF — énergie",
        "EDF, Enedis, GRDF",
        Unit.Sector.ENERGY,
        "Sièges et agences parisiennes",
        False,
        4,
    ),
    (
        "SE75-5",
        "Section Éducation nationale",
        "Éducation nationale",
        Unit.Sector.EDUCATION,
        "Écoles, collèges et lycées de l'académie de Paris",
        True,
        9,
    ),
    (
        "SE75-6",
        "Section La Poste",
        "La Poste",
        Unit.Sector.POST_TELECOM,
        "Plateformes de distribution, bureaux de poste",
        False,
        4,
    ),
    (
        "SE75-7",
        "Section SNCF — cheminots",
        "SNCF",
        Unit.Sector.TRANSPORT,
        "Gares du Nord, de l'Est, de Lyon, d'Austerlitz, Montparnasse, Saint-Lazare",
        True,
        6,
    ),
    (
        "SE75-8",
        "Section Culture",
        "Ministère de la Culture, musées et théâtres publics",
        Unit.Sector.CULTURE,
        "Louvre, Orsay, Bibliothèque nationale, théâtres nationaux",
        False,
        3,
    ),
]

SCHEDULES = [
    "le premier mardi du mois à 19 h 30",
    "un jeudi sur deux à 19 h",
    "chaque lundi à 19 h 30",
    "le deuxième mercredi du mois à 20 h",
    "le dernier vendredi du mois à 18 h 30",
]
PRESENTATIONS = [
    "La section {name} rassemble les adhérent·es du quartier {quartier}, dans le "
    "{arr}. Nous nous réunissons {when}. Porte-à-porte, marchés, réunions publiques : "
    "chacun·e y trouve sa place, avec ou sans expérience militante.",
    "Militer dans le quartier {quartier}, c'est agir sur le logement, les écoles et la "
    "vie des commerces de proximité. La section se retrouve {when} ; les nouveaux et "
    "nouvelles adhérent·es sont accueilli·es à chaque réunion.",
    "La section {name} tient une permanence tous les samedis matin et se réunit {when}. "
    "Elle anime un groupe de travail sur la tranquillité publique et un autre sur la "
    "transition écologique du {arr}.",
]
WORKPLACE_PRESENTATION = (
    "La section réunit les adhérent·es qui travaillent à {employer}, quel que soit "
    "leur lieu d'habitation. Elle se réunit {when} et suit de près les questions de "
    "service public et de conditions de travail."
)

FEDERAL_PORTFOLIOS = ["Élections", "Formation", "Communication", "Entreprises"]

# The demo accounts: (key, role label, e-mail local part, first name, last name,
# home section code or "" for none).
ACCOUNTS = [
    ("member", "Adhérent·e (Paris 11)", "adherent", "Camille", "Roussel", "S75-11-1"),
    (
        "secretary11",
        "Secrétaire de section (Paris 11)",
        "secretaire.paris11",
        "Karim",
        "Benali",
        "S75-11-1",
    ),
    (
        "treasurer11",
        "Trésorier·e de section (Paris 11)",
        "tresorier.paris11",
        "Sophie",
        "Marchand",
        "S75-11-1",
    ),
    (
        "secretary15",
        "Secrétaire de section (Paris 15)",
        "secretaire.paris15",
        "Julien",
        "Lemaire",
        "S75-15-1",
    ),
    (
        "federal",
        "Secrétaire fédéral·e (élections)",
        "secretaire.federal",
        "Nadia",
        "Haddad",
        "S75-19-1",
    ),
    (
        "first",
        "Premier·e secrétaire fédéral·e",
        "premier.secretaire",
        "Claire",
        "Vasseur",
        "S75-20-1",
    ),
    ("staff", "Permanent·e de la fédération", "permanent", "Thomas", "Girard", "S75-10-1"),
    ("admin", "Administrateur·rice technique (/gestion/)", "admin", "Alex", "Admin", ""),
]


def _ordinal(number: int) -> str:
    return "1er" if number == 1 else f"{number}e"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


# --- Territories ---------------------------------------------------------------------


def _territories(open_data: Path | None, stdout) -> dict[int, Territory]:
    files = {}
    if open_data is not None:
        folder = Path(open_data)
        files = {
            "arrondissements": folder / "paris_arrondissements.geojson",
            "points": folder / "paris_bureaux_de_vote_2024_lieux.geojson",
            "sectors": folder / "paris_bureaux_de_vote_2024_secteurs.geojson",
        }
    if files and files["arrondissements"].is_file():
        result = arrondissements_import(path=files["arrondissements"])
        _say(stdout, f"  Arrondissements (données ouvertes) — {result}")
        for key in ("points", "sectors"):
            if files[key].is_file():
                result = polling_stations_import(path=files[key])
                _say(stdout, f"  Bureaux de vote ({files[key].name}) — {result}")
    else:
        existing = set(
            Territory.objects.filter(kind=Territory.Kind.ARRONDISSEMENT).values_list(
                "code", flat=True
            )
        )
        Territory.objects.bulk_create(
            [
                Territory(
                    kind=Territory.Kind.ARRONDISSEMENT,
                    code=arrondissement_code(n),
                    number=n,
                    name=arrondissement_name(n),
                )
                for n in range(1, 21)
                if arrondissement_code(n) not in existing
            ]
        )
    arrondissements = {
        t.number: t
        for t in Territory.objects.filter(
            kind=Territory.Kind.ARRONDISSEMENT,
            code__in=[arrondissement_code(n) for n in range(1, 21)],
        )
    }
    # The quartiers administratifs, code INSEE 751AAQQ.
    existing = set(
        Territory.objects.filter(kind=Territory.Kind.NEIGHBOURHOOD).values_list("code", flat=True)
    )
    quartiers = []
    for arr, names in QUARTIERS.items():
        for rank, name in enumerate(names, start=1):
            number = 4 * (arr - 1) + rank
            code = f"{arrondissement_code(arr)}{number:02d}"
            if code not in existing:
                quartiers.append(
                    Territory(
                        kind=Territory.Kind.NEIGHBOURHOOD,
                        code=code,
                        number=number,
                        name=name,
                        parent=arrondissements[arr],
                    )
                )
    Territory.objects.bulk_create(quartiers)
    return arrondissements


# --- Units -----------------------------------------------------------------------------


def _units(arrondissements: dict[int, Territory], rnd: random.Random) -> dict[str, Unit]:
    units = {
        u.code: u
        for u in Unit.objects.filter(Q(code__in=["NAT", "FED75"]) | Q(code__startswith="S"))
    }

    def ensure(code: str, **fields) -> Unit:
        if code not in units:
            units[code] = unit_create(actor=SYSTEM, code=code, **fields)
        return units[code]

    national = ensure("NAT", name="Direction nationale", kind=Unit.Kind.NATIONAL)
    federation = ensure(
        "FED75",
        name="Fédération de Paris",
        kind=Unit.Kind.FEDERATION,
        parent=national,
        meeting_place=FEDERATION_ADDRESS,
        contact_email=f"federation@{DOMAIN}",
        contact_phone="01 40 00 00 00",
        presentation=(
            "La fédération de Paris coordonne les sections des vingt arrondissements et "
            "les sections d'entreprise. Ses locaux accueillent les sections sans local."
        ),
    )
    for arr, names in QUARTIERS.items():
        for rank, quartier in enumerate(names, start=1):
            code = f"S75-{arr:02d}-{rank}"
            name = f"Paris {arr} – {quartier}"
            premises = code not in WITHOUT_PREMISES
            if premises:
                place = (
                    f"Local de la section, {rnd.randint(2, 120)} {rnd.choice(STREETS[arr])}, "
                    f"750{arr:02d} Paris"
                )
            elif rank % 2:
                place = f"Espace sections de la fédération, {FEDERATION_ADDRESS}"
            else:
                place = f"Salle des associations de la mairie du {_ordinal(arr)}"
            presentation = rnd.choice(PRESENTATIONS).format(
                name=name,
                quartier=quartier,
                arr=f"{_ordinal(arr)} arrondissement",
                when=rnd.choice(SCHEDULES),
            )
            ensure(
                code,
                name=name,
                kind=Unit.Kind.SECTION,
                parent=federation,
                section_kind=Unit.SectionKind.TERRITORIAL,
                territory=arrondissements[arr],
                has_premises=premises,
                meeting_place=place,
                presentation=presentation,
                contact_email=f"{code.lower()}@{DOMAIN}",
            )
    for code, name, employer, sector, sites, premises, _weight in WORKPLACE:
        place = (
            f"Local syndical, {rnd.randint(2, 80)} {rnd.choice(STREETS[rnd.randint(1, 20)])}, Paris"
            if premises
            else f"Espace sections de la fédération, {FEDERATION_ADDRESS}"
        )
        ensure(
            code,
            name=name,
            kind=Unit.Kind.SECTION,
            parent=federation,
            section_kind=Unit.SectionKind.WORKPLACE,
            employer=employer,
            sector=sector,
            sites=sites,
            has_premises=premises,
            meeting_place=place,
            presentation=WORKPLACE_PRESENTATION.format(
                employer=employer, when=rnd.choice(SCHEDULES)
            ),
            contact_email=f"{code.lower()}@{DOMAIN}",
        )
    return units


# --- Members ---------------------------------------------------------------------------


def _section_sizes(codes: list[str], total: int) -> dict[str, int]:
    weights = {}
    for code in codes:
        if code.startswith("SE75-"):
            weights[code] = next(w for c, *_rest, w in WORKPLACE if c == code)
        else:
            weights[code] = WEIGHTS[int(code[4:6])]
    minimum = 6
    spare = max(0, total - minimum * len(codes))
    whole = sum(weights.values())
    return {code: minimum + spare * weights[code] // whole for code in codes}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _random_date(rnd: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rnd.randrange((end - start).days + 1))


def _generate_members(units: dict[str, Unit], total: int, today: datetime.date):
    """The invented members, always the same for the same size: (Member, dues, extras)."""
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    section_codes = sorted(c for c in units if c.startswith(("S75-", "SE75-")))
    sizes = _section_sizes(section_codes, total)
    suburbs = [
        ("93100", "Montreuil"),
        ("93200", "Saint-Denis"),
        ("94200", "Ivry-sur-Seine"),
        ("92120", "Montrouge"),
        ("93260", "Les Lilas"),
        ("94300", "Vincennes"),
    ]
    brackets = [20, 30, 45, 60, 80, 100, 120]
    bracket_weights = [10, 20, 25, 20, 12, 8, 5]
    methods = [m for m, _label in DuesPayment.Method.choices]
    method_weights = [15, 25, 45, 12, 3]
    generated = []
    serial = 100
    for code in section_codes:
        section = units[code]
        arr = int(code[4:6]) if code.startswith("S75-") else None
        for _index in range(sizes[code]):
            serial += 1
            first, last = fake.first_name(), fake.last_name()
            # One generator per member, and every draw that does not depend on the date
            # taken first: the same members, statuses and consents whatever day the demo
            # is loaded (only their dates move with it).
            rnd = random.Random(SEED * 1_000_003 + serial)
            years_ago = min(20.0, rnd.expovariate(1 / 6))  # over 20 years, more recently
            age = rnd.randint(18, 84)
            roll = rnd.random()
            in_paris = rnd.random() < 0.6
            consent_share = rnd.random() < 0.85
            consent_newsletter = rnd.random() < 0.55
            amount = Decimal(rnd.choices(brackets, bracket_weights)[0])
            # The first four of each section are its officers: long-standing members.
            officer = _index < 4
            if officer:
                years_ago = max(years_ago, 2.5)
                roll = 0.0
            joined = today - datetime.timedelta(days=int(years_ago * 365.25))
            birth = _random_date(
                rnd,
                _years_before(today, age + 1) + datetime.timedelta(days=1),
                _years_before(today, age),
            )
            if birth > joined - datetime.timedelta(days=16 * 365):
                birth = joined - datetime.timedelta(days=rnd.randint(16 * 365, 40 * 365))
            status = Member.Status.ACTIVE
            left = None
            if roll > 0.80:
                status = Member.Status.LAPSED
            if roll > 0.94:
                status = Member.Status.RESIGNED
            if roll > 0.985:
                status = Member.Status.EXCLUDED
            if roll > 0.99:
                status = Member.Status.DECEASED
            if status != Member.Status.ACTIVE:
                left = _random_date(rnd, joined + datetime.timedelta(days=200), today)
            if arr is not None or in_paris:
                where = arr or rnd.randint(1, 20)
                postal, city = f"750{where:02d}", "Paris"
                street = rnd.choice(STREETS[where])
            else:
                postal, city = rnd.choice(suburbs)
                street = fake.street_name()
            member = Member(
                membership_number=f"75{serial:06d}",
                first_name=first,
                last_name=last,
                email=f"{_slug(first)}.{_slug(last)}.{serial}@example.org",
                phone=fake.phone_number(),
                address=f"{rnd.randint(1, 150)} {street}",
                postal_code=postal,
                city=city,
                birth_date=birth,
                joined_on=joined,
                status=status,
                left_on=left,
                section=section,
                consent_share_contact=consent_share,
                consent_newsletter=consent_newsletter,
            )
            dues = []
            last_year = today.year if status == Member.Status.ACTIVE else left.year - 1
            if status == Member.Status.LAPSED:
                last_year = min(last_year, today.year - 1)
            for year in range(max(joined.year, today.year - 4), last_year + 1):
                chance = 0.93 if year == today.year else 0.88
                if rnd.random() > chance:
                    continue
                start = max(datetime.date(year, 1, 5), joined)
                end = min(datetime.date(year, 6, 30), today)
                if year == today.year:
                    end = today
                if end < start:
                    continue
                dues.append(
                    DuesPayment(
                        year=year,
                        amount=amount,
                        paid_on=_random_date(rnd, start, end),
                        method=rnd.choices(methods, method_weights)[0],
                    )
                )
            generated.append((member, dues))
    return generated


def _accounts(units: dict[str, Unit], today: datetime.date) -> tuple[list, dict[str, Member]]:
    """The demo logins and their member records (created once)."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    result = []
    members: dict[str, Member] = {}
    for number, (key, label, local, first, last, home) in enumerate(ACCOUNTS, start=1):
        email = f"{local}@{DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, first_name=first, last_name=last)
            if key == "admin":
                user.is_staff = user.is_superuser = True
            user.set_password(PASSWORD)
            user.save()
        address, _created = EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
        result.append((label, email, PASSWORD))
        if home:
            member, _created = Member.objects.get_or_create(
                membership_number=f"75{number:06d}",
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "phone": f"06 00 00 00 {number:02d}",
                    "address": f"{10 + number} {STREETS[int(home[4:6])][0]}",
                    "postal_code": f"750{home[4:6]}",
                    "city": "Paris",
                    "birth_date": datetime.date(1970 + 3 * number, number, 10 + number),
                    "joined_on": _years_before(today, 2 + number),
                    "section": units[home],
                    "user": user,
                    "consent_share_contact": True,
                    "consent_newsletter": True,
                },
            )
            members[key] = member
    return result, members


def _mandates(units, account_members, generated_by_section, rnd, today) -> int:
    """Officers of every section and the federal leadership (only the missing ones)."""
    existing = set(
        Mandate.objects.current(today).values_list("member_id", "role", "unit_id", "portfolio")
    )
    wanted: list[Mandate] = []
    start_sections = datetime.date(today.year - 1, 10, 1)
    start_federation = datetime.date(today.year - 2, 1, 20)

    def want(member: Member, role: str, unit: Unit, portfolio: str = "", start=None):
        key = (member.pk, role, unit.pk, portfolio)
        if key not in existing:
            existing.add(key)
            wanted.append(
                Mandate(
                    member=member,
                    role=role,
                    unit=unit,
                    portfolio=portfolio,
                    start=start or start_sections,
                )
            )

    fixed = {
        "S75-11-1": {
            Role.SECTION_SECRETARY: account_members.get("secretary11"),
            Role.SECTION_TREASURER: account_members.get("treasurer11"),
        },
        "S75-15-1": {Role.SECTION_SECRETARY: account_members.get("secretary15")},
    }
    for code, people in sorted(generated_by_section.items()):
        unit = units[code]
        active = [
            m for m in people if m.status == Member.Status.ACTIVE and m.joined_on < start_sections
        ]
        chosen = fixed.get(code, {})
        pool = iter(active)
        for role in (
            Role.SECTION_SECRETARY,
            Role.SECTION_TREASURER,
            Role.SECTION_BUREAU,
            Role.SECTION_BUREAU,
        ):
            member = chosen.get(role) if role in chosen else next(pool, None)
            if member is not None:
                want(member, role, unit)
    federation = units["FED75"]
    leaders = [m for people in generated_by_section.values() for m in people[4:6]]
    leaders = [
        m for m in leaders if m.status == Member.Status.ACTIVE and m.joined_on < start_federation
    ]
    rnd.shuffle(leaders)
    pool = iter(leaders)
    if "first" in account_members:
        want(account_members["first"], Role.FIRST_SECRETARY, federation, start=start_federation)
    for portfolio in FEDERAL_PORTFOLIOS:
        member = account_members.get("federal") if portfolio == "Élections" else next(pool)
        want(member, Role.FEDERAL_SECRETARY, federation, portfolio, start_federation)
    want(next(pool), Role.FEDERAL_TREASURER, federation, start=start_federation)
    if "staff" in account_members:
        want(account_members["staff"], Role.FEDERAL_STAFF, federation, start=start_federation)
    want(next(pool), Role.FEDERAL_STAFF, federation, start=start_federation)
    for _index in range(24):
        want(next(pool), Role.COUNCIL_MEMBER, federation, start=start_federation)
    Mandate.objects.bulk_create(wanted)
    return len(wanted)


def _pending_invitations(units: dict[str, Unit], today: datetime.date) -> int:
    """A few members of the first section with a pending invitation (the other members
    have no space yet, the demo accounts have theirs): created once, no mail sent."""
    from .models import MemberInvitation

    section = units.get("S75-11-1") or next(
        (u for code, u in sorted(units.items()) if code.startswith("S")), None
    )
    if section is None:
        return 0
    waiting = list(
        Member.objects.filter(section=section, user__isnull=True, status=Member.Status.ACTIVE)
        .exclude(email="")
        .order_by("membership_number")[:3]
    )
    created = 0
    for member in waiting:
        if not member.invitations.exists():
            MemberInvitation.objects.create(
                member=member,
                expires_at=timezone.now() + datetime.timedelta(days=30),
            )
            created += 1
    return created


def load(
    *,
    stdout=None,
    open_data=None,
    size: str | None = None,
    today: datetime.date | None = None,
) -> list[tuple[str, str, str]]:
    """Load the organisation demo; return the demo accounts (role, e-mail, password).

    The same ``today`` (default: the local date) always gives the same federation.
    """
    size = size or os.environ.get("FEDE_DEMO_SIZE", "full")
    total = SIZES.get(size, SIZES["full"])
    today = today or timezone.localdate()
    rnd = random.Random(SEED)

    _say(stdout, "Organisation : territoires…")
    arrondissements = _territories(Path(open_data) if open_data else None, stdout)
    _say(stdout, "Organisation : fédération et sections…")
    units = _units(arrondissements, rnd)
    accounts, account_members = _accounts(units, today)

    _say(stdout, f"Organisation : adhérent·es ({total} environ)…")
    generated = _generate_members(units, total, today)
    numbers = [m.membership_number for m, _dues in generated]
    existing = set(
        Member.objects.filter(membership_number__in=numbers).values_list(
            "membership_number", flat=True
        )
    )
    new = [(m, dues) for m, dues in generated if m.membership_number not in existing]
    # A few members asked for the erasure of their data (for the federation's screen).
    for member, _dues in new[7::1500][:3]:
        member.erasure_requested_at = timezone.now() - datetime.timedelta(days=5)
    Member.objects.bulk_create([m for m, _dues in new], batch_size=500)
    pks = dict(
        Member.objects.filter(
            membership_number__in=[m.membership_number for m, _dues in new]
        ).values_list("membership_number", "pk")
    )
    payments = []
    for member, dues in new:
        member.pk = pks[member.membership_number]
        for payment in dues:
            payment.member_id = member.pk
            payments.append(payment)
    DuesPayment.objects.bulk_create(payments, batch_size=1000)

    # Section histories: some members came from another section.
    if new:
        sections = [u for c, u in units.items() if c.startswith("S75-")]
        movers = [m for m, _dues in new if m.status == Member.Status.ACTIVE][3::97]
        transfers = []
        for member in movers:
            origin = rnd.choice([s for s in sections if s.pk != member.section_id])
            transfers.append(
                Transfer(
                    member=member,
                    from_unit=origin,
                    to_unit=member.section,
                    status=Transfer.Status.APPROVED,
                    reason="Déménagement",
                    decided_at=timezone.now() - datetime.timedelta(days=rnd.randint(30, 900)),
                )
            )
        # Two pending requests towards the 11e, for its secretary to see.
        target = units["S75-11-1"]
        newcomers = [m for m, _dues in new if m.status == Member.Status.ACTIVE][-2:]
        transfers += [
            Transfer(
                member=member,
                from_unit=member.section,
                to_unit=target,
                reason="Je viens d'emménager rue Oberkampf.",
            )
            for member in newcomers
            if member.section_id != target.pk
        ]
        Transfer.objects.bulk_create(transfers)

    # Officers come from the members of each section, the same ones on every run.
    by_section: dict[str, list[Member]] = {}
    all_generated = Member.objects.filter(membership_number__in=numbers).select_related("section")
    for member in sorted(all_generated, key=lambda m: m.membership_number):
        by_section.setdefault(member.section.code, []).append(member)
    # A generator of its own: the choice of officers must not depend on what this run created.
    appointed = _mandates(units, account_members, by_section, random.Random(SEED + 1), today)
    for key, member in account_members.items():
        if key == "member":
            continue
        # Officers of the demo pay their dues too.
        for year in range(today.year - 2, today.year + 1):
            DuesPayment.objects.get_or_create(
                member=member,
                year=year,
                defaults={
                    "amount": Decimal("60"),
                    "paid_on": min(datetime.date(year, 2, 1), today),
                    "method": DuesPayment.Method.DIRECT_DEBIT,
                },
            )
    if "member" in account_members:
        DuesPayment.objects.get_or_create(
            member=account_members["member"],
            year=today.year,
            defaults={
                "amount": Decimal("30"),
                "paid_on": min(datetime.date(today.year, 1, 15), today),
                "method": DuesPayment.Method.CARD,
            },
        )
    invited = _pending_invitations(units, today)
    _say(
        stdout,
        f"  {invited} invitation(s) à activer son espace en attente.",
    )
    _say(
        stdout,
        f"  {Unit.objects.sections().count()} sections, {len(new)} adhérent·es créé·es "
        f"({len(existing)} déjà présent·es), {len(payments)} cotisations, "
        f"{appointed} responsabilités attribuées.",
    )
    return accounts
