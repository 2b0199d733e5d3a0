"""Consultations: a text in chapters and paragraphs that members comment on, support and
propose to reword; the authors answer; each new version of the text says what changed.

Who reaches what (``in_scope``, in SQL):

- ``consultations.manage`` / ``consultations.moderate``: every consultation organised by a
  unit of the actor's subtree, drafts included;
- ``consultations.view``: published consultations whose audience includes the actor
  (public ones for everybody, anonymous visitors included; "federation" ones for the
  members of a section under the organising unit; "section" ones for that section's
  members), plus whatever the actor manages or moderates.

Counters (supports, comments) are kept on the rows and rewritten from a count while the
paragraph (or rewording) row is locked, so concurrent supports never miscount; the
unique constraints on (paragraph, member) and (rewording, member) make a second support
of the same person impossible even behind the services' back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.access import is_system
from fede.core.models import TimeStampedModel
from fede.organization.roles import units_q


def _member_of(actor):
    """The member record of a logged-in actor (cached on the user object), or None."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    if not hasattr(actor, "_consultations_member"):
        from fede.organization.selectors import member_of_user

        actor._consultations_member = member_of_user(actor)
    return actor._consultations_member


def audience_q(actor, prefix: str = "") -> Q:
    """Published consultations ``actor`` may read as a member or visitor."""
    published = Q(**{f"{prefix}status": Consultation.Status.PUBLISHED})
    public = Q(**{f"{prefix}audience": Consultation.Audience.PUBLIC})
    member = _member_of(actor)
    if member is None or member.status != "active":
        return published & public
    section = member.section
    return published & (
        public
        | Q(
            **{
                f"{prefix}audience": Consultation.Audience.FEDERATION,
                f"{prefix}unit__path__in": section.ancestor_paths(),
            }
        )
        | Q(
            **{
                f"{prefix}audience": Consultation.Audience.SECTION,
                f"{prefix}section_id": section.pk,
            }
        )
    )


def consultation_scope_q(actor, capability: str, prefix: str = "") -> Q:
    if is_system(actor):
        return Q()
    if capability in ("consultations.manage", "consultations.moderate"):
        return units_q(actor, capability, field=f"{prefix}unit__")
    if capability == "consultations.view":
        managed = units_q(actor, "consultations.manage", field=f"{prefix}unit__") | units_q(
            actor, "consultations.moderate", field=f"{prefix}unit__"
        )
        return audience_q(actor, prefix) | managed
    return Q(pk__in=[])


class ConsultationQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return self.filter(self.scope_q(actor, capability))

    def scope_q(self, actor, capability: str) -> Q:
        """:meth:`in_scope`'s condition (see core.access.get_in_scope_compiled_or_404)."""
        return consultation_scope_q(actor, capability)


class Consultation(TimeStampedModel):
    """A text put to the members: open between two dates, for an audience."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")

    class Audience(models.TextChoices):
        FEDERATION = "federation", _("Adhérent·es de la fédération")
        SECTION = "section", _("Adhérent·es d'une section")
        PUBLIC = "public", _("Public (lecture ouverte, contributions des adhérent·es)")

    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(
        _("présentation"), blank=True, help_text=_("Quelques lignes en tête de la consultation.")
    )
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("organisée par"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    audience = models.CharField(
        _("ouverte à"), max_length=12, choices=Audience.choices, default=Audience.FEDERATION
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section concernée"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="section_consultations",
    )
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "audience"]),
            models.Index(fields=["section"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=(Q(audience="section") & Q(section__isnull=False))
                | (~Q(audience="section") & Q(section__isnull=True)),
                name="consultation_section_iff_section_audience",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.unit

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    @property
    def phase(self) -> str:
        """draft, upcoming, open or closed (for badges and messages)."""
        if self.status == self.Status.DRAFT:
            return "draft"
        now = timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now >= self.closes_at:
            return "closed"
        return "open"


class VersionQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return self.filter(consultation_scope_q(actor, capability, "consultation__"))


class Version(TimeStampedModel):
    """One version of the text. Version 1 is the imported text; each later one records, for
    every paragraph, the paragraph it comes from and why it changed."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("numéro"))
    note = models.TextField(
        _("ce qui change"), blank=True, help_text=_("Explication générale de cette version.")
    )
    source = models.TextField(_("texte (markdown)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="consultation_version_unique_number"
            ),
        ]

    def __str__(self):
        return _("Version %(n)s") % {"n": self.number}

    def get_absolute_url(self):
        return reverse("consultations:version", args=[self.consultation_id, self.number])

    @property
    def permission_unit(self):
        return self.consultation.unit


class Chapter(models.Model):
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="chapters"
    )
    position = models.PositiveIntegerField(_("ordre"))
    title = models.CharField(_("titre"), max_length=300)

    class Meta:
        verbose_name = _("chapitre")
        verbose_name_plural = _("chapitres")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="consultation_chapter_unique_position"
            ),
        ]

    def __str__(self):
        return self.title


class ParagraphQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return self.filter(
            consultation_scope_q(actor, capability, "chapter__version__consultation__")
        )


