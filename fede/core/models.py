"""Building blocks with no domain knowledge: base model, audit log, task progress."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class TrailQuerySet(models.QuerySet):
    def within(self, paths: list[str]):
        """Entries whose unit lies under one of ``paths`` (the reader's scope; "" is all)."""
        if "" in paths:
            return self
        if not paths:
            return self.none()
        q = models.Q()
        for path in paths:
            q |= models.Q(scope_path__startswith=path)
        return self.filter(q)

    def about(self, obj: models.Model):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def _render_action(code: str, params: dict, fallback: str = "") -> str:
    from .registry import action_text

    text = action_text(code)
    if text is None:
        return fallback or code
    try:
        return str(text) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(text)


class AccessLog(models.Model):
    """Who read or exported what, when, and how many rows (GDPR art. 9 accountability).

    Stored as an action code with parameters, rendered in the reader's language
    (:attr:`text`); ``scope_path`` is the path of the unit the data belongs to, so each
    reader sees only the entries of their scope.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Consultation")
        LIST = "list", _("Liste")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        CHANGE = "change", _("Modification")
        DELETE = "delete", _("Suppression")
        ANONYMISE = "anonymise", _("Anonymisation")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    code = models.CharField(_("code"), max_length=64, blank=True, db_index=True)
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    #: Text of the entries written before action codes existed.
    what = models.CharField(_("objet"), max_length=200, blank=True)
    scope_path = models.CharField(_("périmètre"), max_length=255, blank=True, db_index=True)
    object_type = models.CharField(_("type"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant"), max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("lignes"), null=True, blank=True)
    detail = models.JSONField(_("détail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("quand"), auto_now_add=True, db_index=True)

    objects = TrailQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'accès")
        verbose_name_plural = _("journal d'accès")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.code or self.what}"

    @property
    def text(self) -> str:
        return _render_action(self.code, self.params, self.what)


class AuditEntry(models.Model):
    """One sensitive write: who, when, which action, on what, which fields changed.

    Written by the service that does the write (:func:`fede.core.audit.audit`), in the
    same transaction. ``changes`` holds ``{field: [before, after]}``; the trail of an
    erased person keeps ids only (:func:`fede.core.audit.redact`).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_system = models.BooleanField(_("par le système"), default=False)
    code = models.CharField(_("action"), max_length=64, db_index=True)
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    object_type = models.CharField(_("type"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant"), max_length=64, blank=True)
    scope_path = models.CharField(_("périmètre"), max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    created_at = models.DateTimeField(_("quand"), auto_now_add=True, db_index=True)

    objects = TrailQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal des modifications")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.code}"

    @property
    def text(self) -> str:
        return _render_action(self.code, self.params)


def task_lease() -> datetime.timedelta:
    """A running job that has not reported for this long is taken for dead."""
    return datetime.timedelta(minutes=getattr(settings, "FEDE_TASK_LEASE_MINUTES", 10))


class TaskProgressQuerySet(models.QuerySet):
    def stuck(self, now=None):
        """Running jobs whose worker stopped reporting (killed, machine restarted)."""
        now = now or timezone.now()
        return self.filter(status=TaskProgress.Status.RUNNING, updated_at__lt=now - task_lease())


class TaskProgress(TimeStampedModel):
    """Progress of a long job (import, PDF of a whole issue…) shown on a progress page.

    A running job reports at least every few minutes (``progress_update``); one that stops
    reporting for longer than the lease is shown as interrupted and marked failed by
    ``manage.py recover_tasks``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    label = models.CharField(_("tâche"), max_length=200)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("fait"), default=0)
    message = models.TextField(_("message"), blank=True)
    result_url = models.CharField(_("lien du résultat"), max_length=300, blank=True)
    result = models.JSONField(_("résultat"), default=dict, blank=True)

    objects = TaskProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("suivi de tâche")
        verbose_name_plural = _("suivis de tâches")
        ordering = ["-created_at"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("core:task_progress", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.is_stuck

    @property
    def is_stuck(self) -> bool:
        return (
            self.status == self.Status.RUNNING
            and self.updated_at is not None
            and self.updated_at < timezone.now() - task_lease()
        )


class OutgoingMailQuerySet(models.QuerySet):
    def waiting(self):
        """Not sent yet and still being retried."""
        return self.filter(sent_at__isnull=True, abandoned_at__isnull=True)

    def abandoned(self):
        return self.filter(sent_at__isnull=True, abandoned_at__isnull=False)


class OutgoingMail(TimeStampedModel):
    """A mail waiting in the outbox, sent, or abandoned after its retry window
    (see fede.core.mail)."""

    subject = models.CharField(_("objet"), max_length=300)
    body = models.TextField(_("texte"))
    from_email = models.CharField(_("expéditeur"), max_length=300, blank=True)
    to = models.JSONField(_("destinataires"), default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    alternatives = models.JSONField(default=list, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandonné le"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail sortant")
        verbose_name_plural = _("e-mails sortants")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]

    def __str__(self):
        return self.subject
