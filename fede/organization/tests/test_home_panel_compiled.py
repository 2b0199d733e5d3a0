"""The dues read of the member's home panel (home.dues_payments), compiled once: the same
rows as the ORM's queryset for every kind of reader, the member and the years given at
execution (another member, another day: other rows, as the ORM gives them)."""

import datetime
import types
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from fede.core import statements
from fede.core.testing import without_csrf
from fede.organization import home
from fede.organization.models import DuesPayment, up_to_date_years

from .factories import DuesPaymentFactory, make_member_user
from .federations import world  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def orm_rows(member_id, years):
    """The read as it was written before being compiled (named rows)."""
    return list(
        DuesPayment.objects.valid()
        .filter(member_id=member_id, year__in=years)
        .values_list("pk", "year", "paid_on", "amount", "cancelled_at", named=True)
    )


@pytest.fixture
def readers(world):  # noqa: F811
    """Members of both federations (officers, the user with two offices, plain members,
    one without any payment), each with their own payments: this year's, last year's,
    a cancelled one, an older one."""
    this_year = timezone.localdate().year
    p11, l1 = world.paris.sections["p11"], world.lyon.sections["l1"]
    users = {
        "paris_secretary": world.paris.officers["secretary_S75-11"],
        "lyon_secretary": world.lyon.officers["secretary_S69-01"],
        "two_offices": world.two_offices,
        "paris_member": make_member_user(p11),
        "lyon_member": make_member_user(l1),
        "never_paid": make_member_user(p11),
    }
    members = {name: user.member for name, user in users.items()}
    for n, (name, member) in enumerate(members.items()):
        if name == "never_paid":
            continue
        paid_on = datetime.date(this_year - 1, 12, 1 + n)
        DuesPaymentFactory(member=member, year=this_year - 1, paid_on=paid_on)
        DuesPaymentFactory(member=member, year=this_year - 3, amount=Decimal("12.50"))
        if n % 2 == 0:
            DuesPaymentFactory(
                member=member,
                year=this_year,
                amount=Decimal(f"{20 + n}.75"),
                paid_on=datetime.date(this_year, 1, 2 + n),
            )
        else:  # cancelled this year, then paid again
            DuesPaymentFactory(member=member, year=this_year, cancelled_at=timezone.now())
            DuesPaymentFactory(member=member, year=this_year, amount=Decimal("31.40"))
    return users, members


#: Lists of years a day gives (up_to_date_years): in the grace period, after it, another
#: year with as many years (the same statement: a year baked into the SQL would show).
DAYS = [datetime.date(2025, 2, 10), datetime.date(2025, 6, 10), datetime.date(2024, 6, 10)]


def test_compiled_dues_rows_are_the_orm_rows_for_every_reader(readers):
    users, members = readers
    this_year = timezone.localdate().year
    year_lists = [up_to_date_years(day) for day in DAYS]
    year_lists += [[this_year], [this_year, this_year - 1], [this_year - 3], [1999]]
    seen = set()
    for name, member in members.items():
        for years in year_lists:
            rows = home.dues_payments(member.pk, years)
            expected = orm_rows(member.pk, years)
            assert rows == expected, (name, years)
            assert [row._asdict() for row in rows] == [row._asdict() for row in expected]
            assert all(type(row.amount) is Decimal for row in rows)
            assert all(type(row.paid_on) is datetime.date for row in rows)
            seen.add((name, tuple(tuple(row) for row in rows)))
    # Every member read alone: no row of anyone else.
    for member in members.values():
        own = set(DuesPayment.objects.filter(member=member).values_list("pk", flat=True))
        assert {row.pk for row in home.dues_payments(member.pk, [this_year, this_year - 1])} <= own
    assert home.dues_payments(members["never_paid"].pk, [this_year]) == []
    # Members and years change the rows (as they do the ORM's): the slots are read.
    assert len({rows for _name, rows in seen}) > len(members)


def test_another_member_or_another_day_reuses_one_statement_per_number_of_years(readers):
    users, members = readers
    this_year = timezone.localdate().year
    first, second = members["paris_secretary"], members["lyon_member"]
    a = home.dues_payments(first.pk, [this_year])
    b = home.dues_payments(second.pk, [this_year])
    assert a == orm_rows(first.pk, [this_year]) and b == orm_rows(second.pk, [this_year])
    assert a and b and {row.pk for row in a}.isdisjoint(row.pk for row in b)
    last_year = home.dues_payments(first.pk, [this_year - 1])
    assert last_year == orm_rows(first.pk, [this_year - 1]) and last_year != a
    both = home.dues_payments(first.pk, [this_year, this_year - 1])
    assert both == orm_rows(first.pk, [this_year, this_year - 1])
    assert [row.year for row in both] == [this_year, this_year - 1]  # Meta.ordering
    keys = {key for key in statements._STATEMENTS._data if key[0] == "organization.home_dues"}
    assert {key[2] for key in keys} == {1, 2}
    assert len(keys) == 2


def _fixed_day(monkeypatch, day):
    monkeypatch.setattr(home, "timezone", types.SimpleNamespace(localdate=lambda: day))


def _orm_dues(member_id, years):
    return orm_rows(member_id, years)


@pytest.mark.parametrize("day", [None, *DAYS])
def test_member_panel_is_the_same_as_with_the_orm_read(readers, monkeypatch, day):
    """The panel's context (the payment of the year, « à jour ») on several days, for
    every reader: the same with the compiled read as with the ORM's."""
    users, members = readers
    if day is not None:
        _fixed_day(monkeypatch, day)
    rf = RequestFactory()
    for name, user in users.items():
        request = rf.get("/")
        request.user = user
        compiled = home.member_home(request)
        with monkeypatch.context() as m:
            m.setattr(home, "dues_payments", _orm_dues)
            expected = home.member_home(request)
        assert compiled == expected, name
        assert compiled["payment"] == expected["payment"]
        assert compiled["is_up_to_date"] == expected["is_up_to_date"]


def test_user_without_member_record(db):
    from .factories import UserFactory

    request = RequestFactory().get("/")
    request.user = UserFactory()
    assert home.member_home(request) == {"member": None}


def test_home_page_html_is_the_same_as_with_the_orm_read(client, readers, monkeypatch):
    users, members = readers
    for name in ("paris_member", "two_offices", "lyon_secretary"):
        client.force_login(users[name])
        page = client.get(reverse("core:home")).content.decode()
        with monkeypatch.context() as m:
            m.setattr(home, "dues_payments", _orm_dues)
            before = client.get(reverse("core:home")).content.decode()
        assert without_csrf(page) == without_csrf(before), name
        assert "payée le" in page
