"""A search of the member list reads its page and its count in one pass
(selectors.search_page_ids, views._search_page): same rows, same order, same count as the
plain paging, past the last page answered as before, and the count capped."""

import re

import pytest
from django.urls import reverse

from fede.core.lists import PER_PAGE
from fede.organization import selectors, views
from fede.organization.models import Member

from . import screens
from .factories import MemberFactory

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def martins(paris):
    """60 « Martin » over two sections (more than a page), and others."""
    for i in range(35):
        MemberFactory(section=paris.s11, last_name=f"Martin{i % 7}", first_name=f"Anne{i:02d}")
    for i in range(25):
        MemberFactory(section=paris.s15, last_name="Martinez", first_name=f"Bob{i:02d}")
    screens.many_members(paris.s11, 10)
    return Member.objects.filter(last_name__startswith="Martin")


@pytest.mark.parametrize("sort", ["name", "-name", "number", "-number", "joined", "-joined"])
def test_search_page_ids_follow_the_search_order(paris, martins, sort):
    user = paris.user("staff")
    search = selectors.member_search(user, q="martin", sort=sort)
    expected = list(search.values_list("pk", flat=True))
    ids, total = selectors.search_page_ids(search, sort, offset=0, limit=PER_PAGE, cap=1000)
    assert ids == expected[:PER_PAGE] and total == 60
    ids, total = selectors.search_page_ids(search, sort, offset=PER_PAGE, limit=99, cap=1000)
    assert ids == expected[PER_PAGE:] and total == 60
    assert selectors.search_page_ids(search, sort, offset=60, limit=9, cap=1000) == ([], None)
    assert selectors.search_page_ids(search, sort, offset=0, limit=9, cap=20)[1] == 21


@pytest.mark.parametrize("sort", ["name", "-name", "number", "joined", "-joined"])
def test_search_pages_have_the_order_and_count_of_the_plain_paging(client, paris, martins, sort):
    user = paris.user("staff")
    expected = [
        f"{m.last_name.upper()} {m.first_name}"
        for m in selectors.member_search(user, q="martin", sort=sort)
    ]
    assert len(expected) == martins.count() == 60
    c = screens.login(client, user)
    url = reverse("organization:member_list")
    first = c.get(url, {"q": "martin", "sort": sort}).content.decode()
    second = c.get(url, {"q": "martin", "sort": sort, "page": 2}).content.decode()
    assert _names(first) + _names(second) == expected
    assert f"1 à {PER_PAGE} sur 60" in first
    assert f"{PER_PAGE + 1} à 60 sur 60" in second


def test_a_section_search_past_its_last_page_shows_the_last_page(client, paris, martins):
    c = screens.login(client, paris.user("staff"))
    url = reverse("organization:section_member_list", args=[paris.s11.pk])
    html = c.get(url, {"q": "martin", "page": 9}).content.decode()
    assert "1 à 35 sur 35" in html and len(_names(html)) == 35
    html = c.get(reverse("organization:member_list"), {"q": "martin", "page": 9}).content
    assert "Aucun·e adhérent·e trouvé·e" in html.decode()


def test_a_search_over_the_cap_says_more_than(client, paris, martins, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 40)
    c = screens.login(client, paris.user("staff"))
    html = c.get(reverse("organization:member_list"), {"q": "martin"}).content.decode()
    assert "1 à 50 sur plus de 40" in html
    assert _names(html) == [
        f"{m.last_name.upper()} {m.first_name}"
        for m in selectors.member_search(paris.user("staff"), q="martin")[:PER_PAGE]
    ]


