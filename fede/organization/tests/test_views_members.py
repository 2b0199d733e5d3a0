"""Screens of section officers: member list, member page, add, edit, dues, transfer,
resignation, dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.organization import services
from fede.organization.models import DuesPayment, Member, Transfer

from . import screens
from .factories import MemberFactory, make_officer, make_section

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture

YEAR = timezone.localdate().year


def rows(response) -> int:
    return response.content.decode().count('<th scope="row">')


# --- Member list ---------------------------------------------------------------------------


def test_search_by_name_email_and_number(client, paris):
    """The list finds a member by name, first and last name together, e-mail or number."""
    target = MemberFactory(
        section=paris.s11,
        first_name="Louise",
        last_name="Quichotte",
        email="louise@commune.example",
        membership_number="7518711",
    )
    MemberFactory.create_batch(3, section=paris.s11)
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:member_list")
    for q in ["quich", "Louise Quichotte", "commune.example", "7518711"]:
        response = client.get(url, {"q": q})
        content = response.content.decode()
        assert target.get_absolute_url() in content, q
        assert rows(response) == 1, q


def test_filters_status_and_dues(client, paris):
    """Status and dues-year filters narrow the list."""
    up = MemberFactory(section=paris.s11, last_name="Payeur")
    screens.paid(up)
    late = MemberFactory(section=paris.s11, last_name="Retardataire")
    screens.paid(late, year=YEAR - 2)
    gone = MemberFactory(section=paris.s11, last_name="Parti", status=Member.Status.RESIGNED)
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:section_member_list", args=[paris.s11.pk])

    content = client.get(url, {"dues": "paid", "dues_year": YEAR}).content.decode()
    assert "PAYEUR" in content and "RETARDATAIRE" not in content

    content = client.get(url, {"dues": "unpaid", "dues_year": YEAR, "status": "active"})
    content = content.content.decode()
    assert "RETARDATAIRE" in content and "PAYEUR" not in content and "PARTI" not in content

    content = client.get(url, {"dues": "paid", "dues_year": YEAR - 2}).content.decode()
    assert "RETARDATAIRE" in content and "PAYEUR" not in content

    content = client.get(url, {"status": "resigned"}).content.decode()
    assert gone.get_absolute_url() in content and "PAYEUR" not in content


def test_sort_by_number_and_joined_on(client, paris):
    """The list sorts by name (default), number and date of joining."""
    a = MemberFactory(
        section=paris.s11,
        last_name="Zola",
        membership_number="001",
        joined_on=datetime.date(2001, 1, 1),
    )
    b = MemberFactory(
        section=paris.s11,
        last_name="Aragon",
        membership_number="999",
        joined_on=datetime.date(2020, 1, 1),
    )
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:section_member_list", args=[paris.s11.pk])

    def order(**params):
        content = client.get(url, params).content.decode()
        return content.index(a.get_absolute_url()) < content.index(b.get_absolute_url())

    assert not order()  # Aragon before Zola
    assert order(sort="number")
    assert order(sort="joined")
    assert not order(sort="-joined")


def test_pagination_fifty_per_page(client, paris):
    """Fifty members a page; the pager links keep a real href and an hx-get."""
    MemberFactory.create_batch(55, section=paris.s11)
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:section_member_list", args=[paris.s11.pk])
    first = client.get(url)
    assert rows(first) == 50
    content = first.content.decode()
    assert 'href="?page=2"' in content and 'hx-get="?page=2"' in content
    assert "Page 1 sur 2" in content
    second = client.get(url, {"page": 2})
    assert rows(second) == paris.s11.members.count() - 50  # officers are members too
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_htmx_partial_renders_only_the_rows(client, paris):
    """An htmx request gets the #rows partial; a history restore gets the whole page."""
    MemberFactory(section=paris.s11, last_name="Partiel")
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:member_list") + "?q=partiel"
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="rows"')
    assert "PARTIEL" in partial and "<h1" not in partial
    full = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<h1" in full.content.decode()
    page = client.get(url).content.decode()
    assert 'hx-get="/organisation/adherents/"' in page and 'hx-push-url="true"' in page


def test_list_reads_are_logged(client, paris):
    """Each list page read is logged with its number of rows."""
    MemberFactory.create_batch(3, section=paris.s11)
    user = paris.user("secretary")
    screens.login(client, user).get(
        reverse("organization:section_member_list", args=[paris.s11.pk]), {"q": ""}
    )
    entry = AccessLog.objects.get(action="list")
    assert entry.actor == user
    assert entry.row_count == paris.s11.members.count()
    assert entry.object_id == str(paris.s11.pk)


