"""The member import under faults: all or nothing, retried after a failure or a dead
worker, and never run inside a request."""

import datetime
import html
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from fede.core.models import AccessLog, TaskProgress
from fede.core.tasks import recover_stuck_tasks
from fede.organization import imports
from fede.organization.models import Member, Role
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)
from fede.organization.tests.test_imports import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    federation = make_federation(code="FED75")
    s11 = make_section(federation, name="Paris 11 – Folie-Méricourt", code="S75-11-1")
    make_section(federation, name="Paris 15 – Grenelle", code="S75-15-3")
    return make_officer(federation, Role.FEDERAL_STAFF, section=s11)


def _file(existing: int = 3, new: int = 7) -> bytes:
    """Rows changing the ``existing`` first members (see _existing) and creating ``new``."""
    rows = [row(f"7510{n:04d}", ville="Montreuil") for n in range(existing)]
    rows += [row(f"7520{n:04d}") for n in range(new)]
    return csv_bytes(rows)


def _existing(count: int = 3) -> None:
    section = make_section(make_federation(code="FED93"), code="S93-00-1")
    del section
    from fede.organization.models import Unit

    s11 = Unit.objects.get(code="S75-11-1")
    for n in range(count):
        MemberFactory(membership_number=f"7510{n:04d}", section=s11, city="Paris")


def _upload(client, captured, data: bytes, name="adherents.csv") -> TaskProgress:
    with captured(execute=True):
        client.post(
            reverse("organization:member_import"),
            {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        )
    return TaskProgress.objects.filter(result__dry_run_progress__isnull=True).latest("created_at")


def _confirm(client, captured, dry_run: TaskProgress):
    with captured(execute=True):
        return client.post(reverse("organization:member_import_confirm", args=[dry_run.pk]))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _imported() -> int:
    return Member.objects.filter(membership_number__startswith="752").count()


def _moved() -> int:
    return Member.objects.filter(city="Montreuil").count()


# --- All or nothing ----------------------------------------------------------------------


def test_an_error_at_the_end_of_the_write_leaves_the_file_as_before_and_can_be_retried(
    client, staff, django_capture_on_commit_callbacks, monkeypatch
):
    """The write fails after the last batch (here: the access-log line): nothing of the
    import remains, the task is failed with a French message on a report page that
    exists, and confirming the same dry run again imports everything."""
    _existing()
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)  # several batches
    client.force_login(staff)
    dry_run = _upload(client, django_capture_on_commit_callbacks, _file())
    assert dry_run.status == TaskProgress.Status.DONE

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "log_access", broken)
    response = _confirm(client, django_capture_on_commit_callbacks, dry_run)

    assert (_imported(), _moved()) == (0, 0)
    assert not AccessLog.objects.filter(action=AccessLog.Action.IMPORT).exists()
    failed = TaskProgress.objects.get(result__dry_run_progress=str(dry_run.pk))
    assert failed.status == TaskProgress.Status.FAILED
    assert "rien n'a été enregistré" in failed.message
    report_url = reverse("organization:member_import_report", args=[failed.pk])
    assert response.url in (failed.get_absolute_url(), report_url)
    assert failed.result_url == report_url
    page = client.get(report_url)
    assert page.status_code == 200
    assert "Relancer l'import" in _text(page)
    dry_run_page = client.get(reverse("organization:member_import_report", args=[dry_run.pk]))
    assert "Relancer l'import" in _text(dry_run_page)

    monkeypatch.undo()
    response = _confirm(client, django_capture_on_commit_callbacks, dry_run)

    retried = TaskProgress.objects.filter(result__dry_run_progress=str(dry_run.pk)).latest(
        "created_at"
    )
    assert retried.pk != failed.pk and retried.status == TaskProgress.Status.DONE
    assert (_imported(), _moved()) == (7, 3)
    log = AccessLog.objects.get(action=AccessLog.Action.IMPORT)
    assert log.row_count == 10 and log.params["created"] == 7


