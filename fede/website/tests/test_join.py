"""Joining: the form, the e-mail confirmation, the officers' decisions and the retention."""

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AuditEntry, OutgoingMail
from fede.organization.models import Member, MemberInvitation
from fede.organization.tests.factories import make_member_user
from fede.website import selectors, services
from fede.website.models import JoinRequest

from .conftest import join_data

pytestmark = pytest.mark.django_db


def confirm_link(mail: OutgoingMail) -> str:
    return re.search(r"https?://\S+/adherer/confirmer/\S+/", mail.body).group(0)


def send_request(client, **overrides) -> JoinRequest:
    response = client.post(reverse("website:join"), join_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return JoinRequest.objects.latest("pk")


def confirmed_request(client, **overrides) -> JoinRequest:
    join_request = send_request(client, **overrides)
    mail = OutgoingMail.objects.get(to=[join_request.email])
    client.post(confirm_link(mail).split("testserver")[-1].replace("http://127.0.0.1:8000", ""))
    join_request.refresh_from_db()
    return join_request


# --- Postcode → section ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode,number",
    [
        ("75011", 11),
        ("75001", 1),
        ("75020", 20),
        ("75116", 16),
        ("75 016", 16),
        ("75021", None),
        ("92100", None),
        ("7501", None),
    ],
)
def test_postcode_to_arrondissement(postcode, number):
    assert selectors.arrondissement_of_postcode(postcode) == number


def test_postcode_75116_proposes_the_16th(site):
    assert selectors.proposed_section("75116") == site["p16"]
    assert selectors.proposed_section("75011") == site["p11"]  # the first of the 11e
    assert selectors.proposed_section("92100") is None


# --- The form --------------------------------------------------------------------------------


def test_join_sends_a_confirmation_mail_and_nothing_to_officers_yet(client, site):
    page = client.get(reverse("website:join")).content.decode()
    assert 'type="checkbox" name="consent_data"' in page and "checked" not in page
    join_request = send_request(client, postal_code="75116")
    assert join_request.section == site["p16"]
    assert join_request.status == JoinRequest.Status.UNCONFIRMED
    (mail,) = OutgoingMail.objects.all()
    assert mail.to == ["camille@example.org"]
    assert "/adherer/confirmer/" in mail.body
    [html] = mail.alternatives
    assert html["mimetype"] == "text/html" and f'href="{confirm_link(mail)}"' in html["content"]
    entry = AuditEntry.objects.get(code="website.join_create")
    assert "Rousseau" not in str(entry.params)


def test_join_outside_paris_needs_a_chosen_section(client, site):
    response = client.post(reverse("website:join"), join_data(postal_code="92100"))
    assert response.status_code == 400
    assert "est proposée pour ce code postal" in response.content.decode()
    assert not JoinRequest.objects.exists()
    join_request = send_request(client, postal_code="92100", section=str(site["work"].pk))
    assert join_request.section == site["work"]


def test_join_needs_both_consents(client, site):
    data = join_data()
    del data["consent_data"]
    response = client.post(reverse("website:join"), data)
    assert response.status_code == 400 and not JoinRequest.objects.exists()


def test_join_honeypot_writes_nothing(client, site):
    response = client.post(reverse("website:join"), join_data(site_web="http://spam.example"))
    assert response.status_code == 302
    assert not JoinRequest.objects.exists() and not OutgoingMail.objects.exists()


def test_join_is_rate_limited_per_address(client, site):
    for n in range(5):
        send_request(client, email=f"personne{n}@example.org")
    response = client.post(reverse("website:join"), join_data(email="sixieme@example.org"))
    assert response.status_code == 429
    assert "Trop de messages envoyés depuis cette connexion" in response.content.decode()
    assert JoinRequest.objects.count() == 5
    assert not JoinRequest.objects.filter(email="sixieme@example.org").exists()


# --- Confirmation ----------------------------------------------------------------------------


def test_confirmation_link_get_changes_nothing_post_confirms_once(client, site):
    join_request = send_request(client)
    path = confirm_link(OutgoingMail.objects.get()).split("8000")[-1]
    page = client.get(path)
    assert page.status_code == 200 and "Confirmer ma demande" in page.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.UNCONFIRMED
    response = client.post(path)
    assert "Demande confirmée" in response.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING and join_request.confirmed_at
    officers = OutgoingMail.objects.filter(to=["secretaire11@example.org"])
    assert officers.count() == 1 and join_request.get_absolute_url() in officers.get().body
    assert "Camille" not in officers.get().subject
    # Single use.
    again = client.get(path)
    assert again.status_code == 404 and "Ce lien ne fonctionne plus" in again.content.decode()
    assert client.post(path).status_code == 404


def test_confirmation_link_expires(client, site):
    join_request = send_request(client)
    token = services.confirm_token(join_request)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=services.CONFIRM_DAYS + 1)):
        assert services.join_request_from_token(token) is None
    assert services.join_request_from_token(token + "x") is None
    forged = signing.dumps({"j": join_request.pk}, salt="other")
    assert services.join_request_from_token(forged) is None


# --- Officers ---------------------------------------------------------------------------------


