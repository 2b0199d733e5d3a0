"""Personal data: "Mes données", JSON download, consents, erasure and its processing."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.organization.models import DuesPayment, Mandate, Member, Role, Transfer
from fede.organization.personal_data import (
    anonymise_former_members_task,
    former_members_anonymise,
    member_anonymise,
)
from fede.organization.services import mandate_appoint
from fede.organization.tests.factories import (
    DuesPaymentFactory,
    MemberFactory,
    UserFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

pytestmark = pytest.mark.django_db

MY_DATA = reverse("organization:my_data")
MY_JSON = reverse("organization:my_data_export")
MY_ERASURE = reverse("organization:my_erasure")
REQUESTS = reverse("organization:erasure_requests")


@pytest.fixture
def paris():
    federation = make_federation(code="FED75")
    s11 = make_section(federation, name="Paris 11 – Folie-Méricourt", code="S75-11-1")
    s15 = make_section(federation, name="Paris 15 – Grenelle", code="S75-15-3")
    return federation, s11, s15


@pytest.fixture
def member_user(paris):
    """A member of the 11e with a login, dues, a transfer and an office."""
    federation, s11, s15 = paris
    user = make_member_user(
        s11,
        first_name="Léa",
        last_name="Martin",
        phone="06 12 34 56 78",
        address="12 rue Oberkampf",
        postal_code="75011",
        city="Paris",
        birth_date=datetime.date(1985, 7, 14),
        consent_share_contact=True,
        consent_newsletter=False,
    )
    member = user.member
    this_year = timezone.localdate().year
    DuesPaymentFactory(member=member, year=this_year, amount=Decimal("45.00"))
    DuesPaymentFactory(
        member=member,
        year=this_year - 1,
        amount=Decimal("30.00"),
        paid_on=datetime.date(this_year - 1, 3, 1),
    )
    Transfer.objects.create(
        member=member, from_unit=s15, to_unit=s11, status="approved", reason="Déménagement"
    )
    mandate_appoint(
        actor=SYSTEM,
        member=member,
        role=Role.SECTION_BUREAU,
        unit=s11,
        start=timezone.localdate() - datetime.timedelta(days=10),
    )
    return user


def test_my_data_page_shows_everything_held(client, member_user):
    """The member reads identity, contact, section, dues, transfers, offices and consents."""
    client.force_login(member_user)

    response = client.get(MY_DATA)

    page = response.content.decode()
    assert response.status_code == 200
    for expected in (
        "Mes données",
        "Martin",
        "Léa",
        "14 juillet 1985",
        "06 12 34 56 78",
        "12 rue Oberkampf",
        "Paris 11 – Folie-Méricourt",
        "45,00 €",
        "Déménagement",
        "Membre du bureau de section",
        "Télécharger mes données (JSON)",
        "Demander l'effacement de mes données",
    ):
        assert expected in page, expected
    assert response["Cache-Control"].startswith("max-age=0")


def test_my_data_download_is_json_of_my_own_record(client, member_user):
    client.force_login(member_user)

    response = client.get(MY_JSON)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    data = json.loads(response.content)
    assert data["identity"]["last_name"] == "Martin"
    assert data["identity"]["birth_date"] == "1985-07-14"
    assert data["contact"]["email"] == member_user.email
    assert data["membership"]["section"]["code"] == "S75-11-1"
    assert [d["amount"] for d in data["dues"]] == ["45.00", "30.00"]
    assert data["transfers"][0]["reason"] == "Déménagement"
    assert data["offices"][0]["role"] == "Membre du bureau de section"
    assert data["consents"] == {
        "share_contact_with_section_officers": True,
        "newsletter": False,
    }
    assert data["account"]["email"] == member_user.email


def test_a_login_without_member_record_sees_an_explanation(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.get(MY_DATA)

    assert response.status_code == 200
    assert "Aucune fiche d" in response.content.decode()
    assert client.get(MY_JSON).status_code == 404
    assert client.post(MY_ERASURE, {"confirm": "on"}).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, db):
    for url in (MY_DATA, MY_JSON, MY_ERASURE, REQUESTS):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/login/" in response.url


def test_a_member_changes_their_consents(client, member_user):
    client.force_login(member_user)

    response = client.post(reverse("organization:my_consents"), {"newsletter": "on"})

    assert response.status_code == 302
    member = Member.objects.get(user=member_user)
    assert member.consent_share_contact is False and member.consent_newsletter is True
    assert client.get(reverse("organization:my_consents")).status_code == 405


def test_erasure_request_needs_confirmation_and_twice_is_harmless(client, member_user):
    client.force_login(member_user)
    member = member_user.member

    page = client.get(MY_ERASURE)
    assert page.status_code == 200 and "Envoyer ma demande" in page.content.decode()
    member.refresh_from_db()
    assert member.erasure_requested_at is None

    response = client.post(MY_ERASURE, {})
    assert response.status_code == 200
    assert "Cochez la case pour confirmer" in response.content.decode()
    member.refresh_from_db()
    assert member.erasure_requested_at is None

    response = client.post(MY_ERASURE, {"confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    first = member.erasure_requested_at
    assert first is not None

    response = client.post(MY_ERASURE, {"confirm": "on"}, follow=True)
    assert "déjà enregistrée" in response.content.decode()
    member.refresh_from_db()
    assert member.erasure_requested_at == first
    assert "Vous avez demandé l'effacement" in client.get(MY_DATA).content.decode()


def test_the_federation_lists_pending_requests_with_bounded_queries(
    client, paris, django_assert_max_num_queries
):
    federation, s11, s15 = paris
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=s11)
    asked = timezone.now() - datetime.timedelta(days=3)
    for n in range(60):
        MemberFactory(
            section=s11 if n % 2 else s15, last_name=f"Nom{n:02d}", erasure_requested_at=asked
        )
    MemberFactory(section=s11, last_name="SansDemande")
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        response = client.get(REQUESTS)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Traiter<span") == 50  # one page
    assert "SansDemande" not in page
    assert client.get(REQUESTS, {"page": 2}).content.decode().count("Traiter<span") == 10


def test_section_officers_cannot_see_or_process_erasure_requests(client, paris, member_user):
    _federation, s11, _s15 = paris
    member = member_user.member
    member.erasure_requested_at = timezone.now()
    member.save()
    client.force_login(make_officer(s11, Role.SECTION_SECRETARY))

    assert client.get(REQUESTS).status_code == 403
    url = reverse("organization:erasure_process", args=[member.pk])
    assert client.post(url, {"confirm": "on"}).status_code == 403
    member.refresh_from_db()
    assert member.anonymised_at is None


def test_out_of_scope_or_unrequested_members_are_404(client, paris):
    federation, s11, _s15 = paris
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=s11)
    lyon = make_section(make_federation(name="Fédération du Rhône", code="FED69"), code="S69-1")
    far = MemberFactory(section=lyon, erasure_requested_at=timezone.now())
    not_asked = MemberFactory(section=s11)
    client.force_login(staff)

    for member in (far, not_asked):
        url = reverse("organization:erasure_process", args=[member.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "on"}).status_code == 404
        member.refresh_from_db()
        assert member.anonymised_at is None


def test_processing_a_request_anonymises_and_keeps_dues(client, paris, member_user):
    """Names "Anonyme", number ANON-<id>, contact emptied, login closed, dues kept, logged."""
    federation, s11, _s15 = paris
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=s11)
    member = member_user.member
    member.erasure_requested_at = timezone.now()
    member.save()
    EmailAddress.objects.create(user=member_user, email=member_user.email, verified=True)
    client.force_login(staff)
    url = reverse("organization:erasure_process", args=[member.pk])

    page = client.get(url).content.decode()
    assert "Anonymiser la fiche" in page
    member.refresh_from_db()
    assert member.anonymised_at is None  # GET changes nothing

    response = client.post(url, {"confirm": "on"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Anonyme", "Anonyme")
    assert member.membership_number == f"ANON-{member.pk}"
    assert (member.email, member.phone, member.address, member.city) == ("", "", "", "")
    assert member.birth_date is None and member.user is None
    assert member.anonymised_at is not None
    assert member.status == Member.Status.RESIGNED and member.left_on == timezone.localdate()
    assert not Mandate.objects.current().filter(member=member).exists()
    assert Transfer.objects.get(member=member).reason == ""
    assert sorted(DuesPayment.objects.filter(member=member).values_list("amount", flat=True)) == [
        Decimal("30.00"),
        Decimal("45.00"),
    ]
    user = get_user_model().objects.get(pk=member_user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert "Martin" not in (user.first_name + user.last_name)
    assert user.email.endswith("@anonyme.invalid")
    assert not EmailAddress.objects.filter(user=user).exists()
    log = AccessLog.objects.get(action=AccessLog.Action.ANONYMISE)
    assert log.actor == staff and log.object_id == str(member.pk)
    assert "Martin" not in json.dumps(log.detail)

    # Gone from the list; a second processing is 404 and changes nothing.
    assert "Anonyme" not in client.get(REQUESTS).content.decode()
    assert client.post(url, {"confirm": "on"}).status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).count() == 1


def test_processing_needs_the_confirmation_box(client, paris, member_user):
    federation, s11, _s15 = paris
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=s11)
    member = member_user.member
    member.erasure_requested_at = timezone.now()
    member.save()
    client.force_login(staff)

    response = client.post(reverse("organization:erasure_process", args=[member.pk]), {})

    assert response.status_code == 200
    assert "Cochez la case pour confirmer" in response.content.decode()
    member.refresh_from_db()
    assert member.anonymised_at is None


def test_an_anonymised_member_can_no_longer_log_in(client, paris, member_user):
    member_anonymise(actor=SYSTEM, member=member_user.member)

    assert not client.login(email=member_user.email, password="correct horse battery")


@pytest.fixture
def former_members(paris, settings):
    """Who the retention rule (5 years) anonymises, and who it keeps."""
    settings.FEDE_ANONYMISE_AFTER_YEARS = 5
    _federation, s11, _s15 = paris
    today = timezone.localdate()
    old = today - datetime.timedelta(days=6 * 366)
    recent = today - datetime.timedelta(days=2 * 365)
    due = [
        MemberFactory(section=s11, status=Member.Status.RESIGNED, left_on=old),
        MemberFactory(section=s11, status=Member.Status.DECEASED, left_on=old),
        # Lapsed without a departure date: last dues 7 years ago.
        MemberFactory(
            section=s11,
            status=Member.Status.LAPSED,
            joined_on=today - datetime.timedelta(days=10 * 365),
        ),
    ]
    DuesPaymentFactory(
        member=due[2], year=today.year - 7, paid_on=datetime.date(today.year - 7, 2, 1)
    )
    kept = [
        MemberFactory(section=s11, status=Member.Status.RESIGNED, left_on=recent),
        MemberFactory(section=s11, status=Member.Status.ACTIVE),
        MemberFactory(
            section=s11,
            status=Member.Status.LAPSED,
            joined_on=today - datetime.timedelta(days=10 * 365),
        ),
    ]
    DuesPaymentFactory(
        member=kept[2], year=today.year - 2, paid_on=datetime.date(today.year - 2, 2, 1)
    )
    return due, kept


def test_former_members_command_dry_run_then_anonymises(former_members):
    due, kept = former_members
    out = StringIO()

    call_command("anonymise_former_members", "--dry-run", stdout=out)

    assert "3 fiche(s)" in out.getvalue() and "simulation" in out.getvalue()
    assert not Member.objects.filter(anonymised_at__isnull=False).exists()

    out = StringIO()
    call_command("anonymise_former_members", stdout=out)

    assert "3 fiche(s) anonymisée(s)" in out.getvalue()
    assert set(Member.objects.filter(anonymised_at__isnull=False)) == set(due)
    assert all(m.last_name != "Anonyme" for m in Member.objects.filter(pk__in=[k.pk for k in kept]))
    logs = AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE)
    assert logs.count() == 3 and {log.detail["reason"] for log in logs} == {"retention"}
    assert former_members_anonymise(actor=SYSTEM) == 0


def test_retention_is_also_a_task(former_members):
    result = anonymise_former_members_task.enqueue()

    assert result.return_value == 3
    assert Member.objects.filter(anonymised_at__isnull=False).count() == 3


def test_retention_period_is_configurable(former_members, settings):
    settings.FEDE_ANONYMISE_AFTER_YEARS = 10

    assert former_members_anonymise(actor=SYSTEM, dry_run=True) == 0


def test_a_cancelled_payment_is_marked_in_my_data_and_its_download(client, member_user):
    """A payment recorded by mistake and cancelled stays in the member's data, marked as
    such (struck through on the page, its cancellation in the JSON): it never counted."""
    from fede.organization import services

    member = member_user.member
    payment = member.payments.get(amount=Decimal("30.00"))
    treasurer = make_officer(member.section, "section_treasurer")
    services.dues_cancel(actor=treasurer, payment=payment, reason="Saisie en double")
    client.force_login(member_user)

    page = client.get(MY_DATA).content.decode()
    assert "<del>30,00 €</del>" in page and "annulée le" in page
    assert "<del>45,00 €</del>" not in page

    data = json.loads(client.get(MY_JSON).content)
    by_amount = {d["amount"]: d for d in data["dues"]}
    payment.refresh_from_db()
    assert by_amount["30.00"]["cancelled_at"] == payment.cancelled_at.isoformat()
    assert by_amount["30.00"]["cancel_reason"] == "Saisie en double"
    assert by_amount["45.00"]["cancelled_at"] is None and by_amount["45.00"]["cancel_reason"] == ""
