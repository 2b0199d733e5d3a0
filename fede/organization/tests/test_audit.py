"""One authorisation path: services check the actor, write the audit trail, and the
journals show each reader only the entries of their own scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from fede.core.access import SYSTEM
from fede.core.audit import log_access
from fede.core.models import AccessLog, AuditEntry
from fede.organization import services
from fede.organization.models import DuesPayment, Mandate, Member, Role, Transfer, Unit
from fede.organization.personal_data import member_anonymise

from . import screens
from .factories import MemberFactory, make_federation, make_officer, make_section

TODAY = timezone.localdate
paris = screens.paris  # fixture


def _entry(code, obj):
    return AuditEntry.objects.about(obj).get(code=code)


# --- Audit entries of each sensitive write ---------------------------------------------------


def test_member_create_and_update_are_audited_with_their_changes(paris):
    """Adding and editing a member leave entries: author, action, member id, fields."""
    secretary = paris.user("secretary")
    member = services.member_create(
        actor=secretary,
        section=paris.s11,
        first_name="Aude",
        last_name="Cazaux-qq",
        joined_on=TODAY(),
    )
    created = _entry("organization.member_create", member)
    assert created.actor == secretary
    assert created.object_id == str(member.pk)
    assert created.scope_path == paris.s11.path
    services.member_update(actor=secretary, member=member, city="Paris", phone="")
    updated = _entry("organization.member_update", member)
    assert updated.changes == {"city": ["", "Paris"]}
    assert "Cazaux" not in str(created.params) + str(updated.params)


def test_every_write_of_the_member_file_is_audited(paris):
    """Dues, transfers, resignation and offices each leave their coded entry."""
    staff = paris.user("staff")
    member = MemberFactory(section=paris.s11)
    services.dues_record(
        actor=staff,
        member=member,
        year=TODAY().year,
        amount=Decimal("30"),
        paid_on=TODAY(),
        method=DuesPayment.Method.CARD,
    )
    transfer = services.transfer_request(actor=staff, member=member, to_unit=paris.s15)
    services.transfer_decide(actor=staff, transfer=transfer, approve=False, note="Non")
    mandate = services.mandate_appoint(
        actor=staff, member=member, role=Role.SECTION_BUREAU, unit=paris.s11
    )
    services.mandate_end(actor=staff, mandate=mandate, end=TODAY())
    services.member_resign(actor=staff, member=member)
    codes = set(AuditEntry.objects.filter(actor=staff).values_list("code", flat=True))
    assert {
        "organization.dues_record",
        "organization.transfer_request",
        "organization.transfer_refuse",
        "organization.mandate_appoint",
        "organization.mandate_end",
        "organization.member_resign",
    } <= codes
    appoint = _entry("organization.mandate_appoint", mandate)
    assert appoint.params["unit"] == paris.s11.name
    assert appoint.scope_path == paris.s11.path
    resign = _entry("organization.member_resign", member)
    assert resign.changes["status"] == [Member.Status.ACTIVE, Member.Status.RESIGNED]


def test_section_writes_are_audited(paris):
    staff = paris.user("staff")
    services.unit_update(actor=staff, unit=paris.s11, meeting_place="Bourse du travail")
    entry = _entry("organization.unit_update", paris.s11)
    assert entry.changes == {"meeting_place": ["", "Bourse du travail"]}
    empty = make_section(paris.federation, name="Paris 20 Belleville")
    services.unit_close(actor=staff, unit=empty)
    assert _entry("organization.unit_close", empty).actor == staff
    section = services.unit_create(
        actor=staff, parent=paris.federation, name="Paris 13", code="S75-13", kind="section"
    )
    assert _entry("organization.unit_create", section).params == {"unit": "Paris 13"}


def test_audit_entries_are_rendered_in_the_reader_language(paris):
    """Entries store a code and parameters; the text is translated when shown."""
    staff = paris.user("staff")
    services.unit_update(actor=staff, unit=paris.s11, meeting_place="Bourse du travail")
    entry = _entry("organization.unit_update", paris.s11)
    with translation.override("fr"):
        assert entry.text == f"Modification de l'unité {paris.s11.name}"
    with translation.override("en"):
        text = entry.text
    assert paris.s11.name in text and "%(" not in text


def test_system_writes_are_recorded_as_such(paris):
    member = MemberFactory(section=paris.s11)
    services.member_update(actor=SYSTEM, member=member, city="Lyon")
    entry = _entry("organization.member_update", member)
    assert entry.actor is None and entry.by_system


# --- Refusals write nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "write"),
    [
        ("bureau", lambda p, m: services.member_update(actor=p.user("bureau"), member=m, city="X")),
        (
            "treasurer",
            lambda p, m: services.member_resign(actor=p.user("treasurer"), member=m),
        ),
        (
            "bureau",
            lambda p, m: services.dues_record(
                actor=p.user("bureau"),
                member=m,
                year=TODAY().year,
                amount=Decimal("10"),
                paid_on=TODAY(),
                method="card",
            ),
        ),
        (
            "secretary",
            lambda p, m: services.mandate_appoint(
                actor=p.user("secretary"), member=m, role=Role.SECTION_TREASURER, unit=p.s11
            ),
        ),
        (
            "treasurer",
            lambda p, m: services.transfer_request(
                actor=p.user("treasurer"), member=m, to_unit=p.s15
            ),
        ),
        ("secretary", lambda p, m: member_anonymise(actor=p.user("secretary"), member=m)),
        (
            "secretary",
            lambda p, m: services.unit_update(actor=p.user("secretary"), unit=p.s11, name="X"),
        ),
        ("secretary", lambda p, m: services.unit_close(actor=p.user("secretary"), unit=p.s11)),
        (
            "federal_secretary",
            lambda p, m: services.member_create(
                actor=p.user("federal_secretary"),
                section=p.s11,
                membership_number="75990009",
                first_name="A",
                last_name="B",
                joined_on=TODAY(),
            ),
        ),
    ],
)
def test_a_service_refuses_an_actor_without_the_capability_and_writes_nothing(paris, role, write):
    member = MemberFactory(section=paris.s11)
    before = (
        Member.objects.count(),
        Mandate.objects.count(),
        Transfer.objects.count(),
        DuesPayment.objects.count(),
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        write(paris, member)
    member.refresh_from_db()
    paris.s11.refresh_from_db()
    assert member.city == "" or member.city is not None
    assert member.status == Member.Status.ACTIVE and member.anonymised_at is None
    assert paris.s11.is_active and paris.s11.name == "Paris 11 Folie-Méricourt"
    assert before == (
        Member.objects.count(),
        Mandate.objects.count(),
        Transfer.objects.count(),
        DuesPayment.objects.count(),
    )
    assert AuditEntry.objects.count() == audits


def test_a_secretary_cannot_change_the_membership_number(paris):
    """The number is the federation's: a section secretary's change is refused."""
    member = MemberFactory(section=paris.s11)
    with pytest.raises(PermissionDenied):
        services.member_update(actor=paris.user("secretary"), member=member, membership_number="1")


def test_appointing_needs_mandates_manage_on_the_unit(paris):
    """A federation manager of Paris cannot appoint on another federation's section."""
    lyon = make_federation(name="Fédération du Rhône")
    lyon_section = make_section(lyon, name="Lyon 1")
    member = MemberFactory(section=paris.s11)
    with pytest.raises(PermissionDenied):
        services.mandate_appoint(
            actor=paris.user("staff"), member=member, role=Role.SECTION_SECRETARY, unit=lyon_section
        )
    assert not Mandate.objects.filter(member=member).exists()


