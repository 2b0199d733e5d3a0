"""Who may open each screen of the organisation: every role, allowed and denied.

Codes: 200 allowed; 403 a logged-in user without the capability; 404 an object outside
the user's scope (same answer as for an object that does not exist); anonymous visitors
are sent to the login page.
"""

import pytest
from django.urls import reverse

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.organization import services
from fede.organization.models import DuesPayment, Member, Transfer

from . import screens
from .factories import MemberFactory

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture

OFFICERS_11 = {"secretary", "treasurer", "bureau"}
FEDERAL = {"federal_secretary", "first_secretary", "staff"}
MANAGERS = {"first_secretary", "staff"}
VIEW_MEMBERS = {"secretary", "treasurer", "federal_secretary", "first_secretary", "staff"}
CHANGE_MEMBERS = {"secretary", "first_secretary", "staff"}
EXPORT = {"secretary", "treasurer", "first_secretary", "staff"}
DUES = {"secretary", "treasurer", "first_secretary", "staff"}
SECTION_VIEW = OFFICERS_11 | FEDERAL


def _objects(paris):
    member = MemberFactory(section=paris.s11, last_name="Cible")
    transfer = services.transfer_request(
        actor=SYSTEM, member=member, to_unit=paris.s15, reason="Test"
    )
    mandate = paris.user("secretary").member.mandates.get()
    return {"member": member, "transfer": transfer, "mandate": mandate, "s11": paris.s11}


# screen → (url builder, roles allowed, roles that get 404 instead of 403)
SCREENS = {
    # "Ma section" works for every member (a read-only page of their own section).
    "my_sections": (
        lambda o: reverse("organization:my_sections"),
        SECTION_VIEW | {"member"},
        set(),
    ),
    "section_dashboard": (
        lambda o: reverse("organization:section_dashboard", args=[o["s11"].pk]),
        SECTION_VIEW,
        {"member"},
    ),
    "section_edit": (
        lambda o: reverse("organization:section_edit", args=[o["s11"].pk]),
        CHANGE_MEMBERS,
        {"member"},
    ),
    "section_member_list": (
        lambda o: reverse("organization:section_member_list", args=[o["s11"].pk]),
        VIEW_MEMBERS,
        {"member", "bureau"},
    ),
    "member_list": (lambda o: reverse("organization:member_list"), VIEW_MEMBERS, set()),
    "member_list_partial": (lambda o: reverse("organization:member_list"), VIEW_MEMBERS, set()),
    "member_detail": (
        lambda o: reverse("organization:member_detail", args=[o["member"].pk]),
        VIEW_MEMBERS,
        {"member", "bureau"},
    ),
    "member_edit": (
        lambda o: reverse("organization:member_edit", args=[o["member"].pk]),
        CHANGE_MEMBERS,
        {"member", "bureau"},
    ),
    "member_add": (lambda o: reverse("organization:member_add"), CHANGE_MEMBERS, set()),
    "section_member_add": (
        lambda o: reverse("organization:section_member_add", args=[o["s11"].pk]),
        CHANGE_MEMBERS,
        {"member", "bureau"},
    ),
    "dues_record": (
        lambda o: reverse("organization:dues_record", args=[o["member"].pk]),
        DUES,
        {"member", "bureau"},
    ),
    "transfer_request": (
        lambda o: reverse("organization:transfer_request", args=[o["member"].pk]),
        CHANGE_MEMBERS,
        {"member", "bureau"},
    ),
    "member_resign": (
        lambda o: reverse("organization:member_resign", args=[o["member"].pk]),
        CHANGE_MEMBERS,
        {"member", "bureau"},
    ),
    "section_member_export": (
        lambda o: reverse("organization:section_member_export", args=[o["s11"].pk, "csv"]),
        EXPORT,
        {"member", "bureau"},
    ),
    "member_export": (
        lambda o: reverse("organization:member_export", args=["xlsx"]),
        EXPORT,
        set(),
    ),
    "federation_sections": (
        lambda o: reverse("organization:federation_sections"),
        FEDERAL,
        set(),
    ),
    "federation_workplace": (
        lambda o: reverse("organization:federation_workplace"),
        FEDERAL,
        set(),
    ),
    "federation_no_premises": (
        lambda o: reverse("organization:federation_no_premises"),
        FEDERAL,
        set(),
    ),
    "section_create": (lambda o: reverse("organization:section_create"), MANAGERS, set()),
    "section_merge": (
        lambda o: reverse("organization:section_merge", args=[o["s11"].pk]),
        MANAGERS,
        {"member"},
    ),
    "section_close": (
        lambda o: reverse("organization:section_close", args=[o["s11"].pk]),
        MANAGERS,
        {"member"},
    ),
    "transfer_list": (lambda o: reverse("organization:transfer_list"), MANAGERS, set()),
    "transfer_decide": (
        lambda o: reverse("organization:transfer_decide", args=[o["transfer"].pk]),
        MANAGERS,
        set(screens.ROLES) - MANAGERS,
    ),
    "mandate_list": (lambda o: reverse("organization:mandate_list"), MANAGERS, set()),
    "mandate_create": (lambda o: reverse("organization:mandate_create"), MANAGERS, set()),
    "mandate_end": (
        lambda o: reverse("organization:mandate_end", args=[o["mandate"].pk]),
        MANAGERS,
        set(screens.ROLES) - MANAGERS,
    ),
    "access_log": (lambda o: reverse("organization:access_log"), MANAGERS, set()),
}


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("role", screens.ROLES)
def test_screen_access_per_role(client, paris, role, screen):
    """Each role opens the screens of its capabilities and no other."""
    objects = _objects(paris)
    url_of, allowed, hidden = SCREENS[screen]
    url = url_of(objects)
    headers = {"HTTP_HX_REQUEST": "true"} if screen == "member_list_partial" else {}
    response = screens.login(client, paris.user(role)).get(url, **headers)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:  # "Ma section" goes straight to the one section
            assert screen == "my_sections"
    elif role in hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


