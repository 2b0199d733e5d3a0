"""The member's own space: activation (invitation or verified sign-up), the member's home
and section page, the consent kept on every officer's page, the access log of member
pages, the personal data page and the automatic membership number."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AccessLog, AuditEntry, OutgoingMail
from fede.organization import invitations, personal_data, services
from fede.organization.models import Member, MemberInvitation, Role
from fede.organization.tests import screens
from fede.organization.tests.factories import MemberFactory, UserFactory, make_officer
from fede.organization.tests.screens import login, paid

paris = screens.paris  # fixture

pytestmark = pytest.mark.django_db

HIDDEN_EMAIL = "auger.1742@example.org"
HIDDEN_PHONE = "06 12 34 56 78"


def _invitation_link(mail_row: OutgoingMail) -> str:
    match = re.search(r"https?://\S+/activer/\S+/", mail_row.body)
    assert match, mail_row.body
    return match.group(0)


# --- Invitation ----------------------------------------------------------------------------


def test_an_invitation_link_works_once(client, paris, django_capture_on_commit_callbacks):
    member = MemberFactory(section=paris.s11, email="rose@example.org")
    login(client, paris.user("secretary"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organization:member_invite", args=[member.pk]))
    assert response.status_code == 302
    sent = OutgoingMail.objects.get(to=["rose@example.org"])
    assert "Fédération de Paris" in sent.subject
    link = _invitation_link(sent)
    assert link.startswith("http://127.0.0.1:8000/") or link.startswith("http")
    client.logout()

    assert client.get(link).status_code == 200
    response = client.post(
        link, {"password1": "une phrase bien longue", "password2": "une phrase bien longue"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user is not None and member.user.email == "rose@example.org"
    assert EmailAddress.objects.get(user=member.user).verified
    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert AuditEntry.objects.filter(
        code="organization.account_link", object_id=str(member.pk)
    ).exists()

    client.logout()
    assert client.get(link).status_code == 410
    assert client.post(link, {"password1": "x", "password2": "x"}).status_code == 410


def test_an_invitation_expires_and_a_new_one_replaces_it(paris):
    member = MemberFactory(section=paris.s11)
    first = invitations.member_invite(actor=SYSTEM, member=member)
    token = invitations.invitation_token(first)
    assert invitations.invitation_from_token(token) == first
    second = invitations.member_invite(actor=SYSTEM, member=member)
    assert invitations.invitation_from_token(token) is None
    later = timezone.now() + datetime.timedelta(days=invitations.INVITATION_DAYS + 1)
    with time_machine.travel(later):
        assert invitations.invitation_from_token(invitations.invitation_token(second)) is None


def test_inviting_needs_the_capability_and_writes_nothing_without(paris):
    member = MemberFactory(section=paris.s11)
    with pytest.raises(PermissionDenied):
        invitations.member_invite(actor=paris.user("bureau"), member=member)
    with pytest.raises(PermissionDenied):
        invitations.member_invite(actor=paris.user("member"), member=member)
    assert not MemberInvitation.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_officers_see_who_activated_and_invite_the_whole_section(
    client, paris, django_capture_on_commit_callbacks
):
    activated = MemberFactory(section=paris.s11, user=UserFactory())
    waiting = MemberFactory.create_batch(3, section=paris.s11)
    MemberFactory(section=paris.s11, email="")  # cannot be invited
    login(client, paris.user("secretary"))
    response = client.get(reverse("organization:section_invitations", args=[paris.s11.pk]))
    assert response.status_code == 200
    assert "Espace activé" in response.content.decode()
    assert activated.full_name in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organization:section_invite_all", args=[paris.s11.pk]), {"confirm": "on"}
        )
    assert response.status_code == 302
    # Tasks run at once in tests; the officers of the fixture have no e-mail-less record.
    invited = set(MemberInvitation.objects.values_list("member_id", flat=True))
    assert {m.pk for m in waiting} <= invited
    assert activated.pk not in invited
    # Another section's secretary does not reach this list.
    other = make_officer(paris.s15, Role.SECTION_SECRETARY)
    login(client, other)
    response = client.get(reverse("organization:section_invitations", args=[paris.s11.pk]))
    assert response.status_code == 404


# --- Sign-up with a verified e-mail ------------------------------------------------------


def _verified(user, email, verified=True):
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)


def test_signup_with_the_verified_email_of_one_member_links_it(client, paris):
    member = MemberFactory(section=paris.s11, email="Jeanne.Leroy@example.org")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "jeanne.leroy@example.org",
            "password1": "une phrase bien longue",
            "password2": "une phrase bien longue",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user is None, "never linked before the address is verified"
    confirmation = mail.outbox[-1]
    assert "Fédération de Paris" in confirmation.subject
    assert "127.0.0.1:8000" not in confirmation.body or "http" in confirmation.body
    link = re.search(r"https?://\S+/confirm-email/\S+/", confirmation.body).group(0)
    client.post(link)
    member.refresh_from_db()
    assert member.user is not None
    assert member.user.email == "jeanne.leroy@example.org"


def test_an_unverified_email_links_nothing(paris):
    member = MemberFactory(section=paris.s11, email="paul@example.org")
    user = UserFactory(email="paul@example.org")
    _verified(user, "paul@example.org", verified=False)
    result = invitations.link_verified_email(user=user, email="paul@example.org")
    assert result == invitations.LinkResult.UNVERIFIED
    member.refresh_from_db()
    assert member.user is None


def test_an_ambiguous_email_links_nothing_and_tells_the_section(
    paris, django_capture_on_commit_callbacks
):
    paris.s11.contact_email = "paris11@example.org"
    paris.s11.save()
    one = MemberFactory(section=paris.s11, email="famille@example.org")
    two = MemberFactory(section=paris.s11, email="famille@example.org")
    user = UserFactory(email="famille@example.org")
    _verified(user, "famille@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.link_verified_email(user=user, email="famille@example.org")
    assert result == invitations.LinkResult.AMBIGUOUS
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.user is None and two.user is None
    told = OutgoingMail.objects.get(to=["paris11@example.org"])
    assert "famille@example.org" not in told.body


# --- The member's home and section -------------------------------------------------------


def test_the_member_home_shows_section_officers_and_dues(client, paris):
    user = paris.user("member")
    member = user.member
    paris.s11.meeting_place = "Salle Jean-Jaurès, 12 rue de la Roquette"
    paris.s11.save()
    secretary = paris.user("secretary").member
    secretary.consent_share_contact = False
    secretary.save()
    paid(member, amount="42.50", paid_on=timezone.localdate())
    login(client, user)
    content = client.get(reverse("core:home")).content.decode()
    assert paris.s11.name in content
    assert "Salle Jean-Jaurès" in content
    assert secretary.full_name in content
    assert secretary.email not in content, "an officer who refused sharing keeps their e-mail"
    assert "42,50" in content
    # Nothing awaits this member: no panel claims or invents a task.
    assert "panel-kits_tasks" not in content and "panel-ballots_open" not in content


def test_ma_section_works_for_every_member(client, paris):
    login(client, paris.user("member"))
    response = client.get(reverse("organization:my_sections"))
    assert response.status_code == 200
    assert paris.s11.name in response.content.decode()
    login(client, UserFactory())
    response = client.get(reverse("organization:my_sections"))
    assert response.status_code == 200
    assert (
        "Aucune fiche" in response.content.decode() or "aucune fiche" in response.content.decode()
    )


# --- Consent kept everywhere -------------------------------------------------------------


@pytest.fixture
def hidden(paris):
    return MemberFactory(
        section=paris.s11,
        email=HIDDEN_EMAIL,
        phone=HIDDEN_PHONE,
        address="3 impasse Secrète",
        consent_share_contact=False,
    )


def test_no_officer_page_shows_a_hidden_email_or_phone(client, paris, hidden):
    login(client, paris.user("secretary"))
    urls = [
        reverse("organization:member_detail", args=[hidden.pk]),
        reverse("organization:member_edit", args=[hidden.pk]),
        reverse("organization:dues_record", args=[hidden.pk]),
        reverse("organization:transfer_request", args=[hidden.pk]),
        reverse("organization:member_resign", args=[hidden.pk]),
        reverse("organization:section_member_list", args=[paris.s11.pk]),
        reverse("organization:section_invitations", args=[paris.s11.pk]),
        reverse("organization:section_member_export", args=[paris.s11.pk, "csv"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8-sig")
        assert HIDDEN_EMAIL not in body, url
        assert HIDDEN_PHONE not in body, url
        assert "impasse Secrète" not in body, url


def test_search_never_matches_a_hidden_email(client, paris, hidden):
    login(client, paris.user("secretary"))
    url = reverse("organization:section_member_list", args=[paris.s11.pk])
    detail = reverse("organization:member_detail", args=[hidden.pk])
    response = client.get(url, {"q": "auger.1742@example"})
    assert detail not in response.content.decode()
    assert detail in client.get(url, {"q": hidden.last_name}).content.decode()
    # The federation, which may read it, finds the member.
    login(client, paris.user("first_secretary"))
    response = client.get(url, {"q": "auger.1742@example"})
    assert detail in response.content.decode()


def test_the_edit_form_keeps_hidden_fields_unless_replaced(client, paris, hidden):
    login(client, paris.user("secretary"))
    url = reverse("organization:member_edit", args=[hidden.pk])
    data = {
        "first_name": hidden.first_name,
        "last_name": "Nouveau-Nom",
        "email": "",
        "phone": "",
        "address": "",
        "postal_code": "",
        "city": "",
        "joined_on": hidden.joined_on.isoformat(),
        "status": hidden.status,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.last_name == "Nouveau-Nom"
    assert hidden.email == HIDDEN_EMAIL and hidden.phone == HIDDEN_PHONE
    assert hidden.consent_share_contact is False
    response = client.post(url, data | {"phone": "01 02 03 04 05"})
    hidden.refresh_from_db()
    assert hidden.phone == "01 02 03 04 05"
    assert hidden.email == HIDDEN_EMAIL


def test_only_the_member_or_the_federation_on_a_signed_form_changes_a_consent(paris, hidden):
    with pytest.raises(PermissionDenied):
        services.member_update(
            actor=paris.user("secretary"), member=hidden, consent_share_contact=True
        )
    hidden.refresh_from_db()
    assert hidden.consent_share_contact is False
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.member_update(
            actor=paris.user("first_secretary"), member=hidden, consent_share_contact=True
        )
    services.member_update(
        actor=paris.user("first_secretary"),
        member=hidden,
        consent_share_contact=True,
        consent_signed_form=True,
    )
    entry = AuditEntry.objects.filter(code="organization.member_update").latest("pk")
    assert entry.params["signed_form"] is True
    assert entry.changes["consent_share_contact"] == [False, True]


def test_the_add_form_starts_unticked_and_numbers_the_member(client, paris):
    login(client, paris.user("secretary"))
    url = reverse("organization:section_member_add", args=[paris.s11.pk])
    content = client.get(url).content.decode()
    assert 'name="membership_number"' not in content
    for name in ("consent_share_contact", "consent_newsletter"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', content).group(0)
        assert "checked" not in tag
    prefix = services.membership_prefix(services.federation_of(paris.s11))
    MemberFactory(section=paris.s11, membership_number=f"{prefix}000041")
    response = client.post(
        url,
        {
            "first_name": "Lucie",
            "last_name": "Numérotée",
            "joined_on": timezone.localdate().isoformat(),
            "status": Member.Status.ACTIVE,
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(last_name="Numérotée")
    # The federation's prefix, then the next number of its sequence.
    assert member.membership_number == f"{prefix}000042"
    assert member.consent_share_contact is False and member.consent_newsletter is False
    with pytest.raises(PermissionDenied):
        services.member_create(
            actor=paris.user("secretary"),
            section=paris.s11,
            membership_number="12345",
            first_name="A",
            last_name="B",
            joined_on=timezone.localdate(),
        )


# --- Access log --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("organization:member_edit", "organization.member_edit_view"),
        ("organization:dues_record", "organization.dues_view"),
        ("organization:transfer_request", "organization.transfer_view"),
        ("organization:member_resign", "organization.resign_view"),
    ],
)
def test_each_member_page_writes_one_access_log_row(client, paris, name, code):
    member = MemberFactory(section=paris.s11)
    login(client, paris.user("secretary"))
    before = AccessLog.objects.count()
    assert client.get(reverse(name, args=[member.pk])).status_code == 200
    rows = AccessLog.objects.filter(code=code, object_id=str(member.pk))
    assert rows.count() == 1
    assert AccessLog.objects.count() == before + 1
    assert str(rows.get().text)


def test_section_pages_write_an_access_log_row(client, paris):
    login(client, paris.user("secretary"))
    client.get(reverse("organization:section_dashboard", args=[paris.s11.pk]))
    client.get(reverse("organization:section_invitations", args=[paris.s11.pk]))
    codes = set(AccessLog.objects.values_list("code", flat=True))
    assert {"organization.section_dashboard", "organization.invitation_list"} <= codes


def test_after_erasure_no_trail_holds_the_name(client, paris, django_capture_on_commit_callbacks):
    member = MemberFactory(section=paris.s11, last_name="Effacée-Zzz")
    invitations.member_invite(actor=SYSTEM, member=member)
    login(client, paris.user("secretary"))
    client.get(reverse("organization:member_edit", args=[member.pk]))
    member.erasure_requested_at = timezone.now()
    member.save()
    personal_data.member_anonymise(actor=SYSTEM, member=member)
    for entry in [*AccessLog.objects.all(), *AuditEntry.objects.all()]:
        assert "Effacée-Zzz" not in str(entry.params) + str(entry.text)


# --- Mes données -------------------------------------------------------------------------


def test_the_personal_data_export_holds_registrations(client, paris):
    from fede.events.tests.factories import EventFactory, RegistrationFactory

    user = paris.user("member")
    event = EventFactory(organiser=paris.s11, title="Réunion de rentrée")
    RegistrationFactory(event=event, member=user.member)
    login(client, user)
    data = client.get(reverse("organization:my_data_export")).json()
    assert [r["event"] for r in data["registrations"]] == ["Réunion de rentrée"]
    content = client.get(reverse("organization:my_data")).content.decode()
    assert "Réunion de rentrée" in content


def test_an_erasure_request_can_be_withdrawn_until_processed(client, paris):
    user = paris.user("member")
    member = user.member
    personal_data.member_erasure_request(actor=user, member=member)
    login(client, user)
    client.post(reverse("organization:my_erasure_withdraw"))
    member.refresh_from_db()
    assert member.erasure_requested_at is None
    assert AuditEntry.objects.filter(code="organization.member_erasure_withdraw").exists()


def test_my_data_shows_amounts_and_dates_in_french(client, paris):
    user = paris.user("member")
    paid(user.member, year=2024, amount="30.50", paid_on=datetime.date(2024, 3, 14))
    login(client, user)
    content = client.get(reverse("organization:my_data")).content.decode()
    assert "30,50 €" in content
    assert "14 mars 2024" in content


def test_the_export_keeps_phone_numbers_intact(client, paris):
    MemberFactory(section=paris.s11, phone="+33 1 48 56 80 48", consent_share_contact=True)
    login(client, paris.user("secretary"))
    response = client.get(reverse("organization:section_member_export", args=[paris.s11.pk, "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    phones = [row[11] for row in csv.reader(io.StringIO(body), delimiter=";")][1:]
    assert "+33 1 48 56 80 48" in phones
