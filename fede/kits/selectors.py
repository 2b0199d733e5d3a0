"""Reads of the kits app, with their joins: library, boards, « Mes tâches », usage figures,
federation overview, documents filled from a section."""

from __future__ import annotations

import datetime
import re
import statistics
from collections import defaultdict

from django.db import router
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fede.core.lists import PK_MARK
from fede.core.statements import Slot
from fede.core.statements import values as compiled_values
from fede.organization.models import Mandate, Role, Unit
from fede.organization.roles import grant_paths, units_q

from .models import Feedback, Kit, KitVersion, Run, Task, TaskComment


def today() -> datetime.date:
    return timezone.localdate()


# --- Library -------------------------------------------------------------------------------


def library(actor, *, category: str = ""):
    """Published versions of the library (authors also see kits not yet published)."""
    authors = bool(grant_paths(actor, "kits.author"))
    statuses = [KitVersion.Status.PUBLISHED]
    qs = KitVersion.objects.filter(status__in=statuses)
    if authors:
        never_published = ~Exists(
            KitVersion.objects.filter(kit=OuterRef("kit"), status=KitVersion.Status.PUBLISHED)
        )
        qs = KitVersion.objects.filter(
            Q(status=KitVersion.Status.PUBLISHED)
            | (Q(status=KitVersion.Status.DRAFT) & never_published)
        )
    if category:
        qs = qs.filter(category=category)
    return (
        qs.select_related("kit")
        .annotate(step_count=Count("steps", distinct=True))
        .order_by("category", "title")
    )


def kit_versions(kit: Kit):
    return kit.versions.order_by("-number").annotate(run_count=Count("runs"))


def version_detail_queryset():
    return KitVersion.objects.select_related("kit", "published_by").prefetch_related(
        "steps", "templates"
    )


# --- Runs and tasks ------------------------------------------------------------------------


def runnable_sections(actor):
    """Sections where ``actor`` may run a kit."""
    return Unit.objects.in_scope(actor, "kits.run").sections().active().order_by("name")


def run_detail_queryset():
    return Run.objects.select_related("section", "version", "kit", "event", "started_by")


def run_tasks(run: Run):
    return (
        run.tasks.select_related("assignee", "step")
        .prefetch_related("items")
        .annotate(comment_count=Count("comments"))
        .order_by("due_date", "order")
    )


def run_progress(run_ids: list[int]) -> dict[int, dict]:
    """{run id: {"total", "closed", "overdue", "percent"}} in one query."""
    if not run_ids:
        return {}
    rows = (
        Task.objects.filter(run_id__in=run_ids)
        .values("run_id")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status__in=[Task.Status.DONE, Task.Status.NOT_APPLICABLE])),
            overdue=Count(
                "pk",
                filter=Q(
                    status__in=[Task.Status.TODO, Task.Status.IN_PROGRESS], due_date__lt=today()
                ),
            ),
        )
    )
    result = {}
    for row in rows:
        total = row["total"] or 0
        result[row["run_id"]] = {
            **row,
            "percent": round(100 * row["closed"] / total) if total else 100,
        }
    return result


def section_runs(section: Unit, *, finished: bool = False):
    statuses = [Run.Status.COMPLETED, Run.Status.CANCELLED] if finished else [Run.Status.ACTIVE]
    return (
        Run.objects.filter(section=section, status__in=statuses)
        .select_related("version", "kit")
        .order_by("-target_date" if finished else "target_date", "pk")
    )


def section_open_tasks(section: Unit):
    """Open tasks of the section's active runs, earliest deadline first (the board): the
    columns a row shows only."""
    return (
        Task.objects.open()
        .filter(run__section=section, run__status=Run.Status.ACTIVE)
        .select_related("run", "assignee")
        .only(
            "title",
            "due_date",
            "status",
            "run__title",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__email",
        )
        .order_by("due_date", "run_id", "order")
    )


def section_board_runs(section: Unit) -> list[dict]:
    """The section's active runs, each with its progress (as :func:`run_progress`), in one
    query: the values a line of the board shows."""
    open_statuses = [Task.Status.TODO, Task.Status.IN_PROGRESS]
    rows = (
        Run.objects.filter(section=section, status=Run.Status.ACTIVE)
        .order_by("target_date", "pk")
        .values("pk", "title", "target_date", "version__title", "version__number")
        .annotate(
            total=Count("tasks"),
            closed=Count(
                "tasks",
                filter=Q(tasks__status__in=[Task.Status.DONE, Task.Status.NOT_APPLICABLE]),
            ),
            overdue=Count(
                "tasks", filter=Q(tasks__status__in=open_statuses, tasks__due_date__lt=today())
            ),
            # Their sum is the number of the board's tasks (section_open_tasks).
            open=Count("tasks", filter=Q(tasks__status__in=open_statuses)),
        )
    )
    runs = list(rows)
    for run in runs:
        total = run["total"]
        run["percent"] = round(100 * run["closed"] / total) if total else 100
    return runs


