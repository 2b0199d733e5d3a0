"""Figures of the federation (issue 10, item 7) and natural order of units (item 8)."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.organization import services
from fede.organization.models import Member, Role, Unit

from . import federations, screens
from .factories import (
    DuesPaymentFactory,
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture
world = federations.world  # fixture

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
D = datetime.date


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def small(frozen):
    """A federation with two sections ("Paris 10e" created first) and five members with
    known dates; its first secretary's own member record lives in another federation."""
    federation = make_federation("Fédération test", code="FED99")
    p10 = make_section(federation, name="Paris 10e", code="S99-10")
    p2 = make_section(federation, name="Paris 2e", code="S99-02")
    elsewhere = make_section(make_federation("Ailleurs", code="FED01"), name="Ailleurs 1")
    a = MemberFactory(section=p2, joined_on=D(2020, 1, 10))
    DuesPaymentFactory(member=a, year=2026, paid_on=D(2026, 2, 1))
    MemberFactory(section=p2, joined_on=D(2026, 3, 5))  # new this year, not paid
    MemberFactory(section=p10, joined_on=D(2019, 5, 1), status=Member.Status.LAPSED)
    MemberFactory(
        section=p10,
        joined_on=D(2018, 1, 1),
        status=Member.Status.RESIGNED,
        left_on=D(2026, 4, 20),
    )
    e = MemberFactory(section=p10, joined_on=D(2025, 11, 10))
    DuesPaymentFactory(member=e, year=2025, paid_on=D(2025, 11, 10))  # grace period over
    return {
        "federation": federation,
        "p10": p10,
        "p2": p2,
        "first": make_officer(federation, Role.FIRST_SECRETARY, section=elsewhere),
        "secretary_p2": make_officer(p2, Role.SECTION_SECRETARY, section=elsewhere),
    }


def _chart_bars(html: str, key: str) -> list[str]:
    svg = re.search(rf'<svg[^>]*data-chart="{key}".*?</svg>', html, re.S).group(0)
    return re.findall(r'<rect [^>]*data-value="([^"]*)"', svg)


def _chart_table(html: str, key: str) -> list[str]:
    table = re.search(rf'<table[^>]*data-chart-table="{key}".*?</table>', html, re.S).group(0)
    return re.findall(r'<td class="text-end" data-value="([^"]*)"', table)


