"""Screens of the federation: sections and their figures, create / edit / merge / close,
workplace sections, sections without premises, offices, access log."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from fede.core.audit import log_access
from fede.organization.models import Mandate, Member, Role, Transfer, Unit
from fede.organization.roles import can

from . import screens
from .factories import MemberFactory, make_section

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture
TODAY = timezone.localdate


def test_sections_list_key_figures(client, paris):
    """Members, % up to date and growth over 12 months, per section."""
    section = make_section(paris.federation, name="Paris 19 Belleville", code="S75-19-1")
    old = MemberFactory.create_batch(4, section=section, joined_on=datetime.date(2010, 5, 1))
    for member in old[:3]:
        screens.paid(member)
    MemberFactory.create_batch(2, section=section, joined_on=screens.days_ago(30))
    MemberFactory(
        section=section,
        status=Member.Status.RESIGNED,
        joined_on=datetime.date(2010, 5, 1),
        left_on=screens.days_ago(10),
    )
    response = screens.login(client, paris.user("first_secretary")).get(
        reverse("organization:federation_sections"), {"q": "Belleville"}
    )
    unit = response.context["page"].object_list[0]
    assert unit == section
    assert unit.members_count == 6
    assert unit.up_to_date_percent == 50  # 3 of 6
    assert unit.growth_12m == 2 - 1
    content = response.content.decode()
    assert "Paris 19 Belleville" in content and "50 %" in content and "+1" in content


def test_sections_list_filters_and_sorts(client, paris):
    """Workplace filter, closed sections, sort by members."""
    big = make_section(
        paris.federation,
        name="SNCF Gare de Lyon",
        section_kind=Unit.SectionKind.WORKPLACE,
        sector=Unit.Sector.TRANSPORT,
    )
    MemberFactory.create_batch(12, section=big)
    client = screens.login(client, paris.user("staff"))
    url = reverse("organization:federation_sections")
    page = client.get(url, {"kind": "workplace"}).context["page"]
    assert [u.name for u in page] == ["SNCF Gare de Lyon"]
    page = client.get(url, {"sort": "-members"}).context["page"]
    assert page.object_list[0] == big
    partial = client.get(url, {"sort": "-members"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="rows"')


def test_workplace_sections_grouped_by_sector(client, paris):
    """Workplace sections come grouped by sector, each with its members and growth."""
    for name, sector, n in [
        ("RATP Bus", Unit.Sector.TRANSPORT, 3),
        ("SNCF Austerlitz", Unit.Sector.TRANSPORT, 2),
        ("AP-HP Tenon", Unit.Sector.HEALTH, 4),
    ]:
        section = make_section(
            paris.federation, name=name, section_kind=Unit.SectionKind.WORKPLACE, sector=sector
        )
        MemberFactory.create_batch(n, section=section, joined_on=screens.days_ago(20))
    response = screens.login(client, paris.user("federal_secretary")).get(
        reverse("organization:federation_workplace")
    )
    sectors = {s["code"]: s for s in response.context["sectors"]}
    assert sectors["transport"]["members"] == 5 and sectors["transport"]["growth"] == 5
    assert [u.name for u in sectors["transport"]["units"]] == ["RATP Bus", "SNCF Austerlitz"]
    assert sectors["health"]["members"] == 4
    content = response.content.decode()
    assert "Transports" in content and "Santé, hôpitaux" in content


def test_sections_without_premises(client, paris):
    """Only open sections without premises are listed, with their meeting place."""
    make_section(paris.federation, name="Sans toit", has_premises=False, meeting_place="Café")
    closed = make_section(paris.federation, name="Fermée sans toit", has_premises=False)
    closed.is_active = False
    closed.save()
    response = screens.login(client, paris.user("staff")).get(
        reverse("organization:federation_no_premises")
    )
    content = response.content.decode()
    assert "Sans toit" in content and "Café" in content
    assert "Fermée sans toit" not in content
    assert "Paris 11" not in content


def test_create_section(client, paris):
    """The federation creates a section under itself; errors are in French."""
    client = screens.login(client, paris.user("staff"))
    url = reverse("organization:section_create")
    data = {
        "parent": paris.federation.pk,
        "name": "EDF Paris",
        "code": "SE75-9",
        "section_kind": "workplace",
        "sector": "",
        "has_premises": "",
    }
    response = client.post(url, data)
    assert "Indiquez le secteur" in response.content.decode()
    assert not Unit.objects.filter(code="SE75-9").exists()
    data["sector"] = "energy"
    response = client.post(url, data)
    unit = Unit.objects.get(code="SE75-9")
    assert response["Location"] == unit.get_absolute_url()
    assert unit.parent == paris.federation and unit.path.startswith(paris.federation.path)
    assert unit.is_workplace and not unit.has_premises
    data["name"] = "Doublon"
    assert "déjà utilisé" in client.post(url, data).content.decode()


def test_section_officer_edits_only_presentation_and_contact(client, paris):
    """A section secretary changes the meeting place but not the name or the code."""
    url = reverse("organization:section_edit", args=[paris.s11.pk])
    client = screens.login(client, paris.user("secretary"))
    response = client.post(
        url,
        {
            "name": "Renommée",
            "code": "PIRATE",
            "meeting_place": "Maison des métallos",
            "has_premises": "on",
        },
    )
    assert response.status_code == 302
    paris.s11.refresh_from_db()
    assert paris.s11.meeting_place == "Maison des métallos"
    assert paris.s11.name == "Paris 11 Folie-Méricourt" and paris.s11.code == "S75-11-1"


def test_merge_through_the_screen(client, paris):
    """Merging from the screen moves members with a transfer each and closes the source."""
    source = make_section(paris.federation, name="Paris 2")
    members = MemberFactory.create_batch(3, section=source)
    url = reverse("organization:section_merge", args=[source.pk])
    client = screens.login(client, paris.user("first_secretary"))
    assert "3 personnes" in client.get(url).content.decode()
    response = client.post(url, {"target": paris.s11.pk, "reason": "Regroupement"})
    assert "Ce champ est obligatoire" in response.content.decode()  # confirmation missing
    assert source.members.count() == 3
    response = client.post(url, {"target": paris.s11.pk, "reason": "Regroupement", "confirm": "on"})
    assert response.status_code == 302
    source.refresh_from_db()
    assert not source.is_active and source.merged_into == paris.s11
    for member in members:
        member.refresh_from_db()
        assert member.section == paris.s11
    transfers = Transfer.objects.filter(from_unit=source, to_unit=paris.s11, status="approved")
    assert transfers.count() == 3
    assert {t.decided_by for t in transfers} == {paris.user("first_secretary")}


def test_close_refused_while_members_are_active(client, paris):
    """Closing a section with active members shows why, and changes nothing."""
    MemberFactory(section=paris.s15)
    url = reverse("organization:section_close", args=[paris.s15.pk])
    client = screens.login(client, paris.user("staff"))
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    assert "transférez-les ou fusionnez la section" in response.content.decode()
    paris.s15.refresh_from_db()
    assert paris.s15.is_active


def test_close_an_empty_section(client, paris):
    """An empty section closes and leaves the list of open sections."""
    empty = make_section(paris.federation, name="Paris 1 Vide")
    client = screens.login(client, paris.user("staff"))
    response = client.post(
        reverse("organization:section_close", args=[empty.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    empty.refresh_from_db()
    assert not empty.is_active
    url = reverse("organization:federation_sections")
    assert empty not in client.get(url).context["page"].object_list
    assert empty in client.get(url, {"state": "closed"}).context["page"].object_list


def test_appoint_by_search_and_number_then_end(client, paris):
    """Find a member by search, appoint them treasurer of the 11e, then end the office."""
    member = MemberFactory(section=paris.s11, last_name="Nouvelle", membership_number="7511777")
    client = screens.login(client, paris.user("first_secretary"))
    url = reverse("organization:mandate_create")
    results = client.get(url, {"q": "nouvelle"}, HTTP_HX_REQUEST="true").content.decode()
    assert results.lstrip().startswith('<div id="results"')
    assert f"?member={member.pk}" in results
    form = client.get(url, {"member": member.pk}).content.decode()
    assert 'value="7511777"' in form
    response = client.post(
        url,
        {
            "membership_number": "7511777",
            "role": Role.SECTION_TREASURER,
            "unit": paris.s11.pk,
            "portfolio": "",
            "start": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get(member=member)
    assert mandate.role == Role.SECTION_TREASURER and mandate.unit == paris.s11

    response = client.post(
        reverse("organization:mandate_end", args=[mandate.pk]), {"end": TODAY().isoformat()}
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.end == TODAY()


def test_appoint_refuses_unknown_or_out_of_scope_numbers(client, paris):
    """A number that does not exist in the scope is refused next to the field."""
    client = screens.login(client, paris.user("staff"))
    response = client.post(
        reverse("organization:mandate_create"),
        {
            "membership_number": "000",
            "role": Role.SECTION_SECRETARY,
            "unit": paris.s11.pk,
            "start": TODAY().isoformat(),
        },
    )
    assert "Aucun·e adhérent·e avec ce numéro dans votre périmètre." in response.content.decode()
    assert Mandate.objects.count() == 6


def test_appointment_grants_access(client, paris):
    """A member appointed secretary of the 15e then reads the 15e's members."""
    member = MemberFactory(section=paris.s15, membership_number="7515555")
    member.user = screens.UserFactory()
    member.save()
    screens.login(client, paris.user("staff")).post(
        reverse("organization:mandate_create"),
        {
            "membership_number": "7515555",
            "role": Role.SECTION_SECRETARY,
            "unit": paris.s15.pk,
            "start": TODAY().isoformat(),
        },
    )
    user = get_user_model().objects.get(pk=member.user_id)
    assert can(user, "members.view", paris.s15)


def test_access_log_filters(client, paris):
    """The access log filters by author, action and date."""
    secretary = paris.user("secretary")
    log_access(
        actor=secretary,
        action="export",
        code="organization.member_export",
        params={"unit": "Export A", "format": "csv"},
        scope=paris.s11,
        row_count=12,
    )
    log_access(
        actor=paris.user("treasurer"),
        action="list",
        code="organization.member_list",
        params={"unit": "Liste B"},
        scope=paris.s11,
        row_count=3,
    )
    client = screens.login(client, paris.user("staff"))
    url = reverse("organization:access_log")
    content = client.get(url, {"actor": secretary.email}).content.decode()
    assert "Export A" in content and "Liste B" not in content
    content = client.get(url, {"action": "list"}).content.decode()
    assert "Liste B" in content and "Export A" not in content
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    content = client.get(url, {"date_from": tomorrow}).content.decode()
    assert "Export A" not in content and "Aucune entrée" in content
    content = client.get(url, {"date_from": TODAY().isoformat(), "date_to": TODAY().isoformat()})
    assert "Export A" in content.content.decode()
