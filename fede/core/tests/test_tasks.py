"""Long jobs report their progress; only their owner sees the progress page."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.backends.immediate import ImmediateBackend

from fede.core.models import TaskProgress
from fede.core.tasks import progress_finish, progress_guard, progress_start, progress_update

from .factories import TaskProgressFactory, UserFactory

pytestmark = pytest.mark.django_db


@task()
def count_members(progress_id: str, total: int) -> int:
    """A tiny job shaped like a real one: counts, reports, finishes."""
    with progress_guard(progress_id):
        progress_update(progress_id, total=total, message="Comptage en cours")
        for number in range(1, total + 1):
            progress_update(progress_id, done=number)
        progress_finish(
            progress_id,
            message=f"{total} adhérents comptés.",
            result_url="/organisation/",
            result={"count": total},
        )
    return total


@task()
def broken_job(progress_id: str) -> None:
    with progress_guard(progress_id):
        progress_update(progress_id, total=10, done=3)
        raise RuntimeError("disk full")


def test_tests_run_tasks_immediately():
    """Tests and the demo use the immediate backend: enqueue() runs the task."""
    assert isinstance(count_members.get_backend(), ImmediateBackend)


def test_task_reports_progress_and_page_shows_done(client):
    """After the job, its owner sees "Terminé", 100 %, the message and the result link."""
    owner = UserFactory()
    progress = progress_start(owner=owner, label="Comptage des adhérents")
    assert progress.status == TaskProgress.Status.PENDING

    result = count_members.enqueue(str(progress.pk), 7)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 7

    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.DONE
    assert (progress.done, progress.total, progress.percent) == (7, 7, 100)
    assert progress.result == {"count": 7}

    client.force_login(owner)
    response = client.get(reverse("core:task_progress", args=[progress.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Comptage des adhérents</h1>" in html
    assert "Terminé" in html
    assert "100 %" in html
    assert "7 adhérents comptés." in html
    assert 'href="/organisation/"' in html
    assert "hx-trigger" not in html, "a finished job stops polling"


def test_failing_task_marks_progress_failed(client):
    """A crash shows "Échec" and a plain message instead of a bar stuck forever."""
    owner = UserFactory()
    progress = progress_start(owner=owner, label="Import")
    result = broken_job.enqueue(str(progress.pk))
    assert result.status == TaskResultStatus.FAILED

    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.FAILED
    assert progress.done == 3

    client.force_login(owner)
    html = client.get(progress.get_absolute_url()).content.decode()
    assert "Échec" in html
    assert "La tâche a échoué" in html
    assert "disk full" not in html, "technical details stay in the log"


def test_other_user_gets_404():
    """Someone else's job does not exist for you."""
    progress = TaskProgressFactory()
    client = Client()
    client.force_login(UserFactory())
    response = client.get(reverse("core:task_progress", args=[progress.pk]))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    progress = TaskProgressFactory()
    response = client.get(progress.get_absolute_url())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_htmx_request_gets_only_the_progress_partial(client):
    """htmx polls the #progress fragment: no layout, no <h1>, still polling while running."""
    progress = TaskProgressFactory(total=4)
    progress_update(progress.pk, done=1)
    client.force_login(progress.owner)

    response = client.get(progress.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<div id="progress"')
    assert "<html" not in html and "<h1" not in html
    assert "En cours" in html
    assert "25 %" in html
    assert f'hx-get="{progress.get_absolute_url()}"' in html

    full = client.get(progress.get_absolute_url()).content.decode()
    assert "<html" in full and 'id="progress"' in full


def test_progress_page_is_never_cached(client):
    progress = TaskProgressFactory()
    client.force_login(progress.owner)
    response = client.get(progress.get_absolute_url())
    assert "no-cache" in response["Cache-Control"]


def test_update_does_not_revive_a_finished_job():
    progress = TaskProgressFactory(total=5)
    progress_finish(progress.pk, message="Fini")
    progress_update(progress.pk, done=2, message="en retard")
    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.DONE
    assert (progress.done, progress.message) == (5, "Fini")


def test_update_changes_only_what_is_given():
    progress = TaskProgressFactory(total=10, message="Départ")
    progress_update(progress.pk, done=4)
    progress.refresh_from_db()
    assert (progress.status, progress.done, progress.total, progress.message) == (
        TaskProgress.Status.RUNNING,
        4,
        10,
        "Départ",
    )


def test_update_is_one_query(django_assert_num_queries):
    progress = TaskProgressFactory()
    with django_assert_num_queries(1):
        progress_update(progress.pk, done=1, total=2, message="x")
    with django_assert_num_queries(1):
        progress_finish(progress.pk)


def test_a_stopped_worker_does_not_leave_the_page_running():
    """SystemExit (a worker's second SIGTERM) marks the progress failed, like an error."""
    owner = UserFactory()
    progress = progress_start(owner=owner, label="Import")
    with pytest.raises(SystemExit), progress_guard(progress.pk):
        progress_update(progress.pk, done=5, total=10)
        raise SystemExit(1)
    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.FAILED


def test_a_job_whose_worker_died_is_shown_interrupted_and_recovered(client):
    """No report for longer than the lease: the page says "Interrompue", and the recovery
    command marks it failed so it can be run again."""
    import datetime

    import time_machine
    from django.core.management import call_command

    owner = UserFactory()
    progress = progress_start(owner=owner, label="Import")
    progress_update(progress.pk, done=60000, total=200000)
    client.force_login(owner)
    assert "Interrompue" not in client.get(progress.get_absolute_url()).content.decode()
    later = timezone.now() + datetime.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        page = client.get(progress.get_absolute_url()).content.decode()
        assert "Interrompue" in page and "hx-trigger" not in page
        call_command("recover_tasks", stdout=io.StringIO())
    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.FAILED
    assert "interrompue" in progress.message
