"""Supports counted right under concurrent requests, held by the database."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from fede.consultations import services
from fede.consultations.models import Paragraph, ParagraphSupport
from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.organization.tests.factories import make_federation, make_member_user, make_section

PEOPLE = 12


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, concurrent connections)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_are_all_counted_and_doubles_absorbed():
    """12 members support one paragraph at the same moment, each twice, from 24 threads
    with their own connections: 12 rows, a count of 12, no error."""
    _skip_unless_postgres()
    federation = make_federation(code="FEDC")
    section = make_section(federation)
    paragraph = paragraphs(make_consultation(federation))[0]
    users = [make_member_user(section) for _ in range(PEOPLE)]
    attempts = users + users
    barrier = threading.Barrier(len(attempts))
    errors: list[str] = []
    lock = threading.Lock()

    def attempt(user):
        try:
            barrier.wait(timeout=30)
            services.paragraph_support(actor=user, paragraph=paragraph)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    paragraph.refresh_from_db()
    assert ParagraphSupport.objects.filter(paragraph=paragraph).count() == PEOPLE
    assert paragraph.support_count == PEOPLE


@pytest.mark.django_db
def test_the_unique_constraint_refuses_a_second_support_behind_the_services_back(
    federation, section_a, member_a
):
    paragraph = paragraphs(make_consultation(federation))[0]
    ParagraphSupport.objects.create(paragraph=paragraph, member=member_a.member)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphSupport.objects.create(paragraph=paragraph, member=member_a.member)
    assert Paragraph.objects.filter(pk=paragraph.pk).exists()
