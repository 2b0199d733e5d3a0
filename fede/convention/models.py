"""The annual convention: three topics debated in the sections, their contributions, a
synthesis traced to them, amendments and the vote of the convention day (seed proposal 2.1).

Phases follow from the convention's dates (and from the publication of the results):
topics published → section debates → contributions deadline → synthesis → amendments →
convention day → results. :meth:`Convention.phase_at` is the one place that says which
phase a convention is in; services refuse what the phase does not allow.

Traceability: a synthesis paragraph cites contributions through :class:`Citation` rows
that point at the contribution itself (never at a copy), so editing a contribution, a
paragraph or merging an amendment keeps every link; each side keeps its history
(:class:`ContributionRevision`, :class:`ParagraphRevision`).
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
from fede.core.uploads import generated_upload_to
from fede.organization.roles import units_q

#: Pseudo-capability of the reading views: any logged-in user reads what is published.
VIEW = "convention.view"


def _authenticated(actor) -> bool:
    return is_system(actor) or bool(getattr(actor, "is_authenticated", False))


class Phase(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    TOPICS = "topics", _("Sujets publiés")
    DEBATES = "debates", _("Débats en section")
    SYNTHESIS = "synthesis", _("Synthèse")
    AMENDMENTS = "amendments", _("Amendements")
    CONVENTION = "convention", _("Convention")
    RESULTS = "results", _("Résultats publiés")


PHASE_ORDER = [p.value for p in Phase]


class VoteFields(models.Model):
    """A vote count: for, against, abstentions (and, for a section, members present)."""

    votes_for = models.PositiveIntegerField(_("pour"), default=0)
    votes_against = models.PositiveIntegerField(_("contre"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), default=0)

    class Meta:
        abstract = True

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain

    @property
    def adopted(self) -> bool:
        return self.votes_for > self.votes_against


def _section_vote_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(members_present__gte=1)
            & Q(
                members_present__gte=models.F("votes_for")
                + models.F("votes_against")
                + models.F("votes_abstain")
            ),
            name=f"{prefix}_vote_within_present",
        ),
    ]


class ConventionQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        if capability == VIEW:
            if not _authenticated(actor):
                return self.none()
            today = timezone.localdate()
            return self.filter(
                Q(topics_published_on__lte=today)
                | units_q(actor, "convention.manage", field="federation__")
                | units_q(actor, "convention.rapporteur", field="federation__")
            )
        if capability == "convention.contribute":
            # A section officer reaches the conventions of the federations above their
            # sections, once the topics are out.
            return self.filter(topics_published_on__lte=timezone.localdate()).filter(
                pk__in=_conventions_above(actor, capability)
            )
        return self.filter(units_q(actor, capability, field="federation__"))


def _conventions_above(actor, capability: str):
    from fede.organization.models import Unit
    from fede.organization.roles import grant_paths

    paths = grant_paths(actor, capability)
    if not paths:
        return Convention.objects.none().values("pk")
    if "" in paths:
        return Convention.objects.values("pk")
    q = Q()
    for path in paths:
        # The federation lies above (or is) the unit of the grant.
        q |= Q(path__in=[path[:i] for i in range(9, len(path) + 1, 9)])
    feds = Unit.objects.filter(q).values("pk")
    return Convention.objects.filter(federation__in=feds).values("pk")


class Convention(TimeStampedModel):
    """One year's convention of a federation, with the dates of its phases."""

    federation = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("fédération"),
        on_delete=models.PROTECT,
        related_name="conventions",
    )
    year = models.PositiveIntegerField(_("année"))
    title = models.CharField(_("titre"), max_length=200)
    presentation = models.TextField(_("présentation"), blank=True)
    topics_published_on = models.DateField(_("publication des sujets"))
    debates_start = models.DateField(_("début des débats en section"))
    contributions_deadline = models.DateTimeField(_("date limite des contributions"))
    amendments_open = models.DateField(_("ouverture des amendements"))
    amendments_deadline = models.DateTimeField(_("date limite des amendements"))
    convention_day = models.DateField(_("jour de la convention"))
    place = models.CharField(_("lieu de la convention"), max_length=300, blank=True)
    results_published_at = models.DateTimeField(_("résultats publiés le"), null=True, blank=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year"], name="convention_one_per_federation_year"
            ),
            models.CheckConstraint(
                condition=Q(debates_start__gte=models.F("topics_published_on"))
                & Q(amendments_open__gte=models.F("debates_start"))
                & Q(convention_day__gte=models.F("amendments_open"))
                & Q(amendments_deadline__gt=models.F("contributions_deadline")),
                name="convention_phases_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("convention:detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.federation

    def phase_at(self, now: datetime.datetime | None = None) -> str:
        """The phase on ``now`` (default: now)."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        if self.results_published_at is not None:
            return Phase.RESULTS
        if today < self.topics_published_on:
            return Phase.DRAFT
        if today < self.debates_start:
            return Phase.TOPICS
        if now < self.contributions_deadline:
            return Phase.DEBATES
        if today < self.amendments_open:
            return Phase.SYNTHESIS
        if now < self.amendments_deadline:
            return Phase.AMENDMENTS
        return Phase.CONVENTION

    @property
    def phase(self) -> str:
        return self.phase_at()

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label

    def timeline(self, now=None) -> list[dict]:
        """The phases with their dates, for the page's timeline."""
        current = PHASE_ORDER.index(self.phase_at(now))
        steps = [
            (Phase.TOPICS, self.topics_published_on),
            (Phase.DEBATES, self.debates_start),
            (Phase.SYNTHESIS, self.contributions_deadline),
            (Phase.AMENDMENTS, self.amendments_open),
            (Phase.CONVENTION, self.amendments_deadline),
            (Phase.RESULTS, self.results_published_at or self.convention_day),
        ]
        return [
            {
                "label": phase.label,
                "date": date,
                "state": (
                    "done"
                    if PHASE_ORDER.index(phase) < current
                    else "current"
                    if PHASE_ORDER.index(phase) == current
                    else "next"
                ),
            }
            for phase, date in steps
        ]

    @property
    def contributions_open(self) -> bool:
        return self.phase == Phase.DEBATES


class TopicQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        ids = Convention.objects.in_scope(actor, capability).values("pk")
        return self.filter(convention__in=ids)


class Topic(TimeStampedModel):
    """One of the three topics of a convention: Paris, Île-de-France, national or
    international."""

    class Scope(models.TextChoices):
        PARIS = "paris", _("Parisien")
        REGION = "region", _("Francilien")
        NATIONAL = "national", _("National ou international")

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="topics"
    )
    scope = models.CharField(_("échelle"), max_length=10, choices=Scope.choices)
    title = models.CharField(_("titre"), max_length=200)
    framing = models.TextField(
        _("texte de cadrage"),
        help_text=_("Les questions posées aux sections, les enjeux, les chiffres utiles."),
    )
    synthesis_introduction = models.TextField(_("introduction de la synthèse"), blank=True)
    synthesis_published_at = models.DateTimeField(_("synthèse publiée le"), null=True, blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("sujet")
        verbose_name_plural = _("sujets")
        ordering = ["convention", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "scope"], name="topic_one_per_scope"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("convention:topic", args=[self.pk])

    @property
    def permission_unit(self):
        return self.convention.federation

    @property
    def number(self) -> int:
        return [s.value for s in self.Scope].index(self.scope) + 1


class DocumentQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        return self.filter(topic__in=Topic.objects.in_scope(actor, capability).values("pk"))


class TopicDocument(TimeStampedModel):
    """A document given to the sections with a topic (note, figures, report)."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("sujet"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=generated_upload_to("convention"))
    original_name = models.CharField(max_length=255, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["topic", "title"]

    def __str__(self):
        return self.title

    @property
    def permission_unit(self):
        return self.topic.convention.federation


class SectionDebateQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        if capability == VIEW:
            return self.filter(convention__in=Convention.objects.in_scope(actor, VIEW).values("pk"))
        return self.filter(units_q(actor, capability, field="section__"))


class SectionDebate(TimeStampedModel):
    """When and where a section debates the convention's topics."""

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="debates"
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="convention_debates",
    )
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("événement de l'agenda"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("informations pratiques"), blank=True)

    objects = SectionDebateQuerySet.as_manager()

    class Meta:
        verbose_name = _("débat de section")
        verbose_name_plural = _("débats de section")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "section"], name="debate_one_per_section"
            ),
        ]

    def __str__(self):
        return f"{self.section} — {self.convention}"

    @property
    def permission_unit(self):
        return self.section


class ContributionQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """``convention.view``: the section's own officers at any time, the federation's
        rapporteurs and managers at any time, every logged-in user after the deadline."""
        if is_system(actor):
            return self
        if capability == VIEW:
            if not _authenticated(actor):
                return self.none()
            return self.filter(
                Q(
                    topic__convention__contributions_deadline__lte=timezone.now(),
                    topic__convention__topics_published_on__lte=timezone.localdate(),
                )
                | units_q(actor, "convention.contribute", field="section__")
                | units_q(actor, "convention.rapporteur", field="topic__convention__federation__")
                | units_q(actor, "convention.manage", field="topic__convention__federation__")
            )
        if capability in ("convention.rapporteur", "convention.manage"):
            return self.filter(units_q(actor, capability, field="topic__convention__federation__"))
        return self.filter(units_q(actor, capability, field="section__"))


class Contribution(VoteFields, TimeStampedModel):
    """A section's contribution on one topic, with the section's vote on it."""

    class Coverage(models.TextChoices):
        FULL = "full", _("Reprise")
        PARTIAL = "partial", _("Reprise en partie")
        NONE = "none", _("Non reprise")

    topic = models.ForeignKey(
        Topic, verbose_name=_("sujet"), on_delete=models.CASCADE, related_name="contributions"
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="convention_contributions",
    )
    text = models.TextField(_("contribution"))
    members_present = models.PositiveIntegerField(_("adhérent·es présent·es"))
    minority_opinion = models.TextField(_("avis minoritaire"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The rapporteurs' word on what the synthesis does with it (shown in the coverage view).
    rapporteur_note = models.TextField(_("réponse des rapporteur·es"), blank=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["section__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "section"], name="contribution_one_per_section_topic"
            ),
            *_section_vote_constraints("contribution"),
        ]
        indexes = [models.Index(fields=["topic", "section"])]

    def __str__(self):
        return f"{self.section} — {self.topic}"

    def get_absolute_url(self):
        return reverse("convention:contribution", args=[self.pk])

    @property
    def permission_unit(self):
        return self.section

    @property
    def excerpt(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 220 else text[:217].rsplit(" ", 1)[0] + "…"


class ContributionRevision(VoteFields):
    """A contribution as it was before an edit (the history shown to everyone who reads it)."""

    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("contribution"))
    members_present = models.PositiveIntegerField(_("adhérent·es présent·es"))
    minority_opinion = models.TextField(_("avis minoritaire"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("enregistrée le"))

    class Meta:
        verbose_name = _("version d'une contribution")
        verbose_name_plural = _("versions des contributions")
        ordering = ["contribution", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "version"], name="contribution_revision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.contribution_id} v{self.version}"


class ParagraphQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        topics = Topic.objects.in_scope(actor, capability)
        if capability == VIEW:
            # Readers see a synthesis once published; rapporteurs and managers always.
            topics = topics.filter(
                Q(synthesis_published_at__isnull=False)
                | units_q(actor, "convention.rapporteur", field="convention__federation__")
                | units_q(actor, "convention.manage", field="convention__federation__")
            )
        if capability == "convention.contribute":
            topics = topics.filter(synthesis_published_at__isnull=False)
        return self.filter(topic__in=topics.values("pk"))


class Paragraph(TimeStampedModel):
    """A paragraph of a topic's synthesis, written by the rapporteurs."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("sujet"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    position = models.PositiveIntegerField(_("rang"))
    heading = models.CharField(_("intertitre"), max_length=200, blank=True)
    text = models.TextField(_("texte"))
    version = models.PositiveIntegerField(_("version"), default=1)
    contributions = models.ManyToManyField(
        Contribution, through="Citation", related_name="paragraphs", blank=True
    )

    objects = ParagraphQuerySet.as_manager()

    class Meta:
        verbose_name = _("paragraphe de synthèse")
        verbose_name_plural = _("paragraphes de synthèse")
        ordering = ["topic", "position"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="paragraph_unique_position"),
        ]

    def __str__(self):
        return f"§ {self.position} — {self.topic}"

    @property
    def permission_unit(self):
        return self.topic.convention.federation

    @property
    def label(self) -> str:
        return f"{self.topic.number}.{self.position}"


class ParagraphRevision(models.Model):
    """A paragraph as it was before an edit or an amendment's merge."""

    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("paragraphe")
    )
    version = models.PositiveIntegerField(_("version"))
    heading = models.CharField(_("intertitre"), max_length=200, blank=True)
    text = models.TextField(_("texte"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amendment = models.ForeignKey(
        "Amendment",
        verbose_name=_("amendement intégré"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        verbose_name = _("version d'un paragraphe")
        verbose_name_plural = _("versions des paragraphes")
        ordering = ["paragraph", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "version"], name="paragraph_revision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.paragraph_id} v{self.version}"


class CitationQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        return self.filter(paragraph__in=Paragraph.objects.in_scope(actor, capability).values("pk"))


class Citation(TimeStampedModel):
    """A synthesis paragraph draws on a contribution, fully or in part, and says how."""

    class Extent(models.TextChoices):
        FULL = "full", _("Reprise")
        PARTIAL = "partial", _("Reprise en partie")

    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraphe"), on_delete=models.CASCADE, related_name="citations"
    )
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="citations",
    )
    extent = models.CharField(
        _("reprise"), max_length=10, choices=Extent.choices, default=Extent.FULL
    )
    note = models.CharField(_("ce qui est repris"), max_length=300, blank=True)
    #: The version of the contribution the rapporteur read when linking it.
    contribution_version = models.PositiveIntegerField(_("version lue"), default=1)

    objects = CitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["paragraph", "contribution__section__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "contribution"], name="citation_unique_pair"
            ),
        ]
        indexes = [models.Index(fields=["contribution", "extent"])]

    def __str__(self):
        return f"§{self.paragraph_id} ← {self.contribution_id}"


class AmendmentQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        if capability == VIEW:
            if not _authenticated(actor):
                return self.none()
            return self.filter(
                paragraph__topic__convention__in=Convention.objects.in_scope(actor, VIEW).values(
                    "pk"
                )
            )
        if capability in ("convention.rapporteur", "convention.manage"):
            return self.filter(
                units_q(actor, capability, field="paragraph__topic__convention__federation__")
            )
        return self.filter(units_q(actor, capability, field="section__"))


class Amendment(VoteFields, TimeStampedModel):
    """A section's amendment to a synthesis paragraph, with the section's vote on it."""

    class Status(models.TextChoices):
        TABLED = "tabled", _("Déposé")
        ACCEPTED = "accepted", _("Accepté")
        MERGED = "merged", _("Intégré avec modification")
        REJECTED = "rejected", _("Refusé par les rapporteur·es")

    paragraph = models.ForeignKey(
        Paragraph,
        verbose_name=_("paragraphe"),
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="convention_amendments",
    )
    proposed_text = models.TextField(
        _("rédaction proposée"), help_text=_("Le paragraphe tel que la section le propose.")
    )
    rationale = models.TextField(_("exposé des motifs"))
    members_present = models.PositiveIntegerField(_("adhérent·es présent·es"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.TABLED
    )
    answer = models.TextField(_("réponse des rapporteur·es"), blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    #: The paragraph's text when the amendment was tabled (to show what it changes).
    base_text = models.TextField(_("texte amendé"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("amendement")
        verbose_name_plural = _("amendements")
        ordering = ["paragraph__topic__scope", "paragraph__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "section"], name="amendment_one_per_section_paragraph"
            ),
            *_section_vote_constraints("amendment"),
        ]
        indexes = [models.Index(fields=["section", "status"])]

    def __str__(self):
        return _("Amendement n° %(n)s") % {"n": self.pk}

    def get_absolute_url(self):
        return reverse("convention:amendment", args=[self.pk])

    @property
    def permission_unit(self):
        return self.section

    @property
    def is_answered(self) -> bool:
        return self.status != self.Status.TABLED


class VoteResult(VoteFields, TimeStampedModel):
    """The convention's vote on one item: a topic's synthesis or an amendment."""

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="results"
    )
    topic = models.OneToOneField(
        Topic,
        verbose_name=_("synthèse"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="result",
    )
    amendment = models.OneToOneField(
        Amendment,
        verbose_name=_("amendement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="result",
    )

    class Meta:
        verbose_name = _("résultat de vote")
        verbose_name_plural = _("résultats de vote")
        constraints = [
            models.CheckConstraint(
                condition=(Q(topic__isnull=False) & Q(amendment__isnull=True))
                | (Q(topic__isnull=True) & Q(amendment__isnull=False)),
                name="vote_result_one_item",
            ),
        ]

    def __str__(self):
        return f"{self.votes_for}/{self.votes_against}/{self.votes_abstain}"


class Grouping(TimeStampedModel):
    """Contributions of a topic grouped by similarity (help for the rapporteurs).

    ``groups`` is ``[{"contributions": [ids], "phrases": [..]}, ...]`` as computed by
    :mod:`fede.convention.similarity`; ``signature`` identifies the input (ids and
    versions), so a page can say the grouping is out of date.
    """

    topic = models.ForeignKey(
        Topic, verbose_name=_("sujet"), on_delete=models.CASCADE, related_name="groupings"
    )
    groups = models.JSONField(_("groupes"), default=list)
    signature = models.CharField(max_length=64)
    contribution_count = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("regroupement")
        verbose_name_plural = _("regroupements")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.topic} ({self.created_at:%Y-%m-%d %H:%M})"