OUT_OF_SCOPE = [
    ("organization:member_detail", "member"),
    ("organization:member_edit", "member"),
    ("organization:dues_record", "member"),
    ("organization:transfer_request", "member"),
    ("organization:member_resign", "member"),
    ("organization:section_dashboard", "section"),
    ("organization:section_member_list", "section"),
    ("organization:section_member_add", "section"),
    ("organization:section_edit", "section"),
]


@pytest.mark.parametrize("url_name,kind", OUT_OF_SCOPE)
@pytest.mark.parametrize("role", ["secretary", "treasurer"])
def test_other_sections_objects_are_404(client, paris, role, url_name, kind):
    """An officer of the 11e asking for a member or the section of the 15e gets 404."""
    other = MemberFactory(section=paris.s15)
    pk = other.pk if kind == "member" else paris.s15.pk
    response = screens.login(client, paris.user(role)).get(reverse(url_name, args=[pk]))
    assert response.status_code == 404
    assert other.last_name not in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_another_section_is_404(client, paris, fmt):
    """Exporting the 15e as a secretary of the 11e: 404, and nothing logged as exported."""
    MemberFactory(section=paris.s15)
    url = reverse("organization:section_member_export", args=[paris.s15.pk, fmt])
    response = screens.login(client, paris.user("secretary")).get(url)
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action="export").exists()


def test_posts_out_of_scope_write_nothing(client, paris):
    """Dues, transfer, edit and resignation posted on a member of the 15e: 404, no write."""
    other = MemberFactory(section=paris.s15, last_name="Autre")
    client = screens.login(client, paris.user("secretary"))
    year = screens.days_ago(0).year
    posts = {
        "organization:dues_record": {
            "year": year,
            "amount": "30",
            "paid_on": screens.days_ago(0).isoformat(),
            "method": "cheque",
        },
        "organization:transfer_request": {"to_unit": paris.s11.pk, "reason": "x"},
        "organization:member_edit": {"first_name": "X", "last_name": "Y", "membership_number": "1"},
        "organization:member_resign": {"left_on": screens.days_ago(0).isoformat(), "confirm": "on"},
    }
    for name, data in posts.items():
        assert client.post(reverse(name, args=[other.pk]), data).status_code == 404
    other.refresh_from_db()
    assert other.last_name == "Autre" and other.status == Member.Status.ACTIVE
    assert other.section == paris.s15
    assert not DuesPayment.objects.filter(member=other).exists()
    assert not Transfer.objects.filter(member=other).exists()