def test_a_member_created_during_the_write_makes_the_whole_import_fail(
    staff, tmp_path, monkeypatch
):
    """A conflicting member created while the import stages its rows: the import stops
    and writes none of its rows (it used to leave 88,000 of 100,000 written)."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    path = tmp_path / "adherents.csv"
    path.write_bytes(_file(existing=0, new=7))
    original = imports._Stage.add
    calls = []

    def add_then_conflict(self, plan, offset):
        original(self, plan, offset)
        calls.append(1)
        if len(calls) == 3:  # the last batch: someone creates member 75200000 meanwhile
            from fede.organization.models import Unit

            MemberFactory(membership_number="75200000", section=Unit.objects.get(code="S75-11-1"))

    monkeypatch.setattr(imports._Stage, "add", add_then_conflict)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        imports.import_members(path, actor=staff, dry_run=False)

    assert _imported() == 1  # only the member created meanwhile
    assert not AccessLog.objects.filter(action=AccessLog.Action.IMPORT).exists()
    assert "a changé pendant l'import" in imports._failure_message(IntegrityError(), False)


def test_confirming_again_after_a_dead_worker_starts_a_new_run(
    client, staff, django_capture_on_commit_callbacks
):
    """An import whose worker died stays "running" without reports: confirming again no
    longer sends the user back to its page forever, but marks it interrupted and starts
    a new run."""
    client.force_login(staff)
    dry_run = _upload(client, django_capture_on_commit_callbacks, _file(existing=0))
    with django_capture_on_commit_callbacks(execute=False):  # the worker never runs it
        stuck = imports.member_import_confirm(dry_run_progress=dry_run, actor=staff)
    TaskProgress.objects.filter(pk=stuck.pk).update(
        status=TaskProgress.Status.RUNNING,
        done=6,
        total=21,
        updated_at=timezone.now() - datetime.timedelta(hours=1),
    )
    stuck.refresh_from_db()
    assert stuck.is_stuck
    page = client.get(reverse("organization:member_import_report", args=[stuck.pk]))
    assert page.status_code == 200
    assert "interrompue" in _text(page)

    response = _confirm(client, django_capture_on_commit_callbacks, dry_run)

    stuck.refresh_from_db()
    assert stuck.status == TaskProgress.Status.FAILED
    new = TaskProgress.objects.filter(result__dry_run_progress=str(dry_run.pk)).latest("created_at")
    assert new.pk != stuck.pk and new.status == TaskProgress.Status.DONE
    assert response.url in (
        new.get_absolute_url(),
        reverse("organization:member_import_report", args=[new.pk]),
    )
    assert _imported() == 7
    # Done: a further click starts nothing more.
    _confirm(client, django_capture_on_commit_callbacks, dry_run)
    assert TaskProgress.objects.filter(result__dry_run_progress=str(dry_run.pk)).count() == 2


_WORKER = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.core.management import call_command
    from fede.organization import imports

    def hang(**kwargs):
        # Every row is written, inside the one transaction, not yet committed.
        print("applying", flush=True)
        time.sleep(120)

    imports.log_access = hang
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    """
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="a real worker process needs a database shared between processes",
)
def test_a_worker_killed_during_the_write_leaves_the_member_file_as_before(client, staff, settings):
    """SIGKILL of the db_worker while it applies the import: the member file is exactly
    as before, the task is recovered as failed, and the retry imports everything."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _existing()
    client.force_login(staff)
    client.post(
        reverse("organization:member_import"),
        {"file": SimpleUploadedFile("adherents.csv", _file(new=300), content_type="text/csv")},
    )
    dry_run = TaskProgress.objects.get()
    assert dry_run.status == TaskProgress.Status.PENDING  # queued, not run by the request
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fede.settings",
        "FEDE_TESTING": "1",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **{**connection.settings_dict, "HOST": connection.settings_dict["HOST"] or "127.0.0.1"}
        ),
    }
    root = Path(django_settings.BASE_DIR)
    worker = [
        sys.executable,
        "-c",
        "import django; django.setup(); "
        "from django.core.management import call_command; "
        "call_command('db_worker', batch=True, no_startup_delay=True, verbosity=0)",
    ]
    subprocess.run(worker, env=env, cwd=root, check=True, timeout=120)  # the dry run
    dry_run.refresh_from_db()
    assert dry_run.status == TaskProgress.Status.DONE, dry_run.message
    client.post(reverse("organization:member_import_confirm", args=[dry_run.pk]))
    before = Member.objects.count()

    process = subprocess.Popen(
        [sys.executable, "-c", _WORKER], env=env, cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "applying"
        assert Member.objects.count() == before  # not committed yet
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert Member.objects.count() == before
    assert (_imported(), _moved()) == (0, 0)
    assert not AccessLog.objects.filter(action=AccessLog.Action.IMPORT).exists()
    running = TaskProgress.objects.get(result__dry_run_progress=str(dry_run.pk))
    assert running.status == TaskProgress.Status.RUNNING
    assert recover_stuck_tasks(now=timezone.now() + datetime.timedelta(hours=3)) == 1
    running.refresh_from_db()
    assert running.status == TaskProgress.Status.FAILED

    # The user confirms again: a new run, done by a live worker.
    client.post(reverse("organization:member_import_confirm", args=[dry_run.pk]))
    subprocess.run(worker, env=env, cwd=root, check=True, timeout=120)
    new = TaskProgress.objects.filter(result__dry_run_progress=str(dry_run.pk)).latest("created_at")
    assert new.pk != running.pk and new.status == TaskProgress.Status.DONE, new.message
    assert Member.objects.count() == before + 300
    assert (_imported(), _moved()) == (300, 3)
    assert AccessLog.objects.get(action=AccessLog.Action.IMPORT).row_count == 303


# --- Off the request --------------------------------------------------------------------


def test_upload_and_confirm_only_queue_tasks_with_the_database_worker(
    client, staff, settings, django_capture_on_commit_callbacks
):
    """With the database backend the request saves the file and queues the task: neither
    the check nor the import runs inside it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(staff)
    dry_run = _upload(client, django_capture_on_commit_callbacks, _file(existing=0))
    assert dry_run.status == TaskProgress.Status.PENDING
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    # Run the queued dry run as the worker would, then confirm.
    result = DBTaskResult.objects.get()
    result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    dry_run.refresh_from_db()
    assert dry_run.status == TaskProgress.Status.DONE

    response = _confirm(client, django_capture_on_commit_callbacks, dry_run)

    imported = TaskProgress.objects.get(result__dry_run_progress=str(dry_run.pk))
    assert response.url == imported.get_absolute_url()
    assert imported.status == TaskProgress.Status.PENDING and _imported() == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 2
