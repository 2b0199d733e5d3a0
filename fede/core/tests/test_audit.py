"""The two trails: coded, translated when read, scoped, and redacted after an erasure."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fede.core import registry
from fede.core.access import SYSTEM
from fede.core.audit import audit, changed_fields, log_access, redact, scope_of
from fede.core.models import AccessLog, AuditEntry

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _test_actions():
    registry.register(
        registry.AppDeclaration(
            label="core_tests",
            actions={
                # Texts the catalogue already translates, so the test reads both languages.
                "tests.export": _("Export"),
                "tests.rename": _("Modification"),
                "tests.params": "%(rows)s × %(what)s",
            },
        )
    )
    yield
    registry._APPS.pop("core_tests", None)


def test_log_access_writes_who_what_object_scope_and_rows():
    actor = UserFactory()
    subject = UserFactory(email="subject@example.org")
    entry = log_access(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        code="tests.export",
        params={"rows": 128},
        obj=subject,
        scope=SimpleNamespace(path="0001.0002."),
        row_count=128,
        detail={"format": "xlsx", "since": datetime.date(2026, 1, 1)},
    )
    row = AccessLog.objects.get()
    assert row == entry
    assert row.actor == actor
    assert (row.action, row.code, row.params) == ("export", "tests.export", {"rows": 128})
    assert row.scope_path == "0001.0002."
    assert row.object_type == "accounts.user"
    assert row.object_id == str(subject.pk)
    assert row.row_count == 128
    assert row.detail == {"format": "xlsx", "since": "2026-01-01"}
    assert row.created_at is not None


def test_entries_are_rendered_in_the_readers_language():
    log_access(actor=None, action=AccessLog.Action.VIEW, code="tests.rename")
    row = AccessLog.objects.get()
    with translation.override("fr"):
        assert row.text == "Modification"
    with translation.override("en"):
        assert row.text == "Change"
    row.code, row.params = "tests.params", {"rows": 3, "what": "x"}
    assert row.text == "3 × x"


def test_old_rows_and_unknown_codes_still_read():
    AccessLog.objects.create(action="view", what="Fiche d'un adhérent")
    AccessLog.objects.create(action="view", code="gone.code")
    texts = sorted(row.text for row in AccessLog.objects.all())
    assert texts == ["Fiche d'un adhérent", "gone.code"]


def test_anonymous_and_system_actors_are_stored_without_a_user():
    log_access(actor=AnonymousUser(), action=AccessLog.Action.VIEW, code="tests.export")
    entry = audit(actor=SYSTEM, code="tests.rename")
    assert AccessLog.objects.get().actor is None
    assert entry.actor is None and entry.by_system is True


def test_audit_records_the_changed_fields():
    actor = UserFactory()
    subject = UserFactory(first_name="Aude")
    changes = changed_fields(
        subject, {"first_name": "Elsa", "last_name": subject.last_name, "is_active": True}
    )
    assert changes == {"first_name": ["Aude", "Elsa"]}
    entry = audit(actor=actor, code="tests.rename", obj=subject, changes=changes)
    assert AuditEntry.objects.get() == entry
    assert entry.actor == actor and entry.by_system is False
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(subject.pk))
    assert entry.changes == {"first_name": ["Aude", "Elsa"]}
    with translation.override("en"):
        assert entry.text == "Change"
    assert changed_fields(SimpleNamespace(amount=Decimal("5")), {"amount": Decimal("7")}) == {
        "amount": ["5", "7"]
    }


def test_trails_are_read_within_the_readers_scope():
    for path in ("0001.", "0001.0002.", "0003."):
        audit(actor=None, code="tests.rename", scope=SimpleNamespace(path=path))
        log_access(actor=None, action="view", code="tests.export", scope=SimpleNamespace(path=path))
    for model in (AuditEntry, AccessLog):
        assert sorted(model.objects.within(["0001."]).values_list("scope_path", flat=True)) == [
            "0001.",
            "0001.0002.",
        ]
        assert model.objects.within([]).count() == 0
        assert model.objects.within([""]).count() == 3


def test_redact_keeps_only_ids_in_the_trails_of_an_erased_person():
    subject = UserFactory()
    other = UserFactory()
    audit(actor=None, code="tests.rename", obj=subject, changes={"first_name": ["A", "B"]})
    audit(actor=None, code="tests.rename", obj=other, changes={"first_name": ["C", "D"]})
    log_access(actor=None, action="view", code="tests.export", obj=subject, params={"rows": 1})

    redact([subject])

    mine = AuditEntry.objects.about(subject).get()
    assert (mine.code, mine.object_id, mine.changes) == ("tests.rename", str(subject.pk), {})
    assert AuditEntry.objects.about(other).get().changes == {"first_name": ["C", "D"]}
    assert AccessLog.objects.about(subject).get().params == {}


def test_scope_of_reads_a_path_or_a_permission_unit():
    unit = SimpleNamespace(path="0001.")
    assert scope_of(unit) == "0001."
    assert scope_of(SimpleNamespace(permission_unit=unit)) == "0001."
    assert scope_of(None) == ""
