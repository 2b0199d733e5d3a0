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