def test_contact_details_only_with_consent_or_for_the_federation(client, paris):
    """A section officer sees contact details only of members who agreed; the federation
    sees them all."""
    MemberFactory(section=paris.s11, email="oui@example.org", consent_share_contact=True)
    MemberFactory(section=paris.s11, email="non@example.org", consent_share_contact=False)
    url = reverse("organization:section_member_list", args=[paris.s11.pk])
    content = screens.login(client, paris.user("secretary")).get(url).content.decode()
    assert "oui@example.org" in content and "non@example.org" not in content
    content = screens.login(client, paris.user("staff")).get(url).content.decode()
    assert "oui@example.org" in content and "non@example.org" in content


# --- Member page ---------------------------------------------------------------------------


def test_member_page_shows_history_and_actions(client, paris):
    """The member page shows dues, transfers and offices, and the actions of the role."""
    secretary = paris.user("secretary")
    member = secretary.member
    screens.paid(member, year=YEAR - 1, amount=Decimal("24.00"))
    transfer = services.transfer_request(
        actor=SYSTEM, member=member, to_unit=paris.s15, reason="Travail"
    )
    services.transfer_decide(
        transfer=transfer, approve=False, actor=paris.user("staff"), note="Attendre"
    )
    response = screens.login(client, paris.user("secretary")).get(member.get_absolute_url())
    content = response.content.decode()
    assert "24.00 €" in content or "24,00 €" in content
    assert "Refusé" in content and "Attendre" in content
    assert "Secrétaire de section" in content
    assert reverse("organization:dues_record", args=[member.pk]) in content
    assert reverse("organization:member_edit", args=[member.pk]) in content
    assert AccessLog.objects.filter(action="view", object_id=str(member.pk)).exists()
    # A treasurer records dues but does not edit the file.
    content = screens.login(client, paris.user("treasurer")).get(member.get_absolute_url())
    content = content.content.decode()
    assert reverse("organization:dues_record", args=[member.pk]) in content
    assert reverse("organization:member_edit", args=[member.pk]) not in content


# --- Add and edit --------------------------------------------------------------------------


def _member_data(**extra):
    data = {
        "membership_number": "7511999",
        "first_name": "Jean",
        "last_name": "Jaurès",
        "email": "jean@example.org",
        "joined_on": timezone.localdate().isoformat(),
        "status": "active",
        "consent_share_contact": "on",
    }
    data.update(extra)
    return data


def test_add_member_to_own_section_ignores_section_and_login(client, paris):
    """The section of the URL is kept whatever is posted; the login is never set."""
    user = paris.user("secretary")
    url = reverse("organization:section_member_add", args=[paris.s11.pk])
    response = screens.login(client, user).post(
        url, _member_data(section=paris.s15.pk, user=paris.user("member").pk)
    )
    # A section officer does not choose the number: it is assigned (federation prefix).
    member = Member.objects.get(last_name=_member_data()["last_name"])
    assert response.status_code == 302 and response["Location"] == member.get_absolute_url()
    assert member.membership_number != "7511999"
    assert member.section == paris.s11
    assert member.user is None