def test_search_never_reaches_another_section(client, paris):
    """Searching a name of the 15e from the 11e finds nothing, list and partial alike."""
    MemberFactory(section=paris.s15, last_name="Introuvable")
    client = screens.login(client, paris.user("secretary"))
    url = reverse("organization:member_list") + "?q=introuvable"
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(url, **headers)
        assert response.status_code == 200
        assert "Introuvable" not in response.content.decode().replace("introuvable", "")
        assert "Aucun·e adhérent·e ne correspond" in response.content.decode()


def test_transfer_decision_needs_the_federation(client, paris):
    """A section secretary cannot approve a transfer, even by posting: 404, nothing moves."""
    member = MemberFactory(section=paris.s11)
    transfer = services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    url = reverse("organization:transfer_decide", args=[transfer.pk])
    response = screens.login(client, paris.user("secretary")).post(url, {"decision": "approve"})
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.section == paris.s11


def test_get_changes_nothing(client, paris):
    """Opening the confirmation pages (merge, close, resign, decide, end office) writes
    nothing."""
    member = MemberFactory(section=paris.s11)
    transfer = services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    mandate = paris.user("secretary").member.mandates.get()
    client = screens.login(client, paris.user("staff"))
    for url in [
        reverse("organization:section_merge", args=[paris.s15.pk]),
        reverse("organization:section_close", args=[paris.s15.pk]),
        reverse("organization:member_resign", args=[member.pk]),
        reverse("organization:transfer_decide", args=[transfer.pk]),
        reverse("organization:mandate_end", args=[mandate.pk]),
        reverse("organization:transfer_cancel", args=[transfer.pk]),
    ]:
        assert client.get(url).status_code in (200, 405)
    paris.s15.refresh_from_db()
    member.refresh_from_db()
    transfer.refresh_from_db()
    mandate.refresh_from_db()
    assert paris.s15.is_active
    assert member.status == Member.Status.ACTIVE
    assert transfer.status == Transfer.Status.REQUESTED
    assert mandate.end is None


