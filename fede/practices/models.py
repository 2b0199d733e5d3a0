"""The officers' space for sharing practices: posts and questions, answers, « utile » votes,
follows, attachments and proposals to improve a kit.

Every post belongs to one **federation** (the federation of the office its author wrote
it under): the officers of that federation — section and federal offices alike — read and
answer it; the officers of another federation never see it (404). Nothing is national:
a national office holder reaches every federation through the unit tree.

A post or an answer hidden by the federation stays in the database with who hid it, when
and why (moderation is never a silent delete); only moderators still see it.

Search: on PostgreSQL, ``search_vector`` is kept up to date by a trigger (migration 0002)
with the ``french_unaccent`` text search configuration and indexed with GIN; elsewhere
(the SQLite demo) ``search_title`` / ``search_text`` hold the accent- and case-folded text
that the fallback search reads (see :mod:`fede.practices.search`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fede.core.access import is_system
from fede.core.models import TimeStampedModel
from fede.core.uploads import generated_upload_to
from fede.organization.roles import grant_paths

PARTICIPATE = "practices.participate"
MODERATE = "practices.moderate"
HIGHLIGHT = "practices.highlight"
#: The rules permission of "reading and answering in this post's federation" (rules.py).
VIEW = "practices.view"


class Category(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation de la section")
    COMMUNICATION = "communication", _("Communication, tracts, réseaux sociaux")
    FINANCES = "finances", _("Trésorerie et cotisations")
    MOBILISATION = "mobilisation", _("Mobilisation, terrain")
    WELCOME = "accueil", _("Accueil des adhérent·es")
    TRAINING = "formation", _("Formation")
    ELECTIONS = "elections", _("Élections")
    PREMISES = "salles", _("Salles et matériel")
    OTHER = "autre", _("Autre")


def _prefixes(path: str) -> list[str]:
    """ "1.7." → ["1.", "1.7."]: the paths of a unit and its ancestors."""
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def federation_q(actor, *, capability: str = PARTICIPATE, field: str = "federation__") -> Q:
    """Federations (through ``field``) in the line of a unit where ``actor`` holds
    ``capability``: a section officer reaches the federation above their section, a
    federal office its federation, a national office every federation below it."""
    if is_system(actor):
        return Q()
    paths = grant_paths(actor, capability)
    if not paths:
        return Q(pk__in=[])
    q = Q(**{f"{field}path__in": sorted({p for path in paths for p in _prefixes(path)})})
    for path in paths:
        q |= Q(**{f"{field}path__startswith": path})
    return q


def reaches_federation(actor, federation, capability: str = PARTICIPATE) -> bool:
    """The same test as :func:`federation_q`, in Python, for one federation."""
    if is_system(actor):
        return True
    return any(
        federation.path.startswith(p) or p.startswith(federation.path)
        for p in grant_paths(actor, capability)
    )


def moderates(actor, federation) -> bool:
    """May ``actor`` moderate the posts of ``federation`` (held on it or above)?"""
    if is_system(actor):
        return True
    return any(federation.path.startswith(p) for p in grant_paths(actor, MODERATE))


class PostQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)

    def in_scope(self, actor, capability: str = VIEW):
        """Posts of the federations ``actor`` takes part in; hidden posts only for the
        moderators of their federation."""
        return self.filter(self.scope_q(actor, capability))

    def scope_q(self, actor, capability: str = VIEW) -> Q:
        """:meth:`in_scope`'s condition (the key of a statement compiled once, see
        selectors.search_page)."""
        if is_system(actor):
            return Q()
        moderated = Q(pk__in=[])
        for path in grant_paths(actor, MODERATE):
            moderated |= Q(federation__path__startswith=path)
        return federation_q(actor) & (Q(hidden_at__isnull=True) | moderated)


class Post(TimeStampedModel):
    """A practice shared (« partage d'expérience ») or a question asked by an officer."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Partage d'expérience")
        QUESTION = "question", _("Question")

    federation = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("fédération"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·rice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_posts",
    )
    author_unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("au titre de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PRACTICE)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), max_length=20000, help_text=_("Markdown."))
    category = models.CharField(_("thème"), max_length=20, choices=Category.choices)
    #: Normalised tags between commas (",porte-a-porte,tracts,"): one LIKE finds a tag.
    tags = models.CharField(_("mots-clés"), max_length=300, blank=True, default="")
    accepted_answer = models.ForeignKey(
        "Comment",
        verbose_name=_("réponse retenue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_activity_at = models.DateTimeField(_("dernière activité"), db_index=True)
    highlighted_at = models.DateTimeField(_("mis en avant le"), null=True, blank=True)
    highlighted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("motif"), max_length=300, blank=True)
    # Search (see the module's docstring).
    search_title = models.CharField(max_length=200, blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-last_activity_at", "-pk"]
        indexes = [
            models.Index(fields=["federation", "hidden_at", "last_activity_at"]),
            models.Index(fields=["federation", "highlighted_at"]),
            models.Index(fields=["category"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("practices:detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.federation

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_highlighted(self) -> bool:
        return self.highlighted_at is not None

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class CommentQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str = VIEW):
        """Answers of the posts ``actor`` reaches (hidden answers: moderators only)."""
        if is_system(actor):
            return self
        moderated = Q(pk__in=[])
        for path in grant_paths(actor, MODERATE):
            moderated |= Q(post__federation__path__startswith=path)
        return self.filter(post__in=Post.objects.in_scope(actor)).filter(
            Q(hidden_at__isnull=True) | moderated
        )


class Comment(TimeStampedModel):
    """An answer to a question, or a comment on a shared practice."""

    post = models.ForeignKey(
        Post, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·rice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_comments",
    )
    author_unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("au titre de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("réponse"), max_length=10000, help_text=_("Markdown."))
    hidden_at = models.DateTimeField(_("masquée le"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("motif"), max_length=300, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["post", "created_at", "pk"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self):
        return self.body[:60]

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#reponse-{self.pk}"

    @property
    def permission_unit(self):
        return self.post.federation

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Vote(models.Model):
    """« Utile » on a post: one per person (the constraint settles double submits)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote « utile »")
        verbose_name_plural = _("votes « utile »")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="practices_one_vote_per_person")
        ]
        indexes = [models.Index(fields=["user"])]

    def __str__(self):
        return f"{self.user_id} → {self.post_id}"


class Follow(models.Model):
    """Someone who gets a mail on each new answer to a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="practices_one_follow_per_person")
        ]
        indexes = [models.Index(fields=["user"])]

    def __str__(self):
        return f"{self.user_id} → {self.post_id}"


class AttachmentQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str = VIEW):
        if is_system(actor):
            return self
        return self.filter(post__in=Post.objects.in_scope(actor))


class Attachment(models.Model):
    """A file joined to a post (served by a view that checks the post's scope)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=generated_upload_to("pratiques"))
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("taille"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["post", "pk"]

    def __str__(self):
        return self.original_name or self.file.name

    def get_absolute_url(self):
        return reverse("practices:attachment", args=[self.pk])

    @property
    def permission_unit(self):
        return self.post.federation


KITS_MANAGE = "kits.author"


class KitProposalQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str = VIEW):
        """``kits.author``: proposals from the federations the actor writes kits for;
        otherwise the proposals of the posts the actor reaches."""
        if is_system(actor):
            return self
        if capability == KITS_MANAGE:
            q = Q(pk__in=[])
            for path in grant_paths(actor, KITS_MANAGE):
                q |= Q(post__federation__path__startswith=path)
            return self.filter(q)
        return self.filter(post__in=Post.objects.in_scope(actor))


class KitProposal(TimeStampedModel):
    """A post proposed as an improvement to a kit of the federation's library."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Retenue")
        DECLINED = "declined", _("Non retenue")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="kit_proposals")
    kit = models.ForeignKey(
        "kits.Kit", verbose_name=_("kit"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(
        _("ce que la publication apporterait au kit"), max_length=4000, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_kit_proposals",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer = models.TextField(_("réponse des auteur·es du kit"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    objects = KitProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposition d'amélioration de kit")
        verbose_name_plural = _("propositions d'amélioration de kit")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double click proposes once; a post proposes each kit once.
            models.UniqueConstraint(fields=["post", "kit"], name="practices_one_proposal_per_kit")
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.post} → {self.kit}"

    @property
    def permission_unit(self):
        return self.post.federation
