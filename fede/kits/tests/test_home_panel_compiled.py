"""The read of the "Mes tâches" home panel (selectors.home_tasks), compiled once: the same
rows as the ORM's queryset for every kind of reader, in two federations; the user given at
execution (another user: other rows, as the ORM gives them), the day read in Python only
(another day: the same rows, other words)."""

import datetime
import random
import types

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fede.core import statements
from fede.core.access import SYSTEM
from fede.core.testing import without_csrf
from fede.kits import registry, selectors, services
from fede.kits.models import Run, Task
from fede.organization.tests.factories import UserFactory, make_member_user
from fede.organization.tests.federations import world  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def orm_tasks(user):
    """The read as it was written before being compiled."""
    return list(
        selectors.my_tasks(user)
        .select_related(None)
        .values_list("pk", "title", "due_date", "run__section__name")[:5]
    )


@pytest.fixture
def readers(world, kit):  # noqa: F811
    """Readers of both federations (section secretaries, a first secretary, the user with
    two offices, plain members, a login without a member record), and runs of every
    status in three sections whose tasks of every status are given to them (more than
    five open ones for some, late and ahead)."""
    p11, p15 = world.paris.sections["p11"], world.paris.sections["p15"]
    l1 = world.lyon.sections["l1"]
    users = {
        "paris_secretary": world.paris.officers["secretary_S75-11"],
        "lyon_secretary": world.lyon.officers["secretary_S69-01"],
        "lyon_first_secretary": world.lyon.officers["first_secretary"],
        "two_offices": world.two_offices,
        "paris_member": make_member_user(p11),
        "paris15_member": make_member_user(p15),
        "lyon_member": make_member_user(l1),
        "no_member": UserFactory(),
        "nothing_given": make_member_user(p15),
    }
    given = [name for name in users if name != "nothing_given"]
    given.append("two_offices")  # more than five open tasks
    today = timezone.localdate()
    pick = random.Random(20300520)
    run_statuses = [Run.Status.ACTIVE] * 3 + [Run.Status.COMPLETED, Run.Status.CANCELLED]
    task_statuses = [*Task.Status.values, Task.Status.TODO]
    n = 0
    for s, section in enumerate((p11, p15, l1)):
        for r in range(10):
            run = services.run_start(
                actor=SYSTEM,
                section=section,
                kit=kit,
                target_date=today + datetime.timedelta(days=10 * r - 20 + s),
            )
            Run.objects.filter(pk=run.pk).update(status=run_statuses[r % 5])
            for task in run.tasks.all():
                n += 1
                Task.objects.filter(pk=task.pk).update(
                    assignee=users[pick.choice(given)],
                    status=pick.choice(task_statuses),
                    due_date=today + datetime.timedelta(days=pick.randrange(-15, 25)),
                    title=f"Tâche {n} & <b>{section.name}</b>",
                )
    return users


def test_compiled_tasks_are_the_orm_rows_for_every_reader(readers):
    seen = {}
    for name, user in readers.items():
        rows = selectors.home_tasks(user)
        assert rows == orm_tasks(user), name
        assert all(type(row[2]) is datetime.date for row in rows)
        seen[name] = tuple(rows)
    # Another user, other rows (the user is read); five at most; none for nobody.
    given = {name: rows for name, rows in seen.items() if name != "nothing_given"}
    assert all(given.values()) and len(set(given.values())) == len(given)
    assert max(len(rows) for rows in given.values()) == 5
    assert seen["nothing_given"] == ()
    # Closing a task changes the rows as it does the ORM's (no rows kept, only SQL).
    user = readers["two_offices"]
    Task.objects.filter(pk=seen["two_offices"][0][0]).update(status=Task.Status.DONE)
    assert selectors.home_tasks(user) == orm_tasks(user) != list(seen["two_offices"])
    keys = {key for key in statements._STATEMENTS._data if key[0] == "kits.home_tasks"}
    assert len(keys) == 1


def _orm_read(monkeypatch):
    monkeypatch.setattr(selectors, "home_tasks", orm_tasks)


@pytest.mark.parametrize("days", [None, -30, 0, 12, 40])
def test_panel_is_the_same_as_with_the_orm_read(readers, monkeypatch, days):
    """The panel's context on several days (late or not), for every reader: the same with
    the compiled read as with the ORM's, in as many queries (one)."""
    if days is not None:
        day = timezone.localdate() + datetime.timedelta(days=days)
        monkeypatch.setattr(selectors, "today", lambda: day)
    rf = RequestFactory()
    for name, user in readers.items():
        request = rf.get("/")
        request.user = user
        with CaptureQueriesContext(connection) as compiled_queries:
            compiled = registry._home_tasks(request)
        with monkeypatch.context() as m:
            _orm_read(m)
            with CaptureQueriesContext(connection) as orm_queries:
                expected = registry._home_tasks(request)
        assert compiled == expected, name
        assert len(compiled_queries) == len(orm_queries) == 1, name
        if name == "nothing_given":
            assert compiled is None


def test_home_page_html_is_the_same_as_with_the_orm_read(client, readers, monkeypatch):
    for name in ("paris_member", "two_offices", "lyon_secretary", "no_member"):
        client.force_login(readers[name])
        page = client.get(reverse("core:home")).content.decode()
        with monkeypatch.context() as m:
            _orm_read(m)
            before = client.get(reverse("core:home")).content.decode()
        assert without_csrf(page) == without_csrf(before), name
        assert 'id="panel-kits_tasks"' in page and "Tâche " in page, name


def test_the_day_is_not_in_the_statement(readers, monkeypatch):
    """The panel's words change with the day, the statement does not."""
    user = readers["two_offices"]
    request = RequestFactory().get("/")
    request.user = user
    metas = set()
    for days in (-30, 0, 40):
        day = timezone.localdate() + datetime.timedelta(days=days)
        monkeypatch.setattr(selectors, "today", lambda day=day: day)
        metas.add(tuple(line["meta"] for line in registry._home_tasks(request)["lines"]))
    assert len(metas) == 3
    assert len({k for k in statements._STATEMENTS._data if k[0] == "kits.home_tasks"}) == 1


def test_only_the_users_id_is_read(readers):
    """The user is the statement's one slot: a stand-in with the same id reads the same."""
    stand_in = types.SimpleNamespace(pk=readers["paris_member"].pk)
    assert selectors.home_tasks(stand_in) == orm_tasks(readers["paris_member"])