def test_a_search_shows_only_the_scope_and_hides_unshared_emails(client, paris, martins):
    """A section officer's search: their section only, an e-mail they may not read is
    neither shown nor matched."""
    hidden = MemberFactory(section=paris.s11, last_name="Durand", email="secret.martin@example.org")
    hidden.consent_share_contact = False
    hidden.save()
    c = screens.login(client, paris.user("secretary"))
    html = c.get(reverse("organization:member_list"), {"q": "martin"}).content.decode()
    assert "MARTINEZ" not in html  # Paris 15's members are not in Paris 11's scope
    assert "DURAND" not in html and "secret.martin" not in html
    assert "1 à 35 sur 35" in html
    # The federation's staff reads every e-mail of its federation: it finds her.
    c = screens.login(client, paris.user("staff"))
    html = c.get(reverse("organization:member_list"), {"q": "secret.martin"}).content.decode()
    assert "DURAND" in html and "secret.martin@example.org" in html


def test_an_email_is_matched_only_where_its_reader_may_read_it(paris):
    """A word found only in the e-mail of a member who did not agree to share it: not
    found by a section secretary, found by the offices of the federation; found in a
    shared e-mail by all; and, for one reader holding offices in two federations, found
    only in the federation whose e-mails they read."""
    from fede.organization.models import Mandate, Role
    from fede.organization.roles import forget_grants

    from .factories import make_federation, make_section

    def found(user, q):
        return sorted(selectors.member_search(user, q=q).values_list("last_name", flat=True))

    hidden = MemberFactory(section=paris.s11, last_name="Durand", email="quietude@example.org")
    hidden.consent_share_contact = False
    hidden.save()
    MemberFactory(section=paris.s11, last_name="Petit", email="quietude.petit@example.org")

    secretary = paris.user("secretary")
    assert found(secretary, "quietude") == ["Petit"]
    assert found(secretary, "QUIETUDE@example") == []
    assert found(secretary, "durand") == ["Durand"]  # her name is searched as before
    assert found(secretary, "durand quietude") == []
    for office in ("first_secretary", "staff"):
        assert found(paris.user(office), "quietude") == ["Durand", "Petit"]
        assert found(paris.user(office), "durand quietude") == ["Durand"]

    # The staff of Paris also secretary of a section of another federation: every e-mail
    # of Paris, only the shared ones of that section.
    staff = paris.user("staff")
    elsewhere = make_section(make_federation("Fédération du Nord"))
    Mandate.objects.create(
        member=staff.member, unit=elsewhere, role=Role.SECTION_SECRETARY, start="2020-01-01"
    )
    forget_grants(staff)
    north = MemberFactory(section=elsewhere, last_name="Leroy", email="quietude@nord.example")
    north.consent_share_contact = False
    north.save()
    MemberFactory(section=elsewhere, last_name="Morel", email="quietude@morel.example")
    assert not selectors.contact_visible_in_scope(staff, "members.view")
    assert found(staff, "quietude") == ["Durand", "Morel", "Petit"]
    assert found(staff, "leroy") == ["Leroy"]


def test_page_rows_by_id_are_the_rows_of_the_list(paris):
    """The rows of a search page, read by id from a statement compiled once per reader's
    contact rule (selectors.member_row_values_by_id), are the list's rows
    (member_row_values) for a section secretary and the federation's offices, on a day in
    the dues' grace period and a day after it, with a payment made after the first day."""
    import datetime

    from fede.organization.models import up_to_date_q

    from .factories import DuesPaymentFactory

    shared = MemberFactory(section=paris.s11, last_name="Arnaud", consent_share_contact=True)
    hidden = MemberFactory(section=paris.s11, last_name="Blanc", consent_share_contact=False)
    other = MemberFactory(section=paris.s15, last_name="Colin", consent_share_contact=False)
    never = MemberFactory(section=paris.s11, last_name="Dumas")
    DuesPaymentFactory(member=shared, year=2025, paid_on=datetime.date(2025, 2, 1))
    DuesPaymentFactory(member=hidden, year=2026, paid_on=datetime.date(2026, 3, 1))
    DuesPaymentFactory(member=other, year=2026, paid_on=datetime.date(2026, 1, 10))
    ids = [shared.pk, hidden.pk, other.pk, never.pk]
    seen = set()
    for role in ("secretary", "first_secretary", "staff"):
        user = paris.user(role)
        for on in (datetime.date(2026, 2, 15), datetime.date(2026, 6, 15)):
            expected = {
                row["pk"]: row
                for row in selectors._member_rows(
                    Member.objects.filter(pk__in=ids),
                    up_to_date_q(on),
                    selectors.contact_visible_q(user),
                ).values(*selectors.MEMBER_ROW_FIELDS)
            }
            got = {row["pk"]: row for row in selectors.member_row_values_by_id(user, ids, on)}
            assert got == expected
            seen |= {(row["pk"], row["is_up_to_date"], row["show_contact"]) for row in got.values()}
    # The cases the comparison went through: grace period, late payment, hidden contact.
    assert (shared.pk, True, True) in seen and (shared.pk, False, True) in seen
    assert (hidden.pk, False, False) in seen and (hidden.pk, True, True) in seen
    assert selectors.member_row_values_by_id(paris.user("staff"), []) == []