def test_officer_without_mfa_is_sent_to_the_security_page(client, paris):
    """A secretary who has not turned MFA on cannot open the member list."""
    from fede.organization.models import Role

    from .factories import make_officer

    secretary = make_officer(paris.s11, Role.SECTION_SECRETARY, mfa=False)
    response = screens.login(client, secretary).get(reverse("organization:member_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")


def _sql(queryset) -> str:
    from django.core.exceptions import EmptyResultSet

    try:
        return str(queryset.query)
    except EmptyResultSet:
        return "(nothing)"


def test_member_file_compiled_once_is_get_in_scope_for_every_reader(paris):
    """The member file's object (object_view(compiled=True)) is what get_in_scope_or_404
    gives each reader — the same columns, related section and login, annotations — and a
    404 where it is: another section's officer, a plain member, a visitor, another
    federation, an id that is not a number or too large. Member.in_scope is
    filter(scope_q)."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from fede.core.access import get_in_scope_compiled_or_404
    from fede.core.testing import check_compiled_fetch
    from fede.organization.views import _member_file

    from .factories import make_federation, make_officer, make_section

    lyon = make_officer(make_section(make_federation("Fédération du Rhône")), "section_secretary")
    in_11 = MemberFactory(section=paris.s11, last_name="Arnaud")
    in_15 = MemberFactory(section=paris.s15, last_name="Bernard")
    linked = paris.user("member").member
    readers = [*(paris.user(r) for r in ("secretary", "first_secretary", "staff", "member")), lyon]
    readers.append(AnonymousUser())

    def shown(member):
        return (
            member.pk,
            member.last_name,
            member.section.name,
            getattr(member.user, "email", None),
            member.has_transfers,
            member.has_mandates,
            member.latest_invitation_pk,
        )

    for reader in readers:
        assert _sql(Member.objects.in_scope(reader, "members.view")) == _sql(
            Member.objects.filter(Member.objects.all().scope_q(reader, "members.view"))
        )
    outcomes = check_compiled_fetch(
        _member_file, "members.view", readers, (in_11, in_15, linked), shown
    )
    assert outcomes == {"found", "404"}
    for value in ("abc", 2**63, 10**30, -1):
        with pytest.raises(Http404):
            get_in_scope_compiled_or_404(
                _member_file,
                actor=paris.user("staff"),
                capability="members.view",
                field="pk",
                value=value,
            )


def test_section_pages_fetch_their_unit_compiled_once_as_get_in_scope(paris):
    """The unit of a section's dashboard and member list (object_view(compiled=True)) is
    what get_in_scope_or_404 gives each reader — columns and territory's name — and a 404
    where it is: another section's officer for the member list, a plain member, a
    visitor, another federation. Unit.in_scope is filter(scope_q)."""
    from django.contrib.auth.models import AnonymousUser

    from fede.core.testing import check_compiled_fetch
    from fede.organization.models import Territory, Unit
    from fede.organization.views import _units, _units_with_place

    from .factories import make_federation, make_officer, make_section

    lyon_section = make_section(make_federation("Fédération du Rhône"))
    lyon = make_officer(lyon_section, "section_secretary")
    paris.s11.territory = Territory.objects.create(
        kind=Territory.Kind.ARRONDISSEMENT, code="75111", name="11e arrondissement"
    )
    paris.s11.save()
    readers = [*(paris.user(r) for r in ("secretary", "first_secretary", "staff", "member"))]
    readers += [lyon, AnonymousUser()]
    units = (paris.s11, paris.s15, paris.federation, lyon_section)

    def shown(unit):
        territory = unit.territory.name if unit.territory_id else None
        return (unit.pk, unit.name, unit.path, unit.kind, unit.is_active, territory)

    for capability in ("members.view", "section.view"):
        for reader in readers:
            assert _sql(Unit.objects.in_scope(reader, capability)) == _sql(
                Unit.objects.filter(Unit.objects.all().scope_q(reader, capability))
            )
    for build, capability in ((_units, "members.view"), (_units_with_place, "section.view")):
        outcomes = check_compiled_fetch(build, capability, readers, units, shown)
        assert outcomes == {"found", "404"}


def test_member_history_reads_the_payments_the_orm_reads(paris):
    """member_history's payments (compiled once, the member given at execution): the
    same payments, columns, order, who recorded them and corrections as the ORM's read,
    for two members one of whom has a corrected and a cancelled payment; a third member
    without payments gets none."""
    import datetime
    from decimal import Decimal

    from fede.organization import selectors, services
    from fede.organization.models import DuesPayment

    from .screens import paid

    treasurer = paris.user("treasurer")
    first, second = MemberFactory(section=paris.s11), MemberFactory(section=paris.s11)
    corrected = services.dues_record(
        actor=treasurer,
        member=first,
        year=2024,
        amount=Decimal("20.00"),
        paid_on=datetime.date(2024, 3, 1),
        method="cash",
    )
    services.dues_correct(
        actor=treasurer, payment=corrected, reason="Erreur de montant", amount=Decimal("25.00")
    )
    services.dues_correct(
        actor=treasurer, payment=corrected, reason="Encore", amount=Decimal("30.00")
    )
    cancelled = paid(first, 2025)
    services.dues_cancel(actor=treasurer, payment=cancelled, reason="Doublon")
    paid(first, 2025)
    paid(second, 2023)

    def shown(payment):
        email = payment.recorded_by.email if payment.recorded_by_id else None
        return (
            payment.pk,
            payment.year,
            payment.amount,
            payment.paid_on,
            payment.method,
            payment.cancelled_at,
            payment.cancel_reason,
            email,
        )

    for member in (first, second, MemberFactory(section=paris.s15)):
        got = selectors.member_history(member)["payments"]
        expected = list(
            DuesPayment.objects.filter(member=member)
            .select_related("recorded_by")
            .order_by("-year", "cancelled_at", "-pk")
        )
        assert [shown(p) for p in got] == [shown(p) for p in expected]
        assert [[c.reason for c in p.correction_list] for p in got] == [
            [c.reason for c in p.corrections.order_by("created_at", "pk")] for p in expected
        ]
        assert all(p.member is member for p in got)
    assert [c.reason for c in selectors.member_history(first)["payments"][2].correction_list] == [
        "Erreur de montant",
        "Encore",
    ]