class Paragraph(models.Model):
    """A block of the text: what members comment on, support and propose to reword."""

    class Change(models.TextChoices):
        SAME = "same", _("Inchangé")
        CHANGED = "changed", _("Modifié")
        NEW = "new", _("Nouveau")

    chapter = models.ForeignKey(
        Chapter, verbose_name=_("chapitre"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    position = models.PositiveIntegerField(_("ordre"))
    text = models.TextField(_("texte"))
    previous = models.ForeignKey(
        "self",
        verbose_name=_("paragraphe de la version précédente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    change = models.CharField(
        _("changement"), max_length=8, choices=Change.choices, default=Change.NEW
    )
    support_count = models.PositiveIntegerField(_("soutiens"), default=0)
    comment_count = models.PositiveIntegerField(_("commentaires"), default=0)
    rewording_count = models.PositiveIntegerField(_("reformulations"), default=0)

    objects = ParagraphQuerySet.as_manager()

    class Meta:
        verbose_name = _("paragraphe")
        verbose_name_plural = _("paragraphes")
        ordering = ["chapter", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "position"], name="consultation_paragraph_unique_position"
            ),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("consultations:paragraph", args=[self.pk])

    @property
    def consultation(self) -> Consultation:
        return self.chapter.version.consultation

    @property
    def permission_unit(self):
        return self.consultation.unit


class Answer(models.TextChoices):
    ACCEPTED = "accepted", _("Retenu")
    CONSIDERED = "considered", _("Pris en compte")
    REJECTED = "rejected", _("Non retenu")


class Contribution(TimeStampedModel):
    """What comments and rewordings share: an author, moderation and the authors' answer."""

    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraphe"), on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        "organization.Member",
        verbose_name=_("auteur·rice"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)
    hidden_reason = models.CharField(_("motif de masquage"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("masqué par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.CharField(_("réponse"), max_length=10, choices=Answer.choices, blank=True)
    answer_text = models.TextField(_("motif de la réponse"), blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("répondu par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def permission_unit(self):
        return self.paragraph.permission_unit


class ContributionQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return self.filter(
            consultation_scope_q(actor, capability, "paragraph__chapter__version__consultation__")
        )

    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Comment(Contribution):
    """A comment on a paragraph, or a reply to one (one level of threading)."""

    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraphe"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "organization.Member",
        verbose_name=_("auteur·rice"),
        on_delete=models.CASCADE,
        related_name="consultation_comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("en réponse à"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    text = models.TextField(_("commentaire"), max_length=4000)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["paragraph", "parent", "created_at"]),
            models.Index(fields=["author"]),
            # A page of a paragraph's comments (not replies), oldest first, read straight
            # from the index: without it the busiest paragraph sorts all its comments.
            models.Index(
                fields=["paragraph", "created_at", "id"],
                condition=Q(parent__isnull=True),
                name="consultation_top_comments",
            ),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return f"{self.paragraph.get_absolute_url()}#commentaire-{self.pk}"


class Rewording(Contribution):
    """A new wording of a paragraph proposed by a member, which others may support."""

    paragraph = models.ForeignKey(
        Paragraph,
        verbose_name=_("paragraphe"),
        on_delete=models.CASCADE,
        related_name="rewordings",
    )
    author = models.ForeignKey(
        "organization.Member",
        verbose_name=_("auteur·rice"),
        on_delete=models.CASCADE,
        related_name="consultation_rewordings",
    )
    text = models.TextField(_("nouvelle rédaction"), max_length=4000)
    explanation = models.TextField(_("pourquoi"), max_length=2000, blank=True)
    support_count = models.PositiveIntegerField(_("soutiens"), default=0)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reformulation")
        verbose_name_plural = _("reformulations")
        ordering = ["-support_count", "created_at", "pk"]
        indexes = [
            models.Index(fields=["paragraph", "support_count"]),
            models.Index(fields=["author"]),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return f"{self.paragraph.get_absolute_url()}#reformulation-{self.pk}"


class ParagraphSupport(models.Model):
    """« Je soutiens » on a paragraph: once per member."""

    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraphe"), on_delete=models.CASCADE, related_name="supports"
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("adhérent·e"),
        on_delete=models.CASCADE,
        related_name="consultation_paragraph_supports",
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("soutien à un paragraphe")
        verbose_name_plural = _("soutiens aux paragraphes")
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "member"], name="consultation_one_support_per_paragraph"
            ),
        ]
        indexes = [models.Index(fields=["member"])]

    def __str__(self):
        return f"{self.member_id} → {self.paragraph_id}"


class RewordingSupport(models.Model):
    """« Je soutiens » on a proposed rewording: once per member."""

    rewording = models.ForeignKey(
        Rewording,
        verbose_name=_("reformulation"),
        on_delete=models.CASCADE,
        related_name="supports",
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("adhérent·e"),
        on_delete=models.CASCADE,
        related_name="consultation_rewording_supports",
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("soutien à une reformulation")
        verbose_name_plural = _("soutiens aux reformulations")
        constraints = [
            models.UniqueConstraint(
                fields=["rewording", "member"], name="consultation_one_support_per_rewording"
            ),
        ]
        indexes = [models.Index(fields=["member"])]

    def __str__(self):
        return f"{self.member_id} → {self.rewording_id}"


class Report(models.Model):
    """A member reports a comment to the moderators (once per comment)."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("commentaire"), on_delete=models.CASCADE, related_name="reports"
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("signalé par"),
        on_delete=models.CASCADE,
        related_name="consultation_reports",
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member"], name="consultation_one_report_per_comment"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at"]), models.Index(fields=["member"])]

    def __str__(self):
        return f"{self.member_id} → {self.comment_id}"