def test_requests_list_is_scoped_to_the_officers_sections(client, site, django_assert_num_queries):
    confirmed_request(client, email="a@example.org")
    confirmed_request(client, email="b@example.org", first_name="Zoé")
    confirmed_request(client, email="c@example.org", postal_code="75116", first_name="Yann")
    client.force_login(site["sec11"])
    # session, user (offices and MFA state come with the session), count, rows
    with django_assert_num_queries(4):
        response = client.get(reverse("website:join_requests"))
    html = response.content.decode()
    assert html.count("Camille Rousseau") == 1 and "Zoé Rousseau" in html
    assert "Yann" not in html


def test_a_lyon_officer_gets_404_on_a_paris_request(client, site):
    join_request = confirmed_request(client)
    client.force_login(site["lyon_sec"])
    assert client.get(join_request.get_absolute_url()).status_code == 404
    url = reverse("website:join_request_accept", args=[join_request.pk])
    assert client.post(url).status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_another_paris_secretary_gets_404_too(client, site):
    join_request = confirmed_request(client)
    client.force_login(site["sec16"])
    assert client.get(join_request.get_absolute_url()).status_code == 404


def test_a_plain_member_is_refused_the_requests_list(client, site):
    client.force_login(make_member_user(site["p11"]))
    assert client.get(reverse("website:join_requests")).status_code == 403


def test_accept_creates_the_member_and_sends_the_activation_invitation(client, site):
    join_request = confirmed_request(client, phone="06 12 34 56 78")
    client.force_login(site["sec11"])
    response = client.post(reverse("website:join_request_accept", args=[join_request.pk]))
    assert response.status_code == 302
    join_request.refresh_from_db()
    member = Member.objects.get(email="camille@example.org")
    assert join_request.status == JoinRequest.Status.ACCEPTED and join_request.member == member
    assert member.section == site["p11"] and member.phone == "06 12 34 56 78"
    assert MemberInvitation.objects.filter(member=member).exists()
    to_applicant = OutgoingMail.objects.filter(to=["camille@example.org"]).order_by("pk")
    subjects = [m.subject for m in to_applicant]
    assert any("Activez votre espace" in s for s in subjects)
    assert any("Bienvenue" in s for s in subjects)
    assert AuditEntry.objects.filter(code="website.join_accept", actor=site["sec11"]).exists()
    # Decided once.
    client.post(reverse("website:join_request_accept", args=[join_request.pk]))
    assert Member.objects.filter(email="camille@example.org").count() == 1


def test_redirect_moves_the_request_and_tells_everyone(client, site):
    join_request = confirmed_request(client)
    client.force_login(site["sec11"])
    url = reverse("website:join_request_redirect", args=[join_request.pk])
    lyon = client.post(url, {"section": site["l1"].pk, "note": "x"})
    assert lyon.status_code == 400
    response = client.post(url, {"section": site["p16"].pk, "note": "Il habite en fait Auteuil."})
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.section == site["p16"] and join_request.redirected_from == site["p11"]
    assert join_request.status == JoinRequest.Status.PENDING
    assert OutgoingMail.objects.filter(to=["secretaire16@example.org"]).exists()
    told = OutgoingMail.objects.filter(to=["camille@example.org"]).latest("pk")
    assert "Paris 16 – Auteuil" in told.body and "Il habite en fait Auteuil." in told.body
    [html] = told.alternatives
    assert html["mimetype"] == "text/html" and "Il habite en fait Auteuil." in html["content"]
    # The 11e no longer reaches it; the 16e does.
    assert client.get(join_request.get_absolute_url()).status_code == 404
    client.force_login(site["sec16"])
    assert client.get(join_request.get_absolute_url()).status_code == 200


def test_decline_tells_the_applicant(client, site):
    join_request = confirmed_request(client)
    client.force_login(site["sec11"])
    url = reverse("website:join_request_decline", args=[join_request.pk])
    client.post(url, {"decline-note": "Merci de reprendre contact après la réunion."})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    told = OutgoingMail.objects.filter(to=["camille@example.org"]).latest("pk")
    assert "Merci de reprendre contact" in told.body
    [html] = told.alternatives
    assert html["mimetype"] == "text/html" and "Merci de reprendre contact" in html["content"]
    assert not Member.objects.filter(email="camille@example.org").exists()


def test_retention_purges_old_unconfirmed_and_declined_requests(client, site):
    old = send_request(client, email="vieux@example.org")
    fresh = send_request(client, email="recent@example.org")
    pending = confirmed_request(client, email="attente@example.org")
    JoinRequest.objects.filter(pk__in=[old.pk, pending.pk]).update(
        updated_at=timezone.now() - datetime.timedelta(days=200)
    )
    assert services.join_requests_purge(actor=SYSTEM) == 1
    assert set(JoinRequest.objects.values_list("pk", flat=True)) == {fresh.pk, pending.pk}


def test_personal_data_export_lists_the_requests(client, site):
    confirmed_request(client)
    user = make_member_user(site["p11"])
    user.email = "camille@example.org"
    data = selectors.personal_data_of(user, user.member)
    assert data["Demandes d'adhésion"][0]["nom"] == "Rousseau"