def test_the_compiled_search_gives_the_ids_and_count_of_the_queryset(paris, martins):
    """member_search_page_ids (one statement per shape of search, values given at
    execution) against search_page_ids(member_search(...)) for readers of two
    federations and one with two offices, words with LIKE's special characters, each
    filter and sort, a section, the federation, no unit, and pages past the end: the
    same ids, the same count. An e-mail a reader may not read matches for no one."""
    from fede.organization.tests.factories import make_federation, make_officer, make_section

    from .screens import paid

    lyon_section = make_section(make_federation("Fédération du Rhône"))
    lyon = make_officer(lyon_section, "section_secretary")
    MemberFactory(section=lyon_section, last_name="Martin", first_name="Lyonnais")
    MemberFactory(section=paris.s11, last_name="Cent%", first_name="Pour_cent")
    MemberFactory(section=paris.s15, last_name="Centre", first_name="Pourxcent")
    secret = MemberFactory(section=paris.s11, last_name="Discret", email="zorglub@example.org")
    secret.consent_share_contact = False
    secret.save()
    for member in list(martins)[::3]:
        paid(member)
    readers = [paris.user(role) for role in ("secretary", "first_secretary", "staff")]
    readers.append(lyon)
    searches = [
        {"q": "martin"},
        {"q": "MARTIN anne0"},
        {"q": "cent%"},
        {"q": "pour_cent"},
        {"q": "zorglub"},
        {"q": ""},
        {"q": "martin", "status": "active", "dues": "paid", "dues_year": screens.days_ago(0).year},
        {"q": "martin", "dues": "unpaid", "dues_year": screens.days_ago(0).year},
        {"q": "martin", "status": "bogus", "dues": "paid"},
    ]
    seen = set()
    for reader in readers:
        for unit in (None, paris.s11, paris.federation, lyon_section):
            for search in searches:
                for sort in ("name", "-number", "joined"):
                    queryset = selectors.member_search(reader, unit=unit, sort=sort, **search)
                    for offset, limit, cap in (
                        (0, 7, 1000),
                        (5, 51, 1000),
                        (0, 5, 3),
                        (900, 5, 1000),
                    ):
                        expected = selectors.search_page_ids(
                            queryset, sort, offset=offset, limit=limit, cap=cap
                        )
                        got = selectors.member_search_page_ids(
                            reader,
                            unit=unit,
                            sort=sort,
                            offset=offset,
                            limit=limit,
                            cap=cap,
                            **search,
                        )
                        assert got == expected, (reader, unit, search, sort, offset)
                        seen.add(bool(expected[0]))
    assert seen == {True, False}
    staff = paris.user("staff")
    assert selectors.member_search_page_ids(
        paris.user("secretary"), q="zorglub", offset=0, limit=9, cap=99
    ) == ([], None)
    assert selectors.member_search_page_ids(staff, q="zorglub", offset=0, limit=9, cap=99) == (
        [secret.pk],
        1,
    )
    assert selectors.member_search_page_ids(staff, q="cent%", offset=0, limit=9, cap=99)[1] == 1