def section_finished_runs(section: Unit, limit: int = 20) -> list[tuple]:
    """(pk, title, target date, status) of the section's last finished runs."""
    return list(
        Run.objects.filter(section=section, status__in=[Run.Status.COMPLETED, Run.Status.CANCELLED])
        .order_by("-target_date", "pk")
        .values_list("pk", "title", "target_date", "status")[:limit]
    )


def my_tasks(user, *, done: bool = False):
    """The tasks given to ``user`` in active runs (or the ones they have closed)."""
    qs = Task.objects.filter(assignee=user, run__status=Run.Status.ACTIVE)
    qs = qs.exclude(status__in=[Task.Status.TODO, Task.Status.IN_PROGRESS]) if done else qs.open()
    return (
        qs.select_related("run", "run__section")
        .only("title", "due_date", "status", "run__title", "run__section__name")
        .order_by("-due_date" if done else "due_date", "pk")
    )


def home_tasks(user) -> list[tuple]:
    """(pk, title, due date, section name) of the first five of :func:`my_tasks` (open,
    the most urgent first): the home panel's lines. One statement compiled once per
    database (fede.core.statements); the user is given at execution."""
    alias = router.db_for_read(Task)

    def build():
        return (
            my_tasks(Slot("user", IntegerField()))
            .using(alias)
            .select_related(None)
            .values_list("pk", "title", "due_date", "run__section__name")[:5]
        )

    return compiled_values(("kits.home_tasks", alias), build, {"user": user.pk}, alias)


#: The badge class of each task status (``kits/includes/task_status.html``).
STATUS_BADGES = {
    "done": "text-bg-success",
    "na": "text-bg-secondary",
    "in_progress": "text-bg-primary",
}


def with_task_display(tasks, today: datetime.date, *, due_format: str = "DATE_FORMAT"):
    """Per task of a list, computed once in Python rather than by filters and includes per
    row: its links, its due date as ``|date:due_format`` writes it, whether it is overdue,
    and its status badges as ``kits/includes/task_status.html`` renders them."""
    links = {
        attr: reverse(name, args=[PK_MARK])
        for attr, name in (("row_url", "kits:task_detail"), ("status_url", "kits:task_status"))
    }
    mark, late, dates = str(PK_MARK), _("En retard"), {}
    # ``get_status_display`` rebuilds (and translates) every choice at each call.
    labels = {value: str(label) for value, label in Task.Status.choices}
    for task in tasks:
        pk = str(task.pk)
        for attr, pattern in links.items():
            setattr(task, attr, pattern.replace(mark, pk))
        if task.due_date not in dates:
            dates[task.due_date] = date_filter(task.due_date, due_format)
        task.due_label = dates[task.due_date]
        task.overdue = task.due_date < today
        badge = format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGES.get(task.status, "text-bg-light border"),
            labels.get(task.status, task.status),
        )
        if task.overdue and task.status in (Task.Status.TODO, Task.Status.IN_PROGRESS):
            badge = format_html('{} <span class="badge text-bg-danger">{}</span>', badge, late)
        task.status_badge = badge
    return tasks


def task_detail_queryset():
    return Task.objects.select_related(
        "run", "run__section", "run__version", "assignee", "step"
    ).prefetch_related(
        "items",
        Prefetch("comments", queryset=TaskComment.objects.select_related("author")),
    )


# --- Documents -----------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
OFFICE_LABELS = {
    Role.SECTION_SECRETARY: "secretaire",
    Role.SECTION_TREASURER: "tresorier",
    Role.SECTION_BUREAU: "bureau",
}


def section_officers(section: Unit) -> dict[str, list[str]]:
    """{"secretaire": [names], "tresorier": [...], "bureau": [...]} of current offices."""
    names: dict[str, list[str]] = defaultdict(list)
    mandates = (
        Mandate.objects.current()
        .filter(unit=section, role__in=list(OFFICE_LABELS))
        .select_related("member")
        .order_by("role", "member__last_name", "member__first_name")
    )
    for mandate in mandates:
        names[OFFICE_LABELS[mandate.role]].append(mandate.member.full_name)
    return names


def template_context(run: Run) -> dict[str, str]:
    """The values of the placeholders of a kit's documents for ``run``."""
    section = run.section
    officers = section_officers(section)
    federation = section.parent.name if section.parent_id else ""
    place = run.place or section.meeting_place
    return {
        "section": section.name,
        "federation": federation,
        "secretaire": ", ".join(officers.get("secretaire", [])) or "—",
        "tresorier": ", ".join(officers.get("tresorier", [])) or "—",
        "bureau": ", ".join(officers.get("bureau", [])) or "—",
        "lieu": place or "—",
        "date": date_format(run.target_date, "l j F Y"),
        "heure": run.target_time.strftime("%H h %M").replace(" 00", "") if run.target_time else "",
        "contact": section.contact_email or "",
    }


