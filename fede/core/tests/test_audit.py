"""Every export or bulk read leaves one line in the access log."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fede.core.audit import log_access
from fede.core.models import AccessLog

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_log_access_writes_who_what_object_and_rows():
    actor = UserFactory()
    subject = UserFactory(email="subject@example.org")
    entry = log_access(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        what="Adhérents de Paris 11",
        obj=subject,
        row_count=128,
        detail={"format": "xlsx"},
    )
    row = AccessLog.objects.get()
    assert row == entry
    assert row.actor == actor
    assert row.action == "export"
    assert row.what == "Adhérents de Paris 11"
    assert row.object_type == "accounts.user"
    assert row.object_id == str(subject.pk)
    assert row.row_count == 128
    assert row.detail == {"format": "xlsx"}
    assert row.created_at is not None


def test_anonymous_actor_is_stored_as_none_and_long_text_cut():
    log_access(actor=AnonymousUser(), action=AccessLog.Action.VIEW, what="x" * 300)
    row = AccessLog.objects.get()
    assert row.actor is None
    assert len(row.what) == 200
    assert (row.object_type, row.object_id, row.row_count, row.detail) == ("", "", None, {})
