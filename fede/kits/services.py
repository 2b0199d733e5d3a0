"""Every write of the kits app: the library (kits, versions, steps, templates), runs,
tasks, feedback, reminders and the loading of the federation's kits.

Versions: a published version is never edited. :func:`version_draft` opens (or returns)
the kit's draft, copied from its published version; :func:`version_publish` publishes it
and marks the previous one superseded. Runs keep the version they started from.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields
from fede.core.mail import mail_message, outbox_send
from fede.organization.models import Member, Unit
from fede.organization.roles import can

from .models import (
    Feedback,
    Kit,
    KitStep,
    KitTemplate,
    KitVersion,
    Run,
    Task,
    TaskComment,
    TaskItem,
)

REMINDER_DAYS_AHEAD = 2


def _user(actor):
    return None if is_system(actor) else actor


def _params(version: KitVersion) -> dict:
    return {"title": version.title, "number": version.number}


def _require_draft(version: KitVersion) -> None:
    if not version.is_draft:
        raise ValidationError(
            _("Une version publiée ne se modifie pas : ouvrez une nouvelle version du kit.")
        )


# --- Library -------------------------------------------------------------------------------


@transaction.atomic
def kit_create(
    *, actor, slug: str, category: str, title: str, summary: str, effort: str
) -> KitVersion:
    """A new kit with its first version, in draft."""
    authorize(actor, "kits.author")
    if Kit.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Un kit porte déjà cet identifiant.")})
    kit = Kit.objects.create(slug=slug, category=category, created_by=_user(actor))
    version = KitVersion.objects.create(
        kit=kit, number=1, title=title, category=category, summary=summary, effort=effort
    )
    audit(actor=actor, code="kits.kit_create", obj=kit, params={"title": title})
    return version


@transaction.atomic
def version_draft(*, actor, kit: Kit) -> KitVersion:
    """The kit's draft: the existing one, or a new one copied from the latest version."""
    authorize(actor, "kits.author")
    kit = Kit.objects.select_for_update().get(pk=kit.pk)
    draft = kit.versions.filter(status=KitVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    source = kit.versions.order_by("-number").prefetch_related("steps", "templates").first()
    draft = KitVersion.objects.create(
        kit=kit,
        number=source.number + 1,
        title=source.title,
        category=source.category,
        summary=source.summary,
        effort=source.effort,
    )
    KitStep.objects.bulk_create(
        KitStep(
            version=draft,
            order=s.order,
            title=s.title,
            instructions=s.instructions,
            offset_days=s.offset_days,
            office=s.office,
            checklist=s.checklist,
        )
        for s in source.steps.all()
    )
    KitTemplate.objects.bulk_create(
        KitTemplate(version=draft, kind=t.kind, title=t.title, body=t.body, order=t.order)
        for t in source.templates.all()
    )
    audit(actor=actor, code="kits.version_draft", obj=draft, params=_params(draft))
    return draft


@transaction.atomic
def version_update(*, actor, version: KitVersion, **fields) -> KitVersion:
    """Change the title, category, summary, effort or change notes of a draft."""
    authorize(actor, "kits.author")
    _require_draft(version)
    allowed = {"title", "category", "summary", "effort", "change_notes"}
    data = {k: v for k, v in fields.items() if k in allowed}
    changes = changed_fields(version, data)
    for key, value in data.items():
        setattr(version, key, value)
    version.save()
    audit(
        actor=actor,
        code="kits.version_update",
        obj=version,
        params=_params(version),
        changes=changes,
    )
    return version


@transaction.atomic
def version_publish(
    *, actor, version: KitVersion, addressed: Iterable[Feedback] = ()
) -> KitVersion:
    """Publish a draft: it replaces the kit's published version for every new run."""
    authorize(actor, "kits.author")
    version = KitVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        return version  # published already: a second click changes nothing
    if not version.steps.exists():
        raise ValidationError(_("Un kit sans étape ne peut pas être publié."))
    now = timezone.now()
    KitVersion.objects.filter(kit_id=version.kit_id, status=KitVersion.Status.PUBLISHED).update(
        status=KitVersion.Status.SUPERSEDED, updated_at=now
    )
    version.status = KitVersion.Status.PUBLISHED
    version.published_at = now
    version.published_by = _user(actor)
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    Kit.objects.filter(pk=version.kit_id).update(category=version.category, updated_at=now)
    ids = [f.pk for f in addressed]
    if ids:
        Feedback.objects.filter(pk__in=ids, run__kit_id=version.kit_id).update(addressed_in=version)
    audit(actor=actor, code="kits.version_publish", obj=version, params=_params(version))
    return version


@transaction.atomic
def step_save(*, actor, version: KitVersion, step: KitStep | None = None, **fields) -> KitStep:
    """Add a step to a draft (at the end), or change one of its steps."""
    authorize(actor, "kits.author")
    _require_draft(version)
    allowed = {"title", "instructions", "offset_days", "office", "checklist", "order"}
    data = {k: v for k, v in fields.items() if k in allowed and v is not None}
    if step is None:
        if "order" not in data:
            last = version.steps.aggregate(m=Max("order"))["m"] or 0
            data["order"] = last + 1
        step = KitStep(version=version)
    elif step.version_id != version.pk:
        raise PermissionDenied("step of another version")
    changes = changed_fields(step, data) if step.pk else {}
    for key, value in data.items():
        setattr(step, key, value)
    if version.steps.filter(order=step.order).exclude(pk=step.pk).exists():
        raise ValidationError({"order": _("Une autre étape a déjà ce numéro d'ordre.")})
    step.save()
    audit(
        actor=actor,
        code="kits.step_save",
        obj=version,
        params={**_params(version), "step": step.title},
        changes=changes,
    )
    return step


@transaction.atomic
def step_delete(*, actor, step: KitStep) -> None:
    authorize(actor, "kits.author")
    version = step.version
    _require_draft(version)
    title = step.title
    step.delete()
    audit(
        actor=actor,
        code="kits.step_delete",
        obj=version,
        params={**_params(version), "step": title},
    )


@transaction.atomic
def template_save(
    *, actor, version: KitVersion, template: KitTemplate | None = None, **fields
) -> KitTemplate:
    authorize(actor, "kits.author")
    _require_draft(version)
    data = {k: v for k, v in fields.items() if k in {"kind", "title", "body", "order"}}
    if template is None:
        template = KitTemplate(version=version)
    elif template.version_id != version.pk:
        raise PermissionDenied("template of another version")
    changes = changed_fields(template, data) if template.pk else {}
    for key, value in data.items():
        setattr(template, key, value)
    template.save()
    audit(
        actor=actor,
        code="kits.template_save",
        obj=version,
        params={**_params(version), "template": template.title},
        changes=changes,
    )
    return template


@transaction.atomic
def template_delete(*, actor, template: KitTemplate) -> None:
    authorize(actor, "kits.author")
    version = template.version
    _require_draft(version)
    title = template.title
    template.delete()
    audit(
        actor=actor,
        code="kits.template_delete",
        obj=version,
        params={**_params(version), "template": title},
    )


# --- Runs and tasks ------------------------------------------------------------------------


def due_date_of(target_date: datetime.date, offset_days: int) -> datetime.date:
    """The deadline of a step: calendar days from the target date (no time, so no DST)."""
    return target_date + datetime.timedelta(days=offset_days)


def assignable_members(section: Unit):
    """Who a task of ``section`` may be given to: its active members who have a login."""
    return (
        Member.objects.active()
        .filter(section=section, user__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("last_name", "first_name", "pk")
    )


def _check_assignee(section: Unit, user) -> None:
    if user is not None and not assignable_members(section).filter(user=user).exists():
        raise ValidationError(
            {"assignee": _("Choisissez un·e adhérent·e de la section qui a un compte.")}
        )


@transaction.atomic
def run_start(
    *,
    actor,
    section: Unit,
    kit: Kit,
    target_date: datetime.date,
    target_time: datetime.time | None = None,
    place: str = "",
    title: str = "",
    event=None,
) -> Run:
    """Start the kit's published version for ``section``: one dated task per step."""
    authorize(actor, "kits.run", section)
    if not section.is_section:
        raise ValidationError(_("Un kit se déroule pour une section."))
    version = (
        kit.versions.filter(status=KitVersion.Status.PUBLISHED).prefetch_related("steps").first()
    )
    if version is None:
        raise ValidationError(_("Ce kit n'a pas de version publiée."))
    if event is not None and event.organiser_id != section.pk:
        raise ValidationError({"event": _("Choisissez un événement organisé par la section.")})
    existing = Run.objects.filter(section=section, kit=kit, target_date=target_date).exclude(
        status=Run.Status.CANCELLED
    )
    if existing.exists():
        raise ValidationError(
            {"target_date": _("Ce kit est déjà lancé pour cette date dans la section.")}
        )
    run = Run(
        kit=kit,
        version=version,
        section=section,
        title=title.strip() or version.title,
        target_date=target_date,
        target_time=target_time,
        place=place.strip(),
        event=event,
        started_by=_user(actor),
    )
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as exc:  # two clicks at the same moment
        raise ValidationError(
            {"target_date": _("Ce kit est déjà lancé pour cette date dans la section.")}
        ) from exc
    steps = list(version.steps.all())
    tasks = Task.objects.bulk_create(
        Task(
            run=run,
            step=step,
            order=step.order,
            title=step.title,
            due_date=due_date_of(target_date, step.offset_days),
            office=step.office,
        )
        for step in steps
    )
    TaskItem.objects.bulk_create(
        TaskItem(task=task, order=n, label=label[:300])
        for task, step in zip(tasks, steps, strict=True)
        for n, label in enumerate(step.checklist_items, start=1)
    )
    audit(
        actor=actor,
        code="kits.run_start",
        obj=run,
        scope=section,
        params={"title": run.title, "date": target_date.isoformat(), "tasks": len(tasks)},
    )
    return run


@transaction.atomic
def run_set_status(*, actor, run: Run, status: str) -> Run:
    """Mark a run completed (or reopen it), or abandon it."""
    authorize(actor, "kits.run", run.section)
    if status not in Run.Status.values:
        raise ValidationError(_("État inconnu."))
    changes = changed_fields(run, {"status": status})
    run.status = status
    run.completed_at = timezone.now() if status == Run.Status.COMPLETED else None
    run.save(update_fields=["status", "completed_at", "updated_at"])
    code = {Run.Status.COMPLETED: "kits.run_complete", Run.Status.CANCELLED: "kits.run_cancel"}
    audit(
        actor=actor,
        code=code.get(status, "kits.run_complete"),
        obj=run,
        scope=run.section,
        params={"run": run.pk},
        changes=changes,
    )
    return run


_UNSET = object()


@transaction.atomic
def task_update(
    *,
    actor,
    task: Task,
    status: str | None = None,
    assignee=_UNSET,
    due_date: datetime.date | None = None,
) -> Task:
    """Change a task's status (its assignee or the section's officers), or its assignee
    and due date (the section's officers only)."""
    task = Task.objects.select_for_update().select_related("run__section").get(pk=task.pk)
    authorize(actor, "kits.task", task)
    data: dict = {}
    if status is not None:
        if status not in Task.Status.values:
            raise ValidationError({"status": _("État inconnu.")})
        data["status"] = status
    officer_fields = {}
    if assignee is not _UNSET and assignee != task.assignee:
        officer_fields["assignee"] = assignee
    if due_date is not None and due_date != task.due_date:
        officer_fields["due_date"] = due_date
    if officer_fields:
        if not can(actor, "kits.run", task.run.section):
            raise PermissionDenied("kits.run")
        if "assignee" in officer_fields:
            _check_assignee(task.run.section, officer_fields["assignee"])
        data.update(officer_fields)
    if not data:
        return task
    changes = changed_fields(task, data)
    for key, value in data.items():
        setattr(task, key, value)
    if "status" in data:
        task.done_at = timezone.now() if task.status == Task.Status.DONE else None
    if officer_fields:
        task.reminded_at = None  # a new person or a new date deserves its own reminder
    task.save()
    audit(
        actor=actor,
        code="kits.task_update",
        obj=task,
        scope=task.run.section,
        params={"task": task.pk, "run": task.run_id},
        changes=changes,
    )
    return task


@transaction.atomic
def task_item_set(*, actor, item: TaskItem, done: bool) -> TaskItem:
    """Tick or untick one point of a task's checklist."""
    task = item.task
    authorize(actor, "kits.task", task)
    if item.done == done:
        return item
    item.done = done
    item.save(update_fields=["done"])
    if done and task.status == Task.Status.TODO:
        Task.objects.filter(pk=task.pk, status=Task.Status.TODO).update(
            status=Task.Status.IN_PROGRESS, updated_at=timezone.now()
        )
    audit(
        actor=actor,
        code="kits.task_item",
        obj=task,
        scope=task.run.section,
        params={"task": task.pk, "item": item.order, "done": done},
    )
    return item


@transaction.atomic
def task_comment_add(*, actor, task: Task, body: str) -> TaskComment:
    authorize(actor, "kits.task", task)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Écrivez un commentaire.")})
    comment = TaskComment.objects.create(task=task, author=_user(actor), body=body)
    audit(
        actor=actor,
        code="kits.task_comment",
        obj=task,
        scope=task.run.section,
        params={"task": task.pk},
    )
    return comment


# --- Feedback ------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *, actor, run: Run, rating: int, went_well: str = "", suggestions: str = ""
) -> Feedback:
    """The section's feedback on the kit it ran (one per run; sending again updates it)."""
    authorize(actor, "kits.run", run.section)
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Donnez une note de 1 à 5.")})
    feedback, _created = Feedback.objects.update_or_create(
        run=run,
        defaults={
            "rating": int(rating),
            "went_well": went_well.strip(),
            "suggestions": suggestions.strip(),
            "author": _user(actor),
        },
    )
    audit(
        actor=actor,
        code="kits.feedback_save",
        obj=feedback,
        scope=run.section,
        params={"title": run.version.title, "rating": feedback.rating},
    )
    return feedback


# --- Reminders -----------------------------------------------------------------------------


def _reminder_mail(task: Task) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.FEDE_SITE_URL.rstrip("/") + reverse("kits:task_detail", args=[task.pk])
        context = {
            "task": task,
            "run": task.run,
            "section": task.run.section,
            "url": url,
            "name": task.assignee.first_name or task.assignee.email,
            "site_name": settings.FEDE_SITE_NAME,
            "today": timezone.localdate(),
        }
        return mail_message(
            _("Rappel : « %(task)s » pour le %(date)s")
            % {"task": task.title, "date": task.due_date.strftime("%d/%m/%Y")},
            "kits/email/reminder.html",
            context,
            [task.assignee.email],
        )


def reminders_send(*, actor, now: datetime.datetime | None = None) -> int:
    """Mail the assignee of each open task due within two days (or overdue), once.

    Run by the scheduler (``manage.py send_kit_reminders``, daily). Each task is claimed by
    a conditional UPDATE of ``reminded_at`` before its mail is queued, so two runs at the
    same time never remind anyone twice. A new assignee or due date re-arms the reminder.
    """
    if not is_system(actor):
        raise PermissionDenied("reminders are sent by the scheduler")
    now = now or timezone.now()
    horizon = timezone.localdate(now) + datetime.timedelta(days=REMINDER_DAYS_AHEAD)
    pending = (
        Task.objects.open()
        .filter(
            run__status=Run.Status.ACTIVE,
            reminded_at__isnull=True,
            assignee__isnull=False,
            assignee__is_active=True,
            due_date__lte=horizon,
        )
        .exclude(assignee__email="")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(pending):
        with transaction.atomic():
            claimed = Task.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue
            task = Task.objects.select_related("run__section", "assignee").get(pk=pk)
            outbox_send(_reminder_mail(task))
            sent += 1
    return sent


# --- Loading the federation's kits ----------------------------------------------------------


@transaction.atomic
def kits_load(*, actor, kits: Iterable[dict]) -> tuple[int, int]:
    """Create the kits of ``kits`` (see content.py) that the library lacks, published.

    A kit that exists already is left as it is, unless its published content differs from
    the given one and it has no draft: then the given content is published as a new
    version (runs keep theirs). Returns (created, updated). Running it twice changes
    nothing the second time.
    """
    authorize(actor, "kits.author")
    created = updated = 0
    for data in kits:
        kit = Kit.objects.select_for_update().filter(slug=data["slug"]).first()
        if kit is None:
            kit = Kit.objects.create(
                slug=data["slug"], category=data["category"], created_by=_user(actor)
            )
            number = 1
            created += 1
        else:
            published = kit.versions.filter(status=KitVersion.Status.PUBLISHED).first()
            has_draft = kit.versions.filter(status=KitVersion.Status.DRAFT).exists()
            if has_draft or (published is not None and _same_content(published, data)):
                continue
            number = (kit.versions.aggregate(m=Max("number"))["m"] or 0) + 1
            updated += 1
        version = KitVersion.objects.create(
            kit=kit,
            number=number,
            title=data["title"],
            category=data["category"],
            summary=data["summary"],
            effort=data["effort"],
            change_notes=data.get("change_notes", ""),
        )
        KitStep.objects.bulk_create(
            KitStep(
                version=version,
                order=n,
                title=step["title"],
                offset_days=step["offset"],
                office=step.get("office", ""),
                instructions=step.get("instructions", "").strip(),
                checklist="\n".join(step.get("checklist", ())),
            )
            for n, step in enumerate(data["steps"], start=1)
        )
        KitTemplate.objects.bulk_create(
            KitTemplate(
                version=version,
                kind=tpl["kind"],
                title=tpl["title"],
                body=tpl["body"].strip(),
                order=n,
            )
            for n, tpl in enumerate(data.get("templates", ()), start=1)
        )
        now = timezone.now()
        KitVersion.objects.filter(kit=kit, status=KitVersion.Status.PUBLISHED).update(
            status=KitVersion.Status.SUPERSEDED, updated_at=now
        )
        version.status = KitVersion.Status.PUBLISHED
        version.published_at = now
        version.published_by = _user(actor)
        version.save()
    audit(actor=actor, code="kits.load", params={"created": created, "updated": updated})
    return created, updated


def _same_content(version: KitVersion, data: dict) -> bool:
    steps = [
        (s.title, s.offset_days, s.office, s.instructions, s.checklist) for s in version.steps.all()
    ]
    wanted = [
        (
            s["title"],
            s["offset"],
            s.get("office", ""),
            s.get("instructions", "").strip(),
            "\n".join(s.get("checklist", ())),
        )
        for s in data["steps"]
    ]
    templates = [(t.kind, t.title, t.body) for t in version.templates.all()]
    wanted_templates = [
        (t["kind"], t["title"], t["body"].strip()) for t in data.get("templates", ())
    ]
    return (
        version.title == data["title"]
        and version.summary == data["summary"]
        and version.effort == data["effort"]
        and steps == wanted
        and templates == wanted_templates
    )
