import datetime

import pytest
from django.core.cache import cache

from fede.core.access import SYSTEM
from fede.organization.models import Role, Territory, Unit
from fede.organization.territories import arrondissement_code, arrondissement_name
from fede.organization.tests.factories import make_federation, make_officer, make_section
from fede.website import services

NOW = datetime.datetime(2024, 3, 10, 12, 0, tzinfo=datetime.UTC)  # in the past, whatever today is


def square(x, y, size=0.01):
    """A small square polygon (lon, lat) for a tiny GeoJSON fixture."""
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
    }


def arrondissement(number: int, geometry=None) -> Territory:
    territory, _created = Territory.objects.get_or_create(
        kind=Territory.Kind.ARRONDISSEMENT,
        code=arrondissement_code(number),
        defaults={"name": arrondissement_name(number), "number": number, "geometry": geometry},
    )
    return territory


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    """Paris: two sections in the 11e, one in the 16e, a workplace section; Lyon apart."""
    paris = make_federation(code="FED75")
    a11 = arrondissement(11, square(2.37, 48.85))
    a16 = arrondissement(16, square(2.26, 48.86))
    p11 = make_section(
        paris,
        name="Paris 11 – Folie-Méricourt",
        code="S75-11-1",
        section_kind=Unit.SectionKind.TERRITORIAL,
        territory=a11,
        meeting_place="Local, 12 rue Oberkampf",
        presentation="Une section **active** du 11e.",
        contact_email="",
    )
    p11b = make_section(
        paris,
        name="Paris 11 – Roquette",
        code="S75-11-2",
        section_kind=Unit.SectionKind.TERRITORIAL,
        territory=a11,
    )
    p16 = make_section(
        paris,
        name="Paris 16 – Auteuil",
        code="S75-16-1",
        section_kind=Unit.SectionKind.TERRITORIAL,
        territory=a16,
        contact_email="auteuil@example.org",
    )
    work = make_section(
        paris,
        name="Section RATP",
        code="SE75-1",
        section_kind=Unit.SectionKind.WORKPLACE,
        sector=Unit.Sector.TRANSPORT,
        employer="RATP",
    )
    lyon = make_federation(name="Fédération du Rhône", code="FED69")
    l1 = make_section(lyon, name="Lyon 1er", code="S69-01")
    return {
        "paris": paris,
        "p11": p11,
        "p11b": p11b,
        "p16": p16,
        "work": work,
        "lyon": lyon,
        "l1": l1,
        "sec11": make_officer(p11, Role.SECTION_SECRETARY, email="secretaire11@example.org"),
        "sec16": make_officer(p16, Role.SECTION_SECRETARY, email="secretaire16@example.org"),
        "lyon_sec": make_officer(l1, Role.SECTION_SECRETARY, email="lyon@example.org"),
        "first": make_officer(paris, Role.FIRST_SECRETARY, section=p11),
    }


def publish_news(site, slug, *, at=NOW, publish=True, **fields):
    post = services.news_save(
        actor=SYSTEM,
        unit=site["paris"],
        slug=slug,
        title=fields.pop("title", f"Titre {slug}"),
        summary=fields.pop("summary", "Résumé"),
        body=fields.pop("body", "Texte **gras**"),
    )
    if publish:
        services.news_publish(actor=SYSTEM, post=post, at=at)
    return post


def publish_page(site, slug, *, publish=True, title=None):
    page = services.page_save(
        actor=SYSTEM, unit=site["paris"], slug=slug, title=title or slug, body="Texte"
    )
    if publish:
        services.page_publish(actor=SYSTEM, page=page, at=NOW)
    return page


def join_data(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Rousseau",
        "email": "camille@example.org",
        "phone": "",
        "birth_date": "",
        "address": "3 rue Oberkampf",
        "postal_code": "75011",
        "city": "Paris",
        "section": "",
        "message": "Bonjour",
        "consent_data": "on",
        "consent_statutes": "on",
    }
    data.update(overrides)
    return data
