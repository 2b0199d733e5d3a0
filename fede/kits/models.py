"""Kits: the federation's step-by-step guides for a section's material tasks, and their runs.

A ``Kit`` is the stable identity of a guide (its slug and category). Its content lives in
numbered ``KitVersion`` rows: at most one draft and one published version at a time
(partial unique constraints). Editing a published kit opens a new draft copied from it;
publishing the draft supersedes the old version. A ``Run`` pins the version it was started
from, so later edits never change a run under way.

A run turns each step into a dated ``Task`` (target date + the step's offset in days, on
the calendar: dates, not instants, so daylight-saving changes never move a deadline).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.access import is_system
from fede.core.models import TimeStampedModel
from fede.organization.models import Role
from fede.organization.roles import grant_paths, units_q


class Category(models.TextChoices):
    PUBLIC_MEETING = "reunion_publique", _("Réunion publique")
    LEAFLETING = "tractage", _("Tractage")
    POSTERS = "collage", _("Collage d'affiches")
    WELCOME = "accueil", _("Accueil d'un nouvel adhérent")
    GENERAL_ASSEMBLY = "assemblee_generale", _("Assemblée générale de section")
    TREASURY = "tresorerie", _("Trésorerie et cotisations")
    ELECTION = "election", _("Préparer une élection")
    WORKPLACE = "section_entreprise", _("Créer une section d'entreprise")
    OTHER = "autre", _("Autre")


def _holds_anywhere(actor, capability: str) -> bool:
    return is_system(actor) or bool(grant_paths(actor, capability))


class KitQuerySet(models.QuerySet):
    def published(self):
        return self.filter(versions__status=KitVersion.Status.PUBLISHED).distinct()

    def in_scope(self, actor, capability: str):
        """Kits belong to the federation's library, not to a unit: authors reach every kit,
        section officers (``kits.run``) only the kits that have a published version."""
        if capability == "kits.author":
            return self if _holds_anywhere(actor, "kits.author") else self.none()
        if _holds_anywhere(actor, "kits.author"):
            return self
        if _holds_anywhere(actor, "kits.run"):
            return self.filter(versions__status=KitVersion.Status.PUBLISHED).distinct()
        return self.none()


class Kit(TimeStampedModel):
    """A guide of the federation's library; its content is in its versions."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    category = models.CharField(_("catégorie"), max_length=30, choices=Category.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = KitQuerySet.as_manager()

    class Meta:
        verbose_name = _("kit")
        verbose_name_plural = _("kits")
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("kits:kit_detail", args=[self.pk])


class KitVersionQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if _holds_anywhere(actor, "kits.author"):
            return self
        if capability != "kits.author" and _holds_anywhere(actor, "kits.run"):
            return self.exclude(status=KitVersion.Status.DRAFT)
        return self.none()


class KitVersion(TimeStampedModel):
    """One numbered state of a kit's content; published versions are never edited."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        SUPERSEDED = "superseded", _("Remplacée")

    kit = models.ForeignKey(
        Kit, verbose_name=_("kit"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("titre"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=30, choices=Category.choices)
    summary = models.TextField(_("résumé"), help_text=_("Markdown : à quoi sert ce kit, pour qui."))
    effort = models.CharField(
        _("effort"),
        max_length=200,
        help_text=_("Ex. : « 3 à 4 militant·es, une dizaine d'heures »"),
    )
    change_notes = models.TextField(
        _("ce qui change dans cette version"), blank=True, help_text=_("Markdown.")
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = KitVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("version de kit")
        verbose_name_plural = _("versions de kit")
        ordering = ["kit", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "number"], name="kits_version_number_unique"),
            models.UniqueConstraint(
                fields=["kit"], condition=Q(status="draft"), name="kits_one_draft_per_kit"
            ),
            models.UniqueConstraint(
                fields=["kit"], condition=Q(status="published"), name="kits_one_published_per_kit"
            ),
        ]

    def __str__(self):
        return f"{self.title} (v{self.number})"

    def get_absolute_url(self):
        return reverse("kits:version_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class KitStep(models.Model):
    """A step of a kit version, due ``offset_days`` from the target date (J-21 is -21)."""

    version = models.ForeignKey(
        KitVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    title = models.CharField(_("titre"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, help_text=_("Markdown."))
    offset_days = models.IntegerField(
        _("échéance (jours par rapport à la date visée)"),
        help_text=_("Négatif avant la date (−21 pour J-21), positif après (+3 pour J+3)."),
    )
    office = models.CharField(
        _("responsable suggéré"), max_length=20, choices=Role.choices, blank=True
    )
    checklist = models.TextField(
        _("points à cocher"), blank=True, help_text=_("Un point par ligne.")
    )

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="kits_step_order_unique"),
            models.CheckConstraint(
                condition=Q(offset_days__gte=-365) & Q(offset_days__lte=365),
                name="kits_step_offset_within_a_year",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def offset_label(self) -> str:
        return offset_label(self.offset_days)

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


def offset_label(days: int) -> str:
    if days == 0:
        return "Jour J"
    return f"J{days:+d}"


class KitTemplate(models.Model):
    """A document of a kit version (tract, convocation…), with placeholders such as
    ``{section}`` filled from the run's section, and rendered to PDF."""

    class Kind(models.TextChoices):
        TRACT = "tract", _("Tract")
        CONVOCATION = "convocation", _("Convocation")
        PRESS = "communique", _("Communiqué de presse")
        ATTENDANCE = "emargement", _("Feuille d'émargement")
        LETTER = "courrier", _("Courrier")

    version = models.ForeignKey(
        KitVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="templates"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "Markdown. Champs remplis automatiquement : {section}, {federation}, {secretaire}, "
            "{tresorier}, {bureau}, {lieu}, {date}, {heure}, {contact}."
        ),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("modèle de document")
        verbose_name_plural = _("modèles de documents")
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.title


class RunQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """Runs of the sections where ``actor`` holds ``capability`` (in SQL)."""
        if is_system(actor):
            return self
        return self.filter(units_q(actor, capability, field="section__"))

    def board(self):
        return self.select_related("section", "version", "kit")


class Run(TimeStampedModel):
    """A section running a kit version for a target date."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("En cours")
        COMPLETED = "completed", _("Terminé")
        CANCELLED = "cancelled", _("Abandonné")

    kit = models.ForeignKey(
        Kit, verbose_name=_("kit"), on_delete=models.PROTECT, related_name="runs"
    )
    version = models.ForeignKey(
        KitVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="runs"
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="kit_runs",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    target_date = models.DateField(_("date visée"))
    target_time = models.TimeField(_("heure"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    # Through the app registry only (kits and events are independent apps).
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("événement lié"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lancé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("déroulé de kit")
        verbose_name_plural = _("déroulés de kit")
        ordering = ["target_date", "pk"]
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["kit", "status"]),
        ]
        constraints = [
            # A double click on « Lancer » must not start the same run twice.
            models.UniqueConstraint(
                fields=["section", "kit", "target_date"],
                condition=~Q(status="cancelled"),
                name="kits_one_run_per_section_kit_date",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kits:run_detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.section

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Task.Status.TODO, Task.Status.IN_PROGRESS])

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today, run__status=Run.Status.ACTIVE)

    def in_scope(self, actor, capability: str):
        """``kits.run``: tasks of runs of the actor's sections. ``kits.task``: those, and
        the tasks assigned to the actor (a member updates their own tasks)."""
        if is_system(actor):
            return self
        q = units_q(actor, "kits.run", field="run__section__")
        if capability == "kits.task" and getattr(actor, "is_authenticated", False):
            q |= Q(assignee=actor)
        return self.filter(q)


class Task(TimeStampedModel):
    """A dated task of a run, made from one step of the pinned version."""

    class Status(models.TextChoices):
        TODO = "todo", _("À faire")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Fait")
        NOT_APPLICABLE = "na", _("Sans objet")

    run = models.ForeignKey(
        Run, verbose_name=_("déroulé"), on_delete=models.CASCADE, related_name="tasks"
    )
    step = models.ForeignKey(
        KitStep,
        verbose_name=_("étape"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    title = models.CharField(_("titre"), max_length=200)
    due_date = models.DateField(_("échéance"))
    office = models.CharField(
        _("responsable suggéré"), max_length=20, choices=Role.choices, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confiée à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kit_tasks",
    )
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.TODO)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("tâche")
        verbose_name_plural = _("tâches")
        ordering = ["due_date", "order", "pk"]
        indexes = [
            models.Index(fields=["run", "order"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "order"], name="kits_task_order_unique"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kits:task_detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.run.section

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.TODO, self.Status.IN_PROGRESS)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    @property
    def offset_label(self) -> str:
        return offset_label((self.due_date - self.run.target_date).days)


class TaskItem(models.Model):
    """One point of a task's checklist."""

    task = models.ForeignKey(
        Task, verbose_name=_("tâche"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    label = models.CharField(_("point"), max_length=300)
    done = models.BooleanField(_("fait"), default=False)

    class Meta:
        verbose_name = _("point à cocher")
        verbose_name_plural = _("points à cocher")
        ordering = ["task", "order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "order"], name="kits_item_order_unique"),
        ]

    def __str__(self):
        return self.label


class TaskComment(TimeStampedModel):
    task = models.ForeignKey(
        Task, verbose_name=_("tâche"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("commentaire"), max_length=4000)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["task", "created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class FeedbackQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if capability == "kits.author":
            return self if _holds_anywhere(actor, "kits.author") else self.none()
        if is_system(actor):
            return self
        return self.filter(units_q(actor, capability, field="run__section__"))


class Feedback(TimeStampedModel):
    """What a section thought of a kit after running it (one per run)."""

    run = models.OneToOneField(
        Run, verbose_name=_("déroulé"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("note"),
        choices=[(n, str(n)) for n in range(1, 6)],
        help_text=_("De 1 (inutile) à 5 (indispensable)."),
    )
    went_well = models.TextField(_("ce qui a bien marché"), blank=True, max_length=4000)
    suggestions = models.TextField(
        _("ce qu'il faudrait changer dans le kit"), blank=True, max_length=4000
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    addressed_in = models.ForeignKey(
        KitVersion,
        verbose_name=_("prise en compte dans"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addressed_feedback",
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("retour d'expérience")
        verbose_name_plural = _("retours d'expérience")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="kits_feedback_rating_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.run} — {self.rating}/5"

    @property
    def permission_unit(self):
        return self.run.section