def fill_placeholders(body: str, context: dict[str, str]) -> str:
    """Replace the known ``{name}`` placeholders; leave anything else as written."""
    return PLACEHOLDER.sub(lambda m: context.get(m.group(1), m.group(0)), body)


# --- Usage and feedback ------------------------------------------------------------------


def kit_usage(kit: Kit) -> dict:
    """Runs, completion rate and typical delays of a kit, across every section."""
    runs = Run.objects.filter(kit=kit).exclude(status=Run.Status.CANCELLED)
    run_count = runs.count()
    section_count = runs.values("section").distinct().count()
    completed = runs.filter(status=Run.Status.COMPLETED).count()
    tasks = Task.objects.filter(run__in=runs).exclude(status=Task.Status.NOT_APPLICABLE)
    figures = tasks.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=Task.Status.DONE))
    )
    delays_by_step: dict[str, list[int]] = defaultdict(list)
    all_delays: list[int] = []
    done = tasks.filter(status=Task.Status.DONE, done_at__isnull=False).values_list(
        "title", "due_date", "done_at"
    )
    for title, due, done_at in done.iterator():
        late = (timezone.localdate(done_at) - due).days
        delays_by_step[title].append(late)
        all_delays.append(late)
    late_steps = sorted(
        (
            {"title": t, "median": statistics.median(d), "count": len(d)}
            for t, d in delays_by_step.items()
            if statistics.median(d) > 0
        ),
        key=lambda row: -row["median"],
    )[:5]
    ratings = Feedback.objects.filter(run__kit=kit).values_list("rating", flat=True)
    ratings = list(ratings)
    return {
        "runs": run_count,
        "sections": section_count,
        "completed": completed,
        "completion_rate": round(100 * figures["done"] / figures["total"])
        if figures["total"]
        else None,
        "median_delay": statistics.median(all_delays) if all_delays else None,
        "late_share": round(100 * sum(1 for d in all_delays if d > 0) / len(all_delays))
        if all_delays
        else None,
        "late_steps": late_steps,
        "rating": round(statistics.mean(ratings), 1) if ratings else None,
        "rating_count": len(ratings),
    }


def kit_feedback(kit: Kit):
    return (
        Feedback.objects.filter(run__kit=kit)
        .select_related("run", "run__section", "run__version", "addressed_in")
        .order_by(F("addressed_in").asc(nulls_first=True), "-created_at")
    )


# --- Federation ----------------------------------------------------------------------------


def federation_sections(actor):
    """Sections in the actor's reach with their active runs and overdue tasks, in one query."""
    today_ = today()
    open_statuses = [Task.Status.TODO, Task.Status.IN_PROGRESS]
    return (
        Unit.objects.filter(units_q(actor, "kits.author"))
        .sections()
        .annotate(
            active_runs=Count(
                "kit_runs", filter=Q(kit_runs__status=Run.Status.ACTIVE), distinct=True
            ),
            overdue=Count(
                "kit_runs__tasks",
                filter=Q(
                    kit_runs__status=Run.Status.ACTIVE,
                    kit_runs__tasks__status__in=open_statuses,
                    kit_runs__tasks__due_date__lt=today_,
                ),
            ),
        )
        .filter(Q(active_runs__gt=0) | Q(overdue__gt=0))
        .order_by("-overdue", "name")
    )


def federation_runs(actor, *, kit_id: int | None = None):
    qs = Run.objects.filter(units_q(actor, "kits.author", field="section__")).filter(
        status=Run.Status.ACTIVE
    )
    if kit_id:
        qs = qs.filter(kit_id=kit_id)
    return qs.select_related("section", "version").order_by("target_date", "pk")


# --- Personal data -------------------------------------------------------------------------


def personal_data_of(user) -> dict:
    """What the kits app holds about a person (for « Mes données »)."""
    if user is None:
        return {}
    tasks = [
        {
            "tâche": t.title,
            "section": t.run.section.name,
            "échéance": t.due_date.isoformat(),
            "état": t.get_status_display(),
        }
        for t in Task.objects.filter(assignee=user).select_related("run__section")
    ]
    comments = [
        {"tâche": c.task.title, "le": c.created_at.isoformat(), "commentaire": c.body}
        for c in TaskComment.objects.filter(author=user).select_related("task")
    ]
    feedback = [
        {"kit": f.run.version.title, "note": f.rating, "suggestions": f.suggestions}
        for f in Feedback.objects.filter(author=user).select_related("run__version")
    ]
    if not (tasks or comments or feedback):
        return {}
    return {
        "Kits — tâches confiées": tasks,
        "Kits — commentaires": comments,
        "Kits — retours d'expérience": feedback,
    }
