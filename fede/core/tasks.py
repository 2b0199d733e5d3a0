"""Long jobs run as background tasks, with a progress page the user can watch.

Background work uses the Django Tasks API (``django-tasks``; the same API moves into
Django 6). ``settings.TASKS`` picks the backend: ``ImmediateBackend`` in tests, the demo
and development (the task runs inside ``enqueue()``), ``django_tasks_db.DatabaseBackend``
in production, where ``manage.py db_worker`` processes run the queue (several machines may
run workers: rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL).

A job the user waits for gets a :class:`~fede.core.models.TaskProgress` row, and the page
``core:task_progress`` (owner only, 404 for anyone else) shows it and refreshes itself
with htmx until the job is finished. The pattern, in an app's ``tasks.py``::

    from django.urls import reverse
    from django.utils.translation import gettext, gettext_noop
    from django_tasks import task

    from fede.core.tasks import progress_finish, progress_guard, progress_update

    @task()
    def members_import(progress_id: str, upload_name: str) -> None:
        with progress_guard(progress_id):          # marks the progress failed on error
            rows = read_rows(upload_name)
            progress_update(progress_id, total=len(rows), message=gettext("Import…"))
            for number, row in enumerate(rows, start=1):
                member_import_row(row=row)         # the service does the writes
                if number % 100 == 0:
                    progress_update(progress_id, done=number)
            progress_finish(
                progress_id,
                message=gettext("%(count)s adhérents importés.") % {"count": len(rows)},
                result_url=reverse("organization:member_list"),
            )

and in the view (a POST)::

    progress = progress_start(owner=request.user, label=gettext("Import des adhérents"))
    transaction.on_commit(lambda: members_import.enqueue(str(progress.pk), name))
    return redirect(progress)  # the progress page

Notes:

- Task arguments are stored as JSON: pass ids and strings (``str(progress.pk)``), never
  model instances.
- Enqueue in ``transaction.on_commit`` so the worker never starts before the rows it
  needs are committed.
- Do not wrap a whole task in one ``transaction.atomic()``: its progress updates would only
  become visible at the end. Let each step's service be atomic instead.
- The helpers below are single ``UPDATE`` statements: calling them often is cheap, but
  every 50–100 items is plenty for a progress bar.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from .models import TaskProgress

logger = logging.getLogger(__name__)

_FINISHED = (TaskProgress.Status.DONE, TaskProgress.Status.FAILED)


def progress_start(*, owner, label: str, total: int = 0) -> TaskProgress:
    """Create the progress row of a job about to be enqueued (status "En attente")."""
    return TaskProgress.objects.create(owner=owner, label=label[:200], total=max(0, total))


def progress_update(
    progress_id: UUID | str,
    *,
    done: int | None = None,
    total: int | None = None,
    message: str | None = None,
) -> None:
    """Record how far a running job is (status becomes "En cours").

    Only the given values change. A finished progress is left alone, so a late update
    cannot bring a finished job back to life.
    """
    changes: dict[str, Any] = {
        "status": TaskProgress.Status.RUNNING,
        "updated_at": timezone.now(),
    }
    if done is not None:
        changes["done"] = max(0, done)
    if total is not None:
        changes["total"] = max(0, total)
    if message is not None:
        changes["message"] = message
    TaskProgress.objects.filter(pk=progress_id).exclude(status__in=_FINISHED).update(**changes)


def progress_finish(
    progress_id: UUID | str,
    *,
    message: str = "",
    result_url: str = "",
    result: dict[str, Any] | None = None,
    failed: bool = False,
) -> None:
    """Mark a job finished: "Terminé" (100 %) or, with ``failed=True``, "Échec".

    ``message`` is shown to the user (say what happened, in French); ``result_url`` gives
    a "Voir le résultat" button; ``result`` keeps a small JSON summary. A failure given no
    result keeps the one the job had recorded (its report page stays reachable).
    """
    changes: dict[str, Any] = {
        "status": TaskProgress.Status.FAILED if failed else TaskProgress.Status.DONE,
        "message": message,
        "updated_at": timezone.now(),
    }
    if not failed or result_url:
        changes["result_url"] = result_url[:300]
    if not failed or result is not None:
        changes["result"] = result or {}
    if not failed:
        changes["done"] = F("total")
    TaskProgress.objects.filter(pk=progress_id).update(**changes)


@contextmanager
def progress_guard(
    progress_id: UUID | str, *, failure_message: str | None = None
) -> Iterator[None]:
    """Inside a task: if the block raises, mark the progress failed, then re-raise.

    The user sees a plain French message instead of a bar stuck forever; the error itself
    goes to the log (and the task backend records the traceback).
    """
    try:
        yield
    except BaseException:
        # BaseException: a worker told to stop (SystemExit on the second SIGTERM,
        # KeyboardInterrupt) must not leave the page "En cours" forever either.
        logger.exception("Task with progress %s failed or was stopped", progress_id)
        progress_finish(
            progress_id,
            message=failure_message
            or gettext(
                "La tâche a échoué. Réessayez plus tard ; si l'erreur se répète, "
                "signalez-la à l'équipe technique."
            ),
            failed=True,
        )
        raise


INTERRUPTED = gettext_noop(
    "La tâche a été interrompue (arrêt du serveur ou du processus de fond) : rien n'a "
    "été enregistré de son travail inachevé. Vous pouvez la relancer."
)


def recover_stuck_tasks(*, now=None) -> int:
    """Mark failed the jobs whose worker died (no report for longer than the lease), and
    the task rows a dead worker left "running". Returns how many jobs were recovered."""
    from django.conf import settings as django_settings

    now = now or timezone.now()
    stuck = list(TaskProgress.objects.stuck(now).values_list("pk", flat=True))
    for progress_id in stuck:
        progress_finish(progress_id, message=gettext(INTERRUPTED), failed=True)
    if "django_tasks_db" in django_settings.INSTALLED_APPS:
        import datetime

        from django_tasks_db.models import DBTaskResult

        limit = now - datetime.timedelta(
            minutes=getattr(django_settings, "FEDE_TASK_MAX_MINUTES", 120)
        )
        DBTaskResult.objects.filter(status="RUNNING", started_at__lt=limit).update(
            status="FAILED",
            finished_at=now,
            exception_class_path="fede.core.tasks.WorkerLost",
            traceback="The worker stopped without finishing this task.",
        )
    if stuck:
        logger.warning("Recovered %s interrupted task(s)", len(stuck))
    return len(stuck)


class WorkerLost(Exception):
    """The worker running a task died (killed, machine restarted)."""


@contextmanager
def progress_heartbeat(progress_id: UUID | str | None, *, every: float = 30.0) -> Iterator[None]:
    """Keep a running job alive while it does one long step that cannot report (a big
    write in one transaction): a thread touches ``updated_at`` every ``every`` seconds
    through its own database connection, so the job is not taken for dead (see
    ``TaskProgress.is_stuck``) and its page keeps refreshing. If the process dies, the
    thread dies with it and the lease runs out as usual.

    PostgreSQL only (elsewhere, a second connection would wait on the step's write lock);
    does nothing without a progress id.
    """
    import threading

    from django.db import connection, connections

    if not progress_id or connection.vendor != "postgresql":
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                TaskProgress.objects.filter(
                    pk=progress_id, status=TaskProgress.Status.RUNNING
                ).update(updated_at=timezone.now())
        except Exception:  # a heartbeat must never break the job it keeps alive
            logger.exception("Heartbeat of task progress %s stopped", progress_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{progress_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
