"""Statements compiled once: the same rows as the queryset, values given at execution."""

import datetime

import pytest
from django.db import connection
from django.db.models import IntegerField

from fede.core.models import OutgoingMail
from fede.core.statements import Slot, bind, compiled, sql_of, where_of


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_statement_compiled_once_reads_what_its_queryset_reads_for_each_value():
    older = OutgoingMail.objects.create(subject="Ancien", body="x", to=["a@example.org"])
    newer = OutgoingMail.objects.create(subject="Récent", body="x", to=["b@example.org"])
    moment = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    OutgoingMail.objects.filter(pk=older.pk).update(created_at=moment - datetime.timedelta(days=1))
    OutgoingMail.objects.filter(pk=newer.pk).update(created_at=moment + datetime.timedelta(days=1))
    built = []

    def build():
        built.append(1)
        queryset = (
            OutgoingMail.objects.filter(created_at__lt=Slot("before"))
            .exclude(pk=Slot("skip", IntegerField()))
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        return sql_of(queryset)

    for skip in (0, older.pk):
        for before in (moment, moment + datetime.timedelta(days=2)):
            sql, params = compiled(("test-mails", connection.alias), build)
            got = _rows(sql, bind(params, {"before": before, "skip": skip}))
            expected = list(
                OutgoingMail.objects.filter(created_at__lt=before)
                .exclude(pk=skip)
                .values_list("pk", flat=True)
                .order_by("pk")
            )
            assert got == expected
    assert len(built) == 1


@pytest.mark.django_db
def test_where_of_a_query_with_no_condition_or_an_impossible_one():
    assert where_of(OutgoingMail.objects.all().query) == ("", ())
    assert where_of(OutgoingMail.objects.none().query) == ("1 = 0", ())
    sql, params = where_of(OutgoingMail.objects.filter(subject="Objet").query)
    assert "subject" in sql and params == ("Objet",)


@pytest.mark.django_db
def test_values_and_instances_give_what_the_queryset_gives():
    """Rows converted as the ORM converts them (instants are aware datetimes on every
    backend), model instances with their related objects and annotations, the statement
    built once for all values."""
    from django.db.models import BooleanField, Exists, OuterRef

    from fede.core.statements import instances, values

    first = OutgoingMail.objects.create(subject="Un", body="x", to=["a@example.org"])
    second = OutgoingMail.objects.create(subject="Deux", body="y", to=["b@example.org"])
    built = []

    def rows_queryset():
        built.append("values")
        return (
            OutgoingMail.objects.filter(pk__gte=Slot("from", IntegerField()))
            .order_by("pk")
            .values_list("pk", "subject", "created_at", "to")
        )

    def objects_queryset():
        built.append("instances")
        later = OutgoingMail.objects.filter(pk__gt=OuterRef("pk"))
        return (
            OutgoingMail.objects.filter(pk__gte=Slot("from", IntegerField()))
            .annotate(has_later=Exists(later, output_field=BooleanField()))
            .order_by("pk")
        )

    for start in (first.pk, second.pk, second.pk + 1):
        got = values(("test-values", connection.alias), rows_queryset, {"from": start})
        expected = list(
            OutgoingMail.objects.filter(pk__gte=start)
            .order_by("pk")
            .values_list("pk", "subject", "created_at", "to")
        )
        assert got == expected
        assert all(row[2].tzinfo is not None for row in got)
        objects = instances(("test-objects", connection.alias), objects_queryset, {"from": start})
        assert [(o.pk, o.subject, o.created_at, o.has_later) for o in objects] == [
            (o.pk, o.subject, o.created_at, o.pk == first.pk)
            for o in OutgoingMail.objects.filter(pk__gte=start).order_by("pk")
        ]
        assert all(not o._state.adding and o._state.db == connection.alias for o in objects)
    assert built == ["values", "instances"]


@pytest.mark.django_db
def test_instances_fill_select_related_objects(django_user_model):
    """A model read with ``select_related``: the related object is there, no query more."""
    from django.test.utils import CaptureQueriesContext

    from fede.core.models import AccessLog
    from fede.core.statements import instances

    user = django_user_model.objects.create_user(email="lea@example.org", password="x")
    log = AccessLog.objects.create(actor=user, action=AccessLog.Action.LIST, code="test")

    def build():
        return AccessLog.objects.select_related("actor").filter(pk=Slot("log", IntegerField()))

    (found,) = instances(("test-related", connection.alias), build, {"log": log.pk})
    with CaptureQueriesContext(connection) as ctx:
        assert found.actor.email == "lea@example.org"
        assert found.code == "test"
    assert len(ctx.captured_queries) == 0


@pytest.mark.django_db
def test_a_queryset_that_can_match_nothing_runs_no_query():
    """As the ORM: a condition that matches nothing (an empty ``__in``, a reader with no
    scope) gives no rows and sends nothing to the database."""
    from django.test.utils import CaptureQueriesContext

    from fede.core.statements import instances, values

    OutgoingMail.objects.create(subject="Un", body="x", to=["a@example.org"])
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(2):
            assert (
                values(
                    ("test-none", "v"),
                    lambda: OutgoingMail.objects.filter(pk__in=[]).values_list("pk"),
                    {},
                )
                == []
            )
            assert (
                instances(("test-none", "i"), lambda: OutgoingMail.objects.filter(pk__in=[]), {})
                == []
            )
    assert len(ctx.captured_queries) == 0


def test_a_compiled_object_view_takes_a_function():
    """object_view(compiled=True) builds its statement from a function of nothing: a model
    or a queryset given instead is refused when the view is declared, not at run time."""
    from fede.core.access import object_view

    for source in (OutgoingMail, OutgoingMail.objects.all()):
        with pytest.raises(TypeError):
            object_view(source, "members.view", compiled=True)
    assert callable(object_view(OutgoingMail.objects.all, "members.view", compiled=True))


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_statement_run_often_is_prepared_and_reads_the_same_rows():
    """Values sent apart from the SQL (the text is the same on each call), the statement
    prepared on the connection after ``prepare_threshold`` runs: the rows stay those of the
    queryset — before, after, and after a transaction that rolled back; the query is still
    counted like any other."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from fede.core.statements import values

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    mails = [
        OutgoingMail.objects.create(subject=f"Objet {i}", body="x", to=[f"{i}@example.org"])
        for i in range(3)
    ]

    def build():
        return (
            OutgoingMail.objects.filter(pk__gte=Slot("from", IntegerField()))
            .order_by("pk")
            .values_list("pk", "subject")
        )

    def read(start):
        return values(("test-prepared", connection.alias), build, {"from": start})

    threshold = connection.connection.prepare_threshold
    assert threshold is not None
    for run in range(threshold + 3):
        start = mails[run % 3].pk
        expected = list(
            OutgoingMail.objects.filter(pk__gte=start).order_by("pk").values_list("pk", "subject")
        )
        assert read(start) == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"core_outgoingmail"."subject"' in sql for sql in prepared)

    with pytest.raises(RuntimeError), transaction.atomic():
        OutgoingMail.objects.filter(pk=mails[0].pk).update(subject="Changé")
        assert read(mails[0].pk)[0] == (mails[0].pk, "Changé")
        raise RuntimeError
    with CaptureQueriesContext(connection) as ctx:
        assert read(mails[0].pk) == [(m.pk, m.subject) for m in mails]
    assert len(ctx.captured_queries) == 1