def test_transfers_check_the_section_left_and_the_section_joined(paris):
    """Request: transfers.request on the section left; decision: transfers.approve on the
    section joined."""
    lyon = make_federation(name="Fédération du Rhône")
    lyon_section = make_section(lyon, name="Lyon 1")
    stranger = MemberFactory(section=lyon_section)
    with pytest.raises(PermissionDenied):
        services.transfer_request(actor=paris.user("staff"), member=stranger, to_unit=paris.s11)
    member = MemberFactory(section=paris.s11)
    transfer = services.transfer_request(
        actor=paris.user("secretary"), member=member, to_unit=lyon_section
    )
    with pytest.raises(PermissionDenied):
        services.transfer_decide(actor=paris.user("staff"), transfer=transfer, approve=True)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED
    lyon_staff = make_officer(lyon, Role.FEDERAL_STAFF, section=lyon_section)
    services.transfer_decide(actor=lyon_staff, transfer=transfer, approve=True)
    member.refresh_from_db()
    assert member.section == lyon_section


# --- Export scope ----------------------------------------------------------------------------


def test_export_needs_members_export_not_members_view(client, paris):
    """A federal secretary (view on the federation) who is also treasurer of the 11e
    (export there) exports the 11e only, never the whole federation."""
    MemberFactory(section=paris.s11, membership_number="7511001")
    MemberFactory(section=paris.s15, membership_number="7515001")
    user = paris.user("federal_secretary")
    member = user.member
    services.mandate_appoint(
        actor=SYSTEM,
        member=member,
        role=Role.SECTION_TREASURER,
        unit=paris.s11,
        start=TODAY() - datetime.timedelta(days=1),
    )
    client = screens.login(client, user)
    url = reverse("organization:section_member_export", args=[paris.federation.pk, "csv"])
    assert client.get(url).status_code == 403
    response = client.get(reverse("organization:member_export", args=["csv"]))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "7511001" in content and "7515001" not in content
    entry = AccessLog.objects.get(action="export")
    assert entry.code == "organization.member_export_scope"
    assert entry.scope_path == paris.s11.path


