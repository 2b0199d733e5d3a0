"""The organisation at national scale: one national unit, federations, sections (some of
them workplace sections), members with years of dues, offices, logins with TOTP, transfers
and an access log.

Unit paths are the materialised paths of ``organization.services.unit_create``: the
zero-padded ids of the ancestors and of the unit, each followed by a dot.
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from array import array
from decimal import Decimal

from bench.pages import Page
from fede.core.sorting import natural_sort_key

APP = "organization"

# Password of every generated login (bench users log in through sessions the load run
# creates; the hash is computed once, not per user).
BENCH_PASSWORD = "bench-fede-2026"  # noqa: S105 — generated test accounts only
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EMAIL_DOMAINS = ("example.org", "example.net", "example.com")

STATUS_CODES = ("active", "lapsed", "resigned", "excluded", "deceased")
ACTIVE, LAPSED, RESIGNED, EXCLUDED, DECEASED = range(5)

EMPLOYERS = {
    "transport": ["RATP", "SNCF", "Transilien", "Aéroports de Paris", "Keolis"],
    "health": ["AP-HP", "Hôpital Saint-Louis", "Hôpital Bichat", "CHU", "Clinique mutualiste"],
    "city": ["Ville de Paris", "Mairie", "Conseil départemental", "Métropole"],
    "state": ["Ministère des Finances", "Préfecture", "URSSAF", "France Travail"],
    "energy": ["EDF", "Engie", "Enedis", "GRDF"],
    "education": ["Rectorat", "Université", "CNRS", "Lycée professionnel"],
    "post_telecom": ["La Poste", "Orange", "SFR"],
    "culture": ["Radio France", "France Télévisions", "Bibliothèque nationale"],
    "finance": ["Banque de France", "Caisse d'épargne", "Crédit mutuel"],
    "industry": ["Renault", "Safran", "Airbus", "Stellantis"],
    "retail": ["Carrefour", "Monoprix", "Fnac"],
    "other": ["Mutuelle", "Association", "Coopérative"],
}
DUES_AMOUNTS = tuple(
    Decimal(a) for a in ("20.00", "30.00", "45.00", "60.00", "90.00", "120.00", "180.00")
)
METHODS = ("direct_debit", "transfer", "cheque", "card", "cash")
METHOD_WEIGHTS = (45, 20, 20, 12, 3)
PORTFOLIOS = (
    "Élections",
    "Formation",
    "Communication",
    "Vie des sections",
    "Entreprises",
    "Jeunesse",
    "Logement",
    "Santé",
)
ACCESS_WHAT = (
    ("list", "Liste des adhérents", "organization.unit"),
    ("view", "Fiche adhérent", "organization.member"),
    ("export", "Export des adhérents", "organization.unit"),
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "-")


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, each at least ``minimum``."""
    n = len(weights)
    base = [minimum] * n
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small for the minimum")
    s = sum(weights)
    shares = [rest * w / s for w in weights]
    floors = [math.floor(x) for x in shares]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: shares[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors, strict=True)]


class Pools:
    """Names, streets and cities drawn once from Faker, then combined at random."""

    def __init__(self, seed: int):
        from faker import Faker
        from faker.providers.address.fr_FR import Provider as Address
        from faker.providers.person.fr_FR import Provider as Person

        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.first_female = list(Person.first_names_female)
        self.first_male = list(Person.first_names_male)
        self.last = list(Person.last_names)
        self.streets = [fake.street_name() for _ in range(3000)]
        self.cities = [fake.city() for _ in range(1500)]
        self.companies = [fake.company() for _ in range(300)]
        self.departments = list(Address.departments)


def _departments(pools: Pools, n: int) -> list[tuple[str, str]]:
    deps = [d for d in pools.departments if d[0] != "75"]
    return [("75", "Paris"), *deps][:n]


def _federation_name(dept_name: str) -> str:
    if dept_name[0] in "AEIOUYÉÈ":
        return f"Fédération de l'{dept_name}"
    return f"Fédération de {dept_name}"


