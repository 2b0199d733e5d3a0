"""The organisation demo: a believable Paris federation, loaded twice without doubling."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from fede.organization import demo
from fede.organization.models import DuesPayment, Mandate, Member, Role, Territory, Unit
from fede.organization.roles import can

pytestmark = pytest.mark.django_db

OPEN_DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "paris"


def counts():
    models = list(apps.get_app_config("organization").get_models())
    models += [get_user_model(), EmailAddress]
    return {m._meta.label: m.objects.count() for m in models}


@pytest.fixture
def accounts():
    return demo.load(stdout=StringIO(), size="small")


def test_loading_twice_creates_nothing_more(accounts):
    before = counts()

    again = demo.load(stdout=StringIO(), size="small")

    assert counts() == before
    assert again == accounts


def test_the_federation_is_believable(accounts):
    """20 arrondissements, ~80 territorial and 8 workplace sections, officers everywhere."""
    arrondissements = Territory.objects.filter(kind=Territory.Kind.ARRONDISSEMENT)
    assert sorted(arrondissements.values_list("code", flat=True)) == [
        str(c) for c in range(75101, 75121)
    ]
    assert arrondissements.get(code="75120").name == "20e arrondissement (Ménilmontant)"
    federation = Unit.objects.get(code="FED75")
    assert federation.name == "Fédération de Paris"
    assert federation.parent.code == "NAT"
    sections = Unit.objects.sections()
    territorial = sections.filter(section_kind=Unit.SectionKind.TERRITORIAL)
    assert territorial.count() == 80
    assert territorial.get(code="S75-11-1").name == "Paris 11 – Folie-Méricourt"
    assert territorial.get(code="S75-11-1").territory.code == "75111"
    assert territorial.filter(code="S75-15-3", name="Paris 15 – Grenelle").exists()
    assert not territorial.filter(meeting_place="").exists()
    assert not territorial.filter(presentation="").exists()
    workplace = sections.filter(section_kind=Unit.SectionKind.WORKPLACE)
    assert workplace.count() == 8
    assert workplace.filter(has_premises=False).count() == 3
    assert territorial.filter(has_premises=False).count() == 6
    assert set(workplace.values_list("sector", flat=True)) >= {
        "transport",
        "health",
        "city",
        "energy",
        "education",
    }
    current = Mandate.objects.current()
    for section in sections:
        roles = list(current.filter(unit=section).values_list("role", flat=True))
        assert roles.count(Role.SECTION_SECRETARY) == 1, section.code
        assert roles.count(Role.SECTION_TREASURER) == 1, section.code
        assert roles.count(Role.SECTION_BUREAU) == 2, section.code
    leadership = current.filter(unit=federation)
    assert leadership.filter(role=Role.FIRST_SECRETARY).count() == 1
    assert sorted(
        leadership.filter(role=Role.FEDERAL_SECRETARY).values_list("portfolio", flat=True)
    ) == ["Communication", "Entreprises", "Formation", "Élections"]
    assert leadership.filter(role=Role.FEDERAL_TREASURER).count() == 1
    assert leadership.filter(role=Role.FEDERAL_STAFF).count() == 2
    assert leadership.filter(role=Role.COUNCIL_MEMBER).count() >= 10


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 1, 2),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 12, 31),
        datetime.date(2028, 2, 29),
    ],
    ids=str,
)
def test_members_have_realistic_statuses_and_dues(today):
    """Whatever the day it is loaded, the demo has the same believable shape."""
    demo.load(stdout=StringIO(), size="small", today=today)
    members = Member.objects.all()
    total = members.count()
    assert 600 <= total <= 800
    # Officers are active by construction; the rank and file show the real turnover.
    rank_and_file = members.filter(mandates__isnull=True)
    share = rank_and_file.filter(status=Member.Status.ACTIVE).count() / rank_and_file.count()
    assert 0.7 < share < 0.9
    active = members.filter(status=Member.Status.ACTIVE).count()
    assert members.filter(status=Member.Status.LAPSED).exists()
    assert members.filter(status=Member.Status.RESIGNED).exists()
    up_to_date = members.active().up_to_date(today).count()
    assert up_to_date > 0.7 * active
    years = set(DuesPayment.objects.values_list("year", flat=True))
    assert years <= set(range(today.year - 4, today.year + 1))
    assert not DuesPayment.objects.filter(paid_on__gt=today).exists()
    assert not members.filter(joined_on__gt=today).exists()
    oldest = members.order_by("joined_on").first().joined_on
    assert (today - oldest).days > 10 * 365
    assert members.filter(erasure_requested_at__isnull=False).exists()


def test_the_same_day_gives_the_same_members():
    """Two loads on the same date draw the same people, statuses and consents."""
    day = datetime.date(2026, 12, 1)
    generated = [
        demo._generate_members(
            {code: Unit(code=code) for code in ("S75-11-1", "S75-15-3", "SE75-1")}, 60, day
        )
        for _ in range(2)
    ]
    shape = [
        [
            (m.membership_number, m.last_name, m.status, m.joined_on, m.consent_share_contact)
            for m, _dues in run
        ]
        for run in generated
    ]
    assert shape[0] == shape[1]
    # And a different day keeps who they are and their statuses.
    later = demo._generate_members(
        {code: Unit(code=code) for code in ("S75-11-1", "S75-15-3", "SE75-1")},
        60,
        datetime.date(2027, 3, 1),
    )
    assert [(m.last_name, m.status) for m, _dues in later] == [
        (m.last_name, m.status) for m, _dues in generated[0]
    ]


def test_demo_accounts_log_in_and_hold_their_offices(client, accounts):
    emails = [email for _role, email, _password in accounts]
    assert emails == [
        "adherent@demo.fede.paris",
        "secretaire.paris11@demo.fede.paris",
        "tresorier.paris11@demo.fede.paris",
        "secretaire.paris15@demo.fede.paris",
        "secretaire.federal@demo.fede.paris",
        "premier.secretaire@demo.fede.paris",
        "permanent@demo.fede.paris",
        "admin@demo.fede.paris",
    ]
    for _role, email, password in accounts:
        assert password == "fede-demo-2026"
        assert client.login(email=email, password=password), email
        client.logout()
        # Through the real login form: the e-mail is verified, so no verification step.
        response = client.post(reverse("account_login"), {"login": email, "password": password})
        assert response.status_code == 302, email
        assert "confirm-email" not in response.url and "verification" not in response.url
        assert client.session.get("_auth_user_id"), email
        client.logout()

    User = get_user_model()
    s11 = Unit.objects.get(code="S75-11-1")
    s15 = Unit.objects.get(code="S75-15-1")
    secretary = User.objects.get(email="secretaire.paris11@demo.fede.paris")
    assert can(secretary, "members.view", s11) and not can(secretary, "members.view", s15)
    member = User.objects.get(email="adherent@demo.fede.paris")
    assert member.member.section == s11 and not can(member, "members.view", s11)
    first = User.objects.get(email="premier.secretaire@demo.fede.paris")
    assert can(first, "members.import", s15)
    staff = User.objects.get(email="permanent@demo.fede.paris")
    assert can(staff, "personal_data.process", s11)
    assert User.objects.get(email="admin@demo.fede.paris").is_superuser


@pytest.mark.skipif(
    not (OPEN_DATA / "paris_arrondissements.geojson").is_file(),
    reason=f"Données ouvertes de Paris absentes ({OPEN_DATA}).",
)
def test_with_open_data_the_territories_come_from_the_files():
    demo.load(stdout=StringIO(), open_data=OPEN_DATA, size="small")
    before = counts()

    stations = Territory.objects.filter(kind=Territory.Kind.POLLING_STATION)
    assert stations.count() == 902
    assert not stations.filter(parent__isnull=True).exists()
    eleventh = Territory.objects.get(kind=Territory.Kind.ARRONDISSEMENT, code="75111")
    assert eleventh.geometry["type"] == "Polygon"
    assert Unit.objects.get(code="S75-11-1").territory == eleventh

    demo.load(stdout=StringIO(), open_data=OPEN_DATA, size="small")
    assert counts() == before
