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