# --- The journals ----------------------------------------------------------------------------


def test_access_log_shows_only_the_readers_scope_translated(client, paris):
    lyon = make_federation(name="Fédération du Rhône")
    lyon_section = make_section(lyon, name="Lyon 1")
    staff = paris.user("staff")
    log_access(
        actor=staff,
        action="list",
        code="organization.member_list",
        params={"unit": "Ici-Paris"},
        scope=paris.s11,
    )
    log_access(
        actor=staff,
        action="list",
        code="organization.member_list",
        params={"unit": "La-Lyon"},
        scope=lyon_section,
    )
    AccessLog.objects.create(actor=staff, action="list", what="Ancienne entrée", scope_path="")
    content = screens.login(client, staff).get(reverse("organization:access_log")).content
    content = content.decode()
    assert "Liste des adhérent·es — Ici-Paris" in content
    assert "La-Lyon" not in content
    assert "Ancienne entrée" not in content  # no scope: only the whole party sees it


def test_access_log_old_entries_fall_back_to_their_text():
    entry = AccessLog(action="list", what="Liste (ancienne)")
    assert entry.text == "Liste (ancienne)"


def test_audit_log_is_scoped_filtered_and_translated(client, paris):
    lyon = make_federation(name="Fédération du Rhône")
    lyon_section = make_section(lyon, name="Lyon 1")
    staff = paris.user("staff")
    services.unit_update(actor=staff, unit=paris.s11, meeting_place="Bourse")
    services.unit_update(actor=SYSTEM, unit=lyon_section, meeting_place="Croix-Rousse")
    client = screens.login(client, staff)
    url = reverse("organization:audit_log")
    content = client.get(url).content.decode()
    assert f"Modification de l&#x27;unité {paris.s11.name}" in content
    assert "Lyon 1" not in content
    assert "meeting_place" in content
    content = client.get(url, {"code": "organization.unit_close"}).content.decode()
    assert "Aucune entrée" in content
    assert client.get(url, {"actor": staff.email}).status_code == 200


def test_audit_log_needs_accesslog_view(client, paris):
    client = screens.login(client, paris.user("secretary"))
    assert client.get(reverse("organization:audit_log")).status_code == 403


def test_the_access_log_links_to_the_audit_log(client, paris):
    client = screens.login(client, paris.user("staff"))
    content = client.get(reverse("organization:access_log")).content.decode()
    assert reverse("organization:audit_log") in content
    content = client.get(reverse("organization:federation_sections")).content.decode()
    assert reverse("organization:audit_log") in content


# --- Erasure ---------------------------------------------------------------------------------


def test_anonymisation_redacts_the_trails_and_keeps_no_name(paris):
    staff = paris.user("staff")
    member = MemberFactory(section=paris.s11, city="Paris")
    services.member_update(actor=staff, member=member, city="Lyon")
    name = member.last_name
    member_anonymise(actor=staff, member=member)
    update = _entry("organization.member_update", member)
    assert update.changes == {} and update.params == {}
    trail = list(AuditEntry.objects.about(member).values_list("params", "changes"))
    trail += list(AccessLog.objects.about(member).values_list("params", "detail"))
    assert name not in str(trail)
    assert _entry("organization.member_anonymise", member).actor == staff
    # The digest that refuses re-imports survives the redaction.
    log = AccessLog.objects.get(action=AccessLog.Action.ANONYMISE)
    assert log.detail["number_digest"]


# --- Lists answer history restores with the full page ----------------------------------------

LISTS = [
    ("organization:member_list", lambda p: []),
    ("organization:section_member_list", lambda p: [p.s11.pk]),
    ("organization:federation_sections", lambda p: []),
    ("organization:transfer_list", lambda p: []),
    ("organization:mandate_list", lambda p: []),
    ("organization:access_log", lambda p: []),
    ("organization:audit_log", lambda p: []),
    ("organization:erasure_requests", lambda p: []),
]


@pytest.mark.parametrize(("name", "args"), LISTS)
def test_every_list_answers_a_history_restore_with_the_full_page(client, paris, name, args):
    client = screens.login(client, paris.user("staff"))
    url = reverse(name, args=args(paris))
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    full = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()
    assert "HX-Request" in full["Vary"]


def test_unit_tree_scope_helpers_filter_in_sql(paris):
    """in_scope() filters in SQL: a section secretary reaches only their section."""
    secretary = paris.user("secretary")
    assert list(Unit.objects.in_scope(secretary, "members.view")) == [paris.s11]
    assert Member.objects.in_scope(SYSTEM, "members.view").count() == Member.objects.count()