def generate(conn, ctx):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from psycopg.types.json import Jsonb

    from fede.core.models import AccessLog
    from fede.organization.models import (
        DuesPayment,
        Mandate,
        Member,
        Role,
        Territory,
        Transfer,
        Unit,
    )

    User = get_user_model()
    scale = ctx.scale
    rng = ctx.rng(APP)
    pools = Pools(ctx.seed)
    today = ctx.today
    now = ctx.now
    year = today.year

    # --- Units and territories -------------------------------------------------------
    departments = _departments(pools, scale.federations)
    fed_weights = [4.0] + [rng.lognormvariate(0, 0.5) for _ in departments[1:]]
    sections_per_fed = _allocate(
        scale.sections, fed_weights, minimum=min(5, scale.sections // scale.federations)
    )

    territories = []  # (id, kind, code, name, number)
    fed_territories: list[list[int]] = []
    tid = 0
    for dept, _name in departments:
        ids = []
        if dept == "75":
            for n in range(1, 21):
                tid += 1
                label = "1er arrondissement" if n == 1 else f"{n}e arrondissement"
                territories.append((tid, "arrondissement", f"751{n:02d}", label, n))
                ids.append(tid)
        else:
            for n in range(1, 11):
                tid += 1
                territories.append(
                    (tid, "neighbourhood", f"{dept}-{n:02d}", rng.choice(pools.cities), n)
                )
                ids.append(tid)
        fed_territories.append(ids)
    ctx.copy(Territory, ["id", "kind", "code", "name", "number"], territories)

    units = []
    national_id = 1
    national_path = f"{national_id:08d}."
    units.append(
        (
            national_id,
            "national",
            "",
            "Direction nationale",
            "NAT",
            None,
            national_path,
            0,
            None,
            "",
            "",
            "",
            True,
            "",
            "",
            "",
            "",
        )
    )
    next_unit = 2
    federations = []  # (id, path, dept)
    for dept, dept_name in departments:
        fid = next_unit
        next_unit += 1
        path = f"{national_path}{fid:08d}."
        code = f"FED{dept}"
        name = "Fédération de Paris" if dept == "75" else _federation_name(dept_name)
        units.append(
            (
                fid,
                "federation",
                "",
                name,
                code,
                national_id,
                path,
                1,
                None,
                "",
                "",
                "",
                True,
                "",
                f"La {name} rassemble les sections du département.",
                f"federation{dept}@example.org",
                "",
            )
        )
        federations.append((fid, path, dept))

    sectors = list(EMPLOYERS)
    sections = []  # (id, federation index, path, code, has_premises, is_workplace)
    for fi, (fid, fpath, dept) in enumerate(federations):
        n_sections = sections_per_fed[fi]
        n_workplace = max(1 if n_sections >= 3 else 0, round(n_sections * scale.workplace_share))
        per_territory: dict[int, int] = {}
        for k in range(n_sections):
            sid = next_unit
            next_unit += 1
            path = f"{fpath}{sid:08d}."
            workplace = k >= n_sections - n_workplace
            if workplace:
                sector = sectors[rng.randrange(len(sectors))]
                employer = rng.choice(EMPLOYERS[sector])
                site = rng.choice(pools.cities)
                code = f"SE{dept}-{k - (n_sections - n_workplace) + 1}"
                name = f"Section {employer} {site}"
                territory = None
                has_premises = rng.random() < 0.4
                section_kind = "workplace"
            else:
                t_list = fed_territories[fi]
                territory = t_list[k % len(t_list)]
                number = k % len(t_list) + 1
                per_territory[number] = per_territory.get(number, 0) + 1
                code = f"S{dept}-{number:02d}-{per_territory[number]}"
                street = rng.choice(pools.streets)
                name = (
                    f"Section {street}" if dept == "75" else f"Section {rng.choice(pools.cities)}"
                )
                sector, employer, site = "", "", ""
                has_premises = rng.random() < 0.75
                section_kind = "territorial"
            units.append(
                (
                    sid,
                    "section",
                    section_kind,
                    name,
                    code,
                    fid,
                    path,
                    2,
                    territory,
                    employer,
                    sector,
                    site,
                    has_premises,
                    f"{rng.randint(1, 150)} {rng.choice(pools.streets)}" if has_premises else "",
                    f"La {name.lower()} se réunit chaque mois. Venez nous rencontrer !",
                    f"section.{code.lower()}@example.org",
                    f"01 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)}",
                )
            )
            sections.append((sid, fi, path, code, has_premises, workplace))
    ctx.copy_timed(
        Unit,
        [
            "id",
            "kind",
            "section_kind",
            "name",
            "code",
            "parent_id",
            "path",
            "depth",
            "territory_id",
            "employer",
            "sector",
            "sites",
            "has_premises",
            "meeting_place",
            "presentation",
            "contact_email",
            "contact_phone",
            "sort_name",
        ],
        # The natural sort key the model keeps on save (name is the 4th column).
        (u + (natural_sort_key(u[3]),) for u in units),
    )

    # --- Members: how many per section, who holds an office, who has a login ----------
    section_weights = [rng.lognormvariate(0, 0.9) for _ in sections]
    per_section = _allocate(scale.members, section_weights, minimum=3)
    starts = []
    next_member = 1
    for count in per_section:
        starts.append(next_member)
        next_member += count
    fed_sections: list[list[int]] = [[] for _ in federations]
    for si, s in enumerate(sections):
        fed_sections[s[1]].append(si)

    def section_member(si: int, taken: set[int]) -> int:
        """A member of section ``si`` not already holding an office here."""
        start, count = starts[si], per_section[si]
        for _ in range(50):
            mid = start + rng.randrange(count)
            if mid not in taken:
                taken.add(mid)
                return mid
        return start

    def start_date(years_min: float, years_max: float) -> datetime.date:
        return today - datetime.timedelta(days=int(rng.uniform(years_min, years_max) * 365))

    mandates = []  # (id, member_id, role, unit_id, portfolio, start, end)
    officers: set[int] = set()
    taken: set[int] = set()
    section_secretary: dict[int, int] = {}  # section index -> member id
    fed_first_secretary: dict[int, int] = {}  # federation index -> member id

    def appoint(member_id, role, unit_id, portfolio="", ended=False):
        if ended:
            start = start_date(4, 8)
            end = start + datetime.timedelta(days=int(rng.uniform(1, 3) * 365))
            end = min(end, today - datetime.timedelta(days=30))
        else:
            start, end = start_date(0.1, 5), None
            officers.add(member_id)
        mandates.append((len(mandates) + 1, member_id, role, unit_id, portfolio, start, end))

    # National leadership, from the Paris sections.
    paris_sections = fed_sections[0]
    for role, n in (
        (Role.FIRST_SECRETARY, 1),
        (Role.FEDERAL_SECRETARY, 6),
        (Role.FEDERAL_TREASURER, 1),
        (Role.FEDERAL_STAFF, 3),
    ):
        for k in range(n):
            si = paris_sections[rng.randrange(len(paris_sections))]
            portfolio = PORTFOLIOS[k % len(PORTFOLIOS)] if role == Role.FEDERAL_SECRETARY else ""
            appoint(section_member(si, taken), role, national_id, portfolio)
    national_first_secretary = mandates[0][1]
    # Federal leaderships.
    federal_roles = (
        (Role.FIRST_SECRETARY, 1),
        (Role.FEDERAL_SECRETARY, 5),
        (Role.FEDERAL_TREASURER, 1),
        (Role.FEDERAL_STAFF, 2),
        (Role.JOURNAL_EDITOR, 1),
        (Role.COUNCIL_MEMBER, 10),
    )
    for fi, (fid, _path, _dept) in enumerate(federations):
        for role, n in federal_roles:
            for k in range(n):
                sis = fed_sections[fi]
                si = sis[rng.randrange(len(sis))]
                mid = section_member(si, taken)
                portfolio = PORTFOLIOS[k] if role == Role.FEDERAL_SECRETARY else ""
                appoint(mid, role, fid, portfolio)
                if role == Role.FIRST_SECRETARY:
                    fed_first_secretary[fi] = mid
    # Every section: a secretary and a treasurer.
    for si, s in enumerate(sections):
        mid = section_member(si, taken)
        appoint(mid, Role.SECTION_SECRETARY, s[0])
        section_secretary[si] = mid
        appoint(section_member(si, taken), Role.SECTION_TREASURER, s[0])
    # The rest: bureau members and offices held in the past.
    while len(mandates) < scale.mandates:
        si = rng.randrange(len(sections))
        if rng.random() < 0.5:
            appoint(section_member(si, taken), Role.SECTION_BUREAU, sections[si][0])
        else:
            role = rng.choice((Role.SECTION_SECRETARY, Role.SECTION_TREASURER))
            appoint(section_member(si, taken), role, sections[si][0], ended=True)

    # Logins: every current officer and a sample of plain members.
    login_members = set(officers)
    while len(login_members) < len(officers) + scale.member_users:
        login_members.add(rng.randint(1, scale.members))
    user_of = {mid: uid for uid, mid in enumerate(sorted(login_members), start=1)}

    # The load run logs in as the secretaries of the largest sections and the first
    # secretaries of the largest federations.
    largest_sections = sorted(range(len(sections)), key=lambda i: -per_section[i])[: scale.personas]
    fed_members = [sum(per_section[si] for si in sis) for sis in fed_sections]
    largest_feds = sorted(range(len(federations)), key=lambda i: -fed_members[i])[: scale.personas]
    watch_sections = set(largest_sections)
    watched: dict[int, list[tuple[int, str]]] = {si: [] for si in watch_sections}

    # --- Members (streamed) -----------------------------------------------------------
    joined_ord = array("I", bytes(4 * (scale.members + 1)))
    left_year = array("H", bytes(2 * (scale.members + 1)))
    status_of = array("B", bytes(scale.members + 1))
    users = {}  # member id -> (first, last, email)
    first_f, first_m, lasts = pools.first_female, pools.first_male, pools.last
    streets, cities = pools.streets, pools.cities
    fed_city = [rng.choice(cities) for _ in federations]

    def member_rows():
        r = rng.random
        randint = rng.randint
        for si, (sid, fi, _path, _code, _prem, _wp) in enumerate(sections):
            dept = federations[fi][2]
            for mid in range(starts[si], starts[si] + per_section[si]):
                first = rng.choice(first_f if r() < 0.5 else first_m)
                last = lasts[int(len(lasts) * r() ** 1.6)]  # some names are much more common
                x = r()
                if mid in login_members or x < 0.82:
                    status = ACTIVE
                elif x < 0.92:
                    status = LAPSED
                elif x < 0.97:
                    status = RESIGNED
                elif x < 0.98:
                    status = EXCLUDED
                else:
                    status = DECEASED
                years = min(int(rng.expovariate(1 / 12)), 45)
                joined = today - datetime.timedelta(days=years * 365 + randint(0, 364))
                left = None
                if status >= RESIGNED:
                    # Most departures are recent: older ones have left the file.
                    span = min((today - joined).days, 6 * 365)
                    left = today - datetime.timedelta(days=randint(0, max(span, 0)))
                    left_year[mid] = left.year
                joined_ord[mid] = joined.toordinal()
                status_of[mid] = status
                user_id = user_of.get(mid)
                if r() < 0.88 or user_id:
                    email = f"{_ascii(first)}.{_ascii(last)}.{mid}@{EMAIL_DOMAINS[mid % 3]}"
                else:
                    email = ""
                if user_id:
                    users[mid] = (first, last, email)
                if si in watch_sections:
                    watched[si].append((mid, last))
                phone = (
                    f"0{6 + (mid & 1)} {randint(10, 99)} {randint(10, 99)} {randint(10, 99)} "
                    f"{randint(10, 99)}"
                    if r() < 0.75
                    else ""
                )
                if dept == "75":
                    postal = f"750{randint(1, 20):02d}"
                    city = "Paris"
                elif len(dept) == 3:
                    postal, city = f"{dept}{randint(0, 9)}0", fed_city[fi]
                else:
                    postal, city = f"{dept}{randint(0, 99):03d}", rng.choice(cities)
                birth = (
                    today - datetime.timedelta(days=randint(18 * 365, 90 * 365))
                    if r() < 0.85
                    else None
                )
                yield (
                    mid,
                    f"N{mid:08d}",
                    first,
                    last,
                    email,
                    phone,
                    f"{randint(1, 200)} {streets[int(len(streets) * r())]}",
                    postal,
                    city,
                    birth,
                    joined,
                    STATUS_CODES[status],
                    left,
                    sid,
                    r() < 0.9,
                    r() < 0.4,
                    user_id,
                )

    ctx.copy_timed(
        Member,
        [
            "id",
            "membership_number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postal_code",
            "city",
            "birth_date",
            "joined_on",
            "status",
            "left_on",
            "section_id",
            "consent_share_contact",
            "consent_newsletter",
            "user_id",
        ],
        member_rows(),
    )

    # --- Dues: five years --------------------------------------------------------------
    first_dues_year = year - scale.dues_years + 1

    def dues_rows():
        r = rng.random
        randint = rng.randint
        pid = 0
        methods = rng.choices(METHODS, METHOD_WEIGHTS, k=4096)
        for mid in range(1, scale.members + 1):
            status = status_of[mid]
            joined = datetime.date.fromordinal(joined_ord[mid])
            jy = joined.year
            first_y = max(jy, first_dues_year)
            if status == ACTIVE:
                last_y = year if (mid in officers or r() < 0.86) else year - 1
            elif status == LAPSED:
                last_y = randint(first_dues_year - 1, year - 1)
            else:
                last_y = min(left_year[mid], year)
            amount = DUES_AMOUNTS[int(len(DUES_AMOUNTS) * r() ** 1.5)]
            for y in range(first_y, last_y + 1):
                if y != last_y and r() > 0.985:
                    continue
                if y == jy:
                    paid = min(
                        joined + datetime.timedelta(days=randint(0, 10)), datetime.date(y, 12, 31)
                    )
                else:
                    paid = datetime.date(y, 1 + int(r() * r() * 10), randint(1, 28))
                if paid > today:
                    paid = today
                pid += 1
                yield (pid, mid, y, amount, paid, methods[pid & 4095])

    ctx.copy_timed(
        DuesPayment, ["id", "member_id", "year", "amount", "paid_on", "method"], dues_rows()
    )

    # --- Offices, logins, MFA ----------------------------------------------------------
    ctx.copy_timed(
        Mandate, ["id", "member_id", "role", "unit_id", "portfolio", "start", "end"], mandates
    )
    password = make_password(BENCH_PASSWORD)
    user_rows = []
    for mid, uid in user_of.items():
        first, last, email = users[mid]
        user_rows.append((uid, password, False, first, last, False, True, now, email))
    ctx.copy_timed(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "date_joined",
            "email",
        ],
        user_rows,
    )
    ctx.copy(
        EmailAddress,
        ["id", "email", "verified", "primary", "user_id"],
        ((row[0], row[8], True, True, row[0]) for row in user_rows),
    )
    totp = Jsonb({"secret": TOTP_SECRET})
    officer_users = sorted(user_of[mid] for mid in officers)
    ctx.copy(
        Authenticator,
        ["id", "type", "data", "user_id", "created_at"],
        ((k, "totp", totp, uid, now) for k, uid in enumerate(officer_users, start=1)),
    )

    # --- Transfers and access log --------------------------------------------------------
    def transfer_rows():
        seen = set()
        n_open = max(1, scale.transfers // 20)
        for tid in range(1, scale.transfers + 1):
            si = rng.randrange(len(sections))
            fi = sections[si][1]
            other = rng.choice(fed_sections[fi])
            if other == si or per_section[si] == 0:
                continue
            mid = starts[si] + rng.randrange(per_section[si])
            if mid in seen:
                continue
            seen.add(mid)
            requested_by = user_of[section_secretary[other]]
            decided_by = user_of[fed_first_secretary[fi]]
            if tid <= n_open:
                # An open request: from the member's section to another one.
                yield (
                    tid,
                    mid,
                    sections[si][0],
                    sections[other][0],
                    "requested",
                    "Déménagement",
                    requested_by,
                    None,
                    None,
                    "",
                )
            else:
                # History: the member came from another section of the federation.
                decided = now - datetime.timedelta(days=rng.randint(30, 1500))
                status = rng.choice(("approved", "approved", "approved", "refused", "cancelled"))
                yield (
                    tid,
                    mid,
                    sections[other][0],
                    sections[si][0],
                    status,
                    "Changement de lieu de travail",
                    requested_by,
                    decided_by if status != "cancelled" else None,
                    decided if status != "cancelled" else None,
                    "",
                )

    ctx.copy_timed(
        Transfer,
        [
            "id",
            "member_id",
            "from_unit_id",
            "to_unit_id",
            "status",
            "reason",
            "requested_by_id",
            "decided_by_id",
            "decided_at",
            "decision_note",
        ],
        transfer_rows(),
    )

    def access_rows():
        empty = Jsonb({})
        for k in range(1, scale.access_log + 1):
            si = rng.randrange(len(sections))
            actor = user_of[section_secretary[si]]
            action, what, otype = ACCESS_WHAT[min(int(rng.random() * 2.2), 2)]
            if otype == "organization.member":
                oid = str(starts[si] + rng.randrange(per_section[si]))
                rows = None
            else:
                oid = str(sections[si][0])
                rows = per_section[si]
            when = now - datetime.timedelta(seconds=rng.randint(0, 365 * 86400))
            yield (k, actor, action, what, otype, oid, rows, empty, when)

    ctx.copy_timed(
        AccessLog,
        [
            "id",
            "actor_id",
            "action",
            "what",
            "object_type",
            "object_id",
            "row_count",
            "detail",
            "created_at",
        ],
        access_rows(),
    )

    # --- What the next generators and the load run need --------------------------------
    ctx.shared[APP] = {
        "federations": federations,
        "sections": sections,
        "fed_sections": fed_sections,
        "section_members": (starts, per_section),
        "user_of": user_of,
        "section_secretary": section_secretary,
        "fed_first_secretary": fed_first_secretary,
        "territories": territories,
        "officer_users": officer_users,
    }

    def common(names: list[str], k: int) -> list[str]:
        counts: dict[str, int] = {}
        for n in names:
            counts[n] = counts.get(n, 0) + 1
        return sorted(counts, key=lambda n: (-counts[n], n))[:k]

    secretaries = []
    for si in largest_sections:
        rows = watched[si]
        secretaries.append(
            {
                "user_id": user_of[section_secretary[si]],
                "section_id": sections[si][0],
                "federation_id": federations[sections[si][1]][0],
                "members": per_section[si],
                "member_ids": [mid for mid, _ in rows[:: max(1, len(rows) // 20)]][:20],
                "search": common([last for _, last in rows], 5),
            }
        )
    first_secretaries = [
        {
            "user_id": user_of[fed_first_secretary[fi]],
            "federation_id": federations[fi][0],
            "members": fed_members[fi],
            "sections": len(fed_sections[fi]),
            "section_ids": [sections[si][0] for si in fed_sections[fi][:20]],
            "member_ids": [
                starts[si] for si in fed_sections[fi][:: max(1, len(fed_sections[fi]) // 20)]
            ][:20],
            "search": ["Martin", "Bernard", "Dubois", "Petit", "Moreau"],
        }
        for fi in largest_feds
    ]
    plain = sorted(login_members - officers)[: scale.personas]
    public_sections = [sections[si][0] for si in largest_sections]
    ctx.targets[APP] = {
        "national_id": national_id,
        "national_first_secretary": user_of[national_first_secretary],
        "section_secretaries": secretaries,
        "first_secretaries": first_secretaries,
        "members": [{"user_id": user_of[mid]} for mid in plain],
        "public_section_ids": public_sections,
        "largest_section_members": max(per_section),
        "largest_federation_members": max(fed_members),
    }


def pages(targets: dict) -> list[Page]:
    """Key pages of the organisation (their URLs are looked up when the load run starts)."""
    from bench.pages import organization_pages

    return organization_pages(targets)
