"""The per-process caches of the organisation pages (memo.py) and the rows written in Python.

A cached page is the same for every reader of the same scope, never shown to another
scope, and emptied when what it shows changes.
"""

import pytest
from django.urls import reverse

from fede.core.access import SYSTEM
from fede.organization import memo, services
from fede.organization.models import Role

from .factories import MemberFactory, make_member_user, make_officer
from .federations import world as world_fixture

world = world_fixture  # fixture

pytestmark = pytest.mark.django_db


def _get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _rows(html: str) -> str:
    start = html.index('<div id="rows"')
    return html[start : html.index("</table>", start)]


def test_federation_sections_never_show_another_federations_page(client, world):
    url = reverse("organization:federation_sections")
    paris = _get(client, world.paris.officers["first_secretary"], url)
    assert "Paris 11" in paris and "Lyon 1er" not in paris
    # Same URL, same filters, same page, cache warm: Lyon's first secretary sees Lyon only.
    lyon = _get(client, world.lyon.officers["first_secretary"], url)
    assert "Lyon 1er" in lyon and "Paris 11" not in lyon
    # And Paris's page is still Paris's.
    again = _get(client, world.paris.officers["first_secretary"], url)
    assert _rows(again) == _rows(paris)


def test_federation_sections_figures_follow_a_new_member(client, world):
    url = reverse("organization:federation_sections")
    user = world.paris.officers["first_secretary"]
    before = _get(client, user, url, sort="-members")
    MemberFactory.create_batch(4, section=world.paris.sections["p15"])
    after = _get(client, user, url, sort="-members")
    assert before != after
    # Paris 15 now leads the sort on the number of members.
    assert after.index("Paris 15") < after.index("Paris 11")


def test_federation_sections_cache_hit_reads_no_list(client, world, django_assert_num_queries):
    url = reverse("organization:federation_sections")
    user = world.paris.officers["first_secretary"]
    _get(client, user, url)
    # A warm page: the session and the user only.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


def test_section_dashboard_figures_follow_a_new_member(client, world):
    section = world.paris.sections["p11"]
    url = reverse("organization:section_dashboard", args=[section.pk])
    user = world.paris.officers[f"secretary_{section.code}"]
    before = _get(client, user, url)
    key = [k for k in memo.SECTION_FIGURES._data if k[0] == section.pk]
    assert key, "the figures are kept"
    members = memo.SECTION_FIGURES._data[key[0]][1]["members"]
    MemberFactory.create_batch(2, section=section)
    assert not memo.SECTION_FIGURES._data, "a saved member empties the cache"
    _get(client, user, url)
    assert memo.SECTION_FIGURES._data[key[0]][1]["members"] == members + 2
    assert before


def test_home_officers_are_those_of_the_readers_section(client, world):
    p11, l1 = world.paris.sections["p11"], world.lyon.sections["l1"]
    paris_secretary = world.paris.officers[f"secretary_{p11.code}"].member
    lyon_secretary = world.lyon.officers[f"secretary_{l1.code}"].member
    home = reverse("core:home")
    paris_home = _get(client, make_member_user(p11), home)
    assert paris_secretary.last_name in paris_home
    lyon_home = _get(client, make_member_user(l1), home)
    assert lyon_secretary.last_name in lyon_home
    assert paris_secretary.last_name not in lyon_home


def test_home_officers_follow_a_new_office_and_a_consent(client, world):
    p11 = world.paris.sections["p11"]
    reader = make_member_user(p11)
    home = reverse("core:home")
    _get(client, reader, home)
    officer = make_officer(p11, Role.SECTION_TREASURER).member
    officer.email = "tresoriere@example.org"
    officer.consent_share_contact = False
    officer.save()
    page = _get(client, reader, home)
    assert officer.last_name in page and "tresoriere@example.org" not in page
    officer.consent_share_contact = True
    officer.save()
    assert "tresoriere@example.org" in _get(client, reader, home)


def test_section_merge_empties_the_caches(client, world):
    p11, p15 = world.paris.sections["p11"], world.paris.sections["p15"]
    url = reverse("organization:federation_sections")
    user = world.paris.officers["first_secretary"]
    _get(client, user, url)
    assert memo.SECTION_LISTS._data
    services.unit_merge(actor=SYSTEM, source=p15, target=p11)
    assert not memo.SECTION_LISTS._data


def test_member_rows_escape_every_value(client, world):
    section = world.paris.sections["p11"]
    MemberFactory(
        section=section,
        last_name="<script>alert(1)</script>",
        first_name="Anne & Co",
        email="a<b>@example.org",
        consent_share_contact=True,
    )
    url = reverse("organization:section_member_list", args=[section.pk])
    page = _get(client, world.paris.officers[f"secretary_{section.code}"], url, q="script")
    assert "<script>alert" not in page
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt; Anne &amp; Co" in page
    assert "a&lt;b&gt;@example.org" in page