def _totals(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-total="(\w+)">([^<]*)<', html))


def test_totals_and_24_month_charts(client, small):
    response = screens.login(client, small["first"]).get(reverse("organization:federation_figures"))
    html = response.content.decode()
    assert _totals(html) == {"members": "3", "up_to_date": "1", "new": "1", "lapsed": "1"}
    for key in ("roll", "joined", "left"):
        bars, table = _chart_bars(html, key), _chart_table(html, key)
        assert len(bars) == 24 and bars == table  # the table gives the SVG's figures
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html
    joined = _chart_bars(html, "joined")
    # July 2024 … June 2026: November 2025 is index 16, March 2026 index 20.
    assert joined[16] == "1" and joined[20] == "1" and joined.count("0") == 22
    assert _chart_bars(html, "left")[21] == "1"  # April 2026
    roll = _chart_bars(html, "roll")
    assert roll[-1] == "4" and roll[20] == "5" and roll[15] == "3"  # June 26, March 26, Oct 25
    assert "Juin 2026" in html or "juin 2026" in html
    # Figures only: no access-log row.
    assert not AccessLog.objects.filter(actor=small["first"]).exists()


def test_section_comparison_natural_order_and_sort(client, small):
    c = screens.login(client, small["first"])
    url = reverse("organization:federation_figures")
    rows = c.get(url).context["rows"]
    assert [r.unit.name for r in rows] == ["Paris 2e", "Paris 10e"]
    assert [(r.members, r.up_to_date_percent, r.new, r.lapsed) for r in rows] == [
        (2, 50, 1, 0),
        (1, 0, 0, 1),
    ]
    assert [r.unit.name for r in c.get(url, {"tri": "lapsed"}).context["rows"]] == [
        "Paris 2e",
        "Paris 10e",
    ]
    assert [r.unit.name for r in c.get(url, {"tri": "-lapsed"}).context["rows"]] == [
        "Paris 10e",
        "Paris 2e",
    ]
    html = c.get(url).content.decode()
    assert html.index("Paris 2e") < html.index("Paris 10e")
    assert 'href="?tri=-name"' in html and 'aria-sort="ascending"' in html
    assert 'href="?tri=members"' in html


def test_section_officer_sees_only_their_section(client, small, world):
    c = screens.login(client, small["secretary_p2"])
    url = reverse("organization:federation_figures")
    response = c.get(url)
    assert _totals(response.content.decode()) == {
        "members": "2",
        "up_to_date": "1",
        "new": "1",
        "lapsed": "0",
    }
    assert response.context["rows"] == []  # one section: nothing to compare
    assert c.get(url, {"unite": small["p10"].pk}).status_code == 404
    assert c.get(url, {"unite": small["federation"].pk}).status_code == 404
    lyon = screens.login(client, world.lyon.officers["first_secretary"])
    assert lyon.get(url, {"unite": small["p2"].pk}).status_code == 404


def test_federation_narrowed_to_one_section(client, small):
    response = screens.login(client, small["first"]).get(
        reverse("organization:federation_figures"), {"unite": small["p10"].pk}
    )
    assert _totals(response.content.decode())["lapsed"] == "1"
    assert _totals(response.content.decode())["members"] == "1"


def test_figures_page_queries(client, small, django_assert_max_num_queries):
    c = screens.login(client, small["first"])
    c.get(reverse("organization:federation_figures"))  # warm the session
    with django_assert_max_num_queries(8):
        response = c.get(reverse("organization:federation_figures"))
    assert response.status_code == 200


# --- Member counts on searches ---------------------------------------------------------------


def test_member_search_shows_count(client, paris):
    screens.many_members(paris.s11, 55)
    screens.many_members(paris.s15, 10)
    c = screens.login(client, paris.user("staff"))
    html = c.get(reverse("organization:member_list")).content.decode()
    total = Member.objects.filter(section__path__startswith=paris.federation.path).count()
    assert f"1 à 50 sur {total}" in html
    html = c.get(reverse("organization:member_list"), {"page": 2}).content.decode()
    assert f"51 à {total} sur {total}" in html
    html = c.get(reverse("organization:section_member_list", args=[paris.s15.pk])).content.decode()
    in_15 = Member.objects.filter(section=paris.s15).count()
    assert f"1 à {in_15} sur {in_15}" in html


# --- Natural order (item 8) ---------------------------------------------------------------------


def test_sort_name_kept_by_save_and_services(paris):
    unit = make_section(paris.federation, name="Paris 9e", code="S75-09")
    assert unit.sort_name == "paris 000009e"
    services.unit_update(actor=SYSTEM, unit=unit, name="Paris 19e")
    unit.refresh_from_db()
    assert unit.sort_name == "paris 000019e"
    unit.name = "Paris 3e"
    unit.save(update_fields=["name"])
    unit.refresh_from_db()
    assert unit.sort_name == "paris 000003e"


def test_federation_sections_in_natural_order(client, paris):
    make_section(paris.federation, name="Paris 10e", code="S75-10")
    make_section(paris.federation, name="Paris 2e", code="S75-02")
    html = (
        screens.login(client, paris.user("staff"))
        .get(reverse("organization:federation_sections"))
        .content.decode()
    )
    assert html.index("Paris 2e") < html.index("Paris 10e") < html.index("Paris 11 Folie")


def test_transfer_destination_select_natural_and_searchable(client, paris):
    make_section(paris.federation, name="Paris 10e", code="S75-10")
    make_section(paris.federation, name="Paris 2e", code="S75-02")
    member = MemberFactory(section=paris.s15)
    html = (
        screens.login(client, paris.user("staff"))
        .get(reverse("organization:transfer_request", args=[member.pk]))
        .content.decode()
    )
    select = re.search(r'<select name="to_unit".*?</select>', html, re.S).group(0)
    assert "data-searchable" in select
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert (
        options.index("Paris 2e")
        < options.index("Paris 10e")
        < options.index("Paris 11 Folie-Méricourt")
    )


def test_merge_and_mandate_selects_natural(client, paris):
    make_section(paris.federation, name="Paris 10e", code="S75-10")
    make_section(paris.federation, name="Paris 2e", code="S75-02")
    c = screens.login(client, paris.user("staff"))
    html = c.get(reverse("organization:section_merge", args=[paris.s15.pk])).content.decode()
    select = re.search(r'<select name="target".*?</select>', html, re.S).group(0)
    assert "data-searchable" in select
    assert select.index("Paris 2e") < select.index("Paris 10e")
    html = c.get(reverse("organization:mandate_create")).content.decode()
    select = re.search(r'<select name="unit".*?</select>', html, re.S).group(0)
    assert select.index(paris.federation.name) < select.index("Paris 2e")
    assert select.index("Paris 2e") < select.index("Paris 10e")


def test_sort_name_filled_for_every_unit(paris):
    assert not Unit.objects.filter(sort_name="").exists()
    assert timezone.localdate()  # the fixture ran