def test_add_member_from_global_list_only_to_managed_sections(client, paris):
    """Picking another section on the general form is refused; nothing is written."""
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:member_add")
    response = client.post(url, _member_data(section=paris.s15.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Member.objects.filter(last_name=_member_data()["last_name"]).exists()
    response = client.post(url, _member_data(section=paris.s11.pk))
    assert response.status_code == 302
    assert Member.objects.get(last_name=_member_data()["last_name"]).section == paris.s11


def test_add_member_errors_are_in_french_next_to_fields(client, paris):
    """A taken number and a bad e-mail are reported on their fields (the number is
    chosen by the federation only: section officers get the next one)."""
    MemberFactory(section=paris.s15, membership_number="7511999")
    url = reverse("organization:section_member_add", args=[paris.s11.pk])
    response = screens.login(client, paris.user("first_secretary")).post(
        url, _member_data(email="pas-un-email")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce numéro d&#x27;adhérent·e est déjà attribué." in content
    assert "Saisissez une adresse de courriel valide." in content
    assert 'aria-invalid="true"' in content
    assert Member.objects.filter(membership_number="7511999").count() == 1


def test_section_officer_cannot_exclude_or_renumber(client, paris):
    """A secretary cannot set "excluded" nor change the number; the federation can."""
    member = MemberFactory(section=paris.s11, membership_number="111", last_name="Durand")
    url = reverse("organization:member_edit", args=[member.pk])
    client = screens.login(client, paris.user("secretary"))
    response = client.post(url, _member_data(membership_number="222", status="excluded"))
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    response = client.post(url, _member_data(membership_number="222", last_name="Dupuis"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.last_name == "Dupuis" and member.membership_number == "111"

    client = screens.login(client, paris.user("staff"))
    response = client.post(url, _member_data(membership_number="222", status="excluded"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.EXCLUDED and member.membership_number == "222"
    assert member.left_on == timezone.localdate()


# --- Dues ----------------------------------------------------------------------------------


def _dues(year=YEAR, amount="30"):
    return {
        "year": year,
        "amount": amount,
        "paid_on": timezone.localdate().isoformat(),
        "method": "cheque",
    }


def test_record_dues(client, paris):
    """The treasurer records this year's dues; the member is then up to date."""
    member = MemberFactory(section=paris.s11)
    url = reverse("organization:dues_record", args=[member.pk])
    client = screens.login(client, paris.user("treasurer"))
    form = client.get(url).content.decode()
    assert f'value="{YEAR}"' in form
    response = client.post(url, _dues())
    assert response.status_code == 302
    payment = DuesPayment.objects.get(member=member)
    assert payment.year == YEAR and payment.amount == Decimal("30")
    assert payment.recorded_by == paris.user("treasurer")
    assert "à jour" in client.get(member.get_absolute_url()).content.decode()


def test_duplicate_dues_year_shows_error_and_writes_nothing(client, paris):
    """A second payment for the year: French error next to the year field, no new row."""
    member = MemberFactory(section=paris.s11)
    screens.paid(member, amount=Decimal("30"))
    url = reverse("organization:dues_record", args=[member.pk])
    response = screens.login(client, paris.user("secretary")).post(url, _dues(amount="50"))
    content = response.content.decode()
    assert response.status_code == 200
    assert f"La cotisation {YEAR} de cet·te adhérent·e est déjà enregistrée." in content
    assert 'id="id_year"' in content and "is-invalid" in content
    assert DuesPayment.objects.filter(member=member).count() == 1
    assert DuesPayment.objects.get(member=member).amount == Decimal("30")


def test_dues_in_the_future_or_negative_are_refused(client, paris):
    """A future date or a zero amount are refused with a French message."""
    member = MemberFactory(section=paris.s11)
    url = reverse("organization:dues_record", args=[member.pk])
    client = screens.login(client, paris.user("secretary"))
    data = _dues()
    data["paid_on"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert "ne peut pas être future" in client.post(url, data).content.decode()
    assert "doit être positif" in client.post(url, _dues(amount="0")).content.decode()
    assert not DuesPayment.objects.filter(member=member).exists()


# --- Transfers -----------------------------------------------------------------------------


def test_transfer_request_seen_by_receiving_section_and_approved(client, paris):
    """The 11e asks; the 15e sees the arrival on its dashboard; the federation approves."""
    member = MemberFactory(section=paris.s11, first_name="Rosa", last_name="Voyageuse")
    client = screens.login(client, paris.user("secretary"))
    response = client.post(
        reverse("organization:transfer_request", args=[member.pk]),
        {"to_unit": paris.s15.pk, "reason": "Déménagement dans le 15e"},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(member=member)
    assert transfer.status == Transfer.Status.REQUESTED

    receiving = make_officer(paris.s15, "section_secretary")
    dashboard = screens.login(client, receiving).get(paris.s15.get_absolute_url())
    assert "Rosa Voyageuse" in dashboard.content.decode()
    # The receiving section sees the request, not the member's file.
    assert screens.login(client, receiving).get(member.get_absolute_url()).status_code == 404

    client = screens.login(client, paris.user("staff"))
    url = reverse("organization:transfer_decide", args=[transfer.pk])
    assert "Déménagement dans le 15e" in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "note": "Bienvenue"})
    assert response.status_code == 302
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.section == paris.s15
    assert transfer.status == Transfer.Status.APPROVED
    assert transfer.decided_by == paris.user("staff")
    assert transfer.decision_note == "Bienvenue"
    # The 11e no longer reaches the member.
    response = screens.login(client, paris.user("secretary")).get(member.get_absolute_url())
    assert response.status_code == 404


def test_second_transfer_request_is_refused(client, paris):
    """While a request is open, another one is refused with a message."""
    member = MemberFactory(section=paris.s11)
    services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    response = screens.login(client, paris.user("secretary")).post(
        reverse("organization:transfer_request", args=[member.pk]),
        {"to_unit": paris.s15.pk, "reason": "Encore"},
    )
    assert "déjà en cours" in response.content.decode()
    assert Transfer.objects.filter(member=member).count() == 1


def test_transfer_refused_with_a_note(client, paris):
    """The federation refuses; the member stays and the note is kept."""
    member = MemberFactory(section=paris.s11)
    transfer = services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    client = screens.login(client, paris.user("first_secretary"))
    url = reverse("organization:transfer_decide", args=[transfer.pk])
    client.post(url, {"decision": "refuse", "note": "Motif insuffisant"})
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.status == Transfer.Status.REFUSED
    assert member.section == paris.s11
    assert "Motif insuffisant" in client.get(member.get_absolute_url()).content.decode()


def test_requesting_section_withdraws_its_request(client, paris):
    """The secretary who asked can withdraw the open request (POST only)."""
    member = MemberFactory(section=paris.s11)
    transfer = services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:transfer_cancel", args=[transfer.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED


# --- Resignation ---------------------------------------------------------------------------


def test_resignation_needs_confirmation(client, paris):
    """The resignation page asks for confirmation; without it nothing changes."""
    member = MemberFactory(section=paris.s11)
    url = reverse("organization:member_resign", args=[member.pk])
    client = screens.login(client, paris.user("secretary"))
    assert "Confirmer la démission" in client.get(url).content.decode()
    response = client.post(url, {"left_on": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    response = client.post(url, {"left_on": timezone.localdate().isoformat(), "confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.RESIGNED
    assert member.left_on == timezone.localdate()


# --- Dashboard -----------------------------------------------------------------------------


def test_dashboard_figures(client, paris):
    """The dashboard counts members, up to date, new this year, lapsed and officers."""
    section = make_section(paris.federation, name="Paris 13")
    officer = make_officer(section, "section_secretary")
    up = MemberFactory.create_batch(3, section=section)
    for member in up:
        screens.paid(member)
    MemberFactory(section=section, status=Member.Status.LAPSED, joined_on=datetime.date(2015, 1, 1))
    MemberFactory(section=section, joined_on=datetime.date(2015, 1, 1))
    response = screens.login(client, officer).get(section.get_absolute_url())
    figures = response.context["figures"]
    # 3 paid + 1 unpaid + the officer = 5 active; the factories join 400 days ago
    assert figures["members"] == 5
    assert figures["up_to_date"] == 3
    assert figures["lapsed"] == 1
    assert figures["up_to_date_percent"] == 60
    content = response.content.decode()
    assert officer.member.full_name in content
    assert "Secrétaire de section" in content


def test_my_sections_goes_to_the_only_section(client, paris):
    """ "Ma section" opens the dashboard of an officer's section directly."""
    response = screens.login(client, paris.user("secretary")).get(
        reverse("organization:my_sections")
    )
    assert response.status_code == 302
    assert response["Location"] == paris.s11.get_absolute_url()


def test_navigation_follows_capabilities(client, paris):
    """The menu shows "Ma section"/"Adhérents" to officers and "Fédération" to the
    federation only."""
    home = reverse("core:home")
    content = screens.login(client, paris.user("secretary")).get(home).content.decode()
    assert reverse("organization:member_list") in content
    assert reverse("organization:federation_sections") not in content
    content = screens.login(client, paris.user("staff")).get(home).content.decode()
    assert reverse("organization:federation_sections") in content
    content = screens.login(client, paris.user("member")).get(home).content.decode()
    assert reverse("organization:member_list") not in content


def test_a_wrong_filter_keeps_the_others(client, paris):
    """A malformed year in the address does not drop the search."""
    MemberFactory(section=paris.s11, last_name="Quichotte")
    MemberFactory.create_batch(3, section=paris.s11)
    response = screens.login(client, paris.user("secretary")).get(
        reverse("organization:member_list"), {"q": "quichotte", "dues_year": "abc"}
    )
    assert response.status_code == 200
    assert rows(response) == 1
