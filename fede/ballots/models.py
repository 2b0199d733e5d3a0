"""Internal votes: ballots, their rounds and options, the electoral roll, the section
procès-verbaux (PV) and, for online votes, the register and the ballot box.

Secrecy of an online vote is held by the shape of the tables (CNIL délibération 2019-053):

- :class:`VoteRecord` (the register, *émargement*) says who voted in a round, and on which
  day; it holds no choice.
- :class:`CastBallot` (the ballot box, *urne*) holds choices: a random UUID primary key, a
  random receipt code, the round and the option — no voter, no timestamp, no auto-increment
  id, so neither a link nor an insertion order joins it to the register.
- The receipt code is shown once to the voter and stored nowhere else.

"One ballot per voter per round" is a unique constraint on the register; the register row
and the ballot are written in the same transaction (``services.vote_cast``), so a second
concurrent request fails on the constraint and writes no ballot.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.access import is_system
from fede.core.models import TimeStampedModel
from fede.organization.roles import grant_paths, units_q

#: Alphabet of receipt codes: no 0/O, 1/I/L, easy to read back over the phone.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_receipt() -> str:
    """A random receipt code such as ``K7QM-3XPA-9TRE`` (about 74 bits)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(15))
    return "-".join(raw[i : i + 5] for i in range(0, 15, 5))


def _ancestors(path: str) -> list[str]:
    """The paths of the unit at ``path`` and of every unit above it."""
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def _ballot_reach_q(actor, capability: str, field: str = "federation__") -> Q:
    """Ballots whose federation lies above or below a unit where ``actor`` holds
    ``capability``: a section secretary reaches the ballots of their federation."""
    paths = grant_paths(actor, capability)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        ancestors = _ancestors(path)
        q |= Q(**{f"{field}path__in": ancestors}) | Q(**{f"{field}path__startswith": path})
    return q


def participates(actor, federation_path: str, status: str) -> bool:
    """``Ballot.objects.in_scope(actor, "ballots.participate")`` for one ballot known by
    its federation's path and its status, in Python (same rules, same helpers): for a
    list of ballots read once for everyone (the home panel), filtered per reader."""
    if is_system(actor):
        return True
    member = _member_of(actor) if actor.is_authenticated else None
    if (
        member is not None
        and status != Ballot.Status.DRAFT
        and federation_path in _ancestors(member.section.path)
    ):
        return True
    return any(
        federation_path in _ancestors(path) or federation_path.startswith(path)
        for path in grant_paths(actor, "ballots.manage")
    )


def _member_of(user):
    """``user.member`` with its section, in one query the first time (then cached on the
    user, as the ``member`` accessor caches it: the views read it again)."""
    from django.contrib.auth import get_user_model

    accessor = get_user_model().member  # ``user`` may be the request's lazy object
    if not accessor.is_cached(user):
        from fede.organization.models import Member

        member = Member._base_manager.select_related("section").filter(user=user).first()
        accessor.related.set_cached_value(user, member)
        if member is not None:
            # The member's side of the one-to-one, as the accessor sets it.
            Member.user.field.set_cached_value(member, getattr(user, "_wrapped", user))
    return getattr(user, "member", None)


class BallotQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """Ballots ``actor`` reaches with ``capability``.

        ``ballots.participate`` is not a granted capability: it is the member's own reach,
        the ballots (not drafts) of the federation of their section.
        """
        if is_system(actor):
            return self
        scoped = self.filter(self.scope_q(actor, capability))
        return scoped.distinct() if capability == "ballots.participate" else scoped

    def scope_q(self, actor, capability: str) -> Q:
        """:meth:`in_scope`'s condition (see core.access.get_in_scope_compiled_or_404)."""
        if is_system(actor):
            return Q()
        if capability == "ballots.participate":
            member = _member_of(actor) if actor.is_authenticated else None
            reach = Q(pk__in=[])
            if member is not None:
                ancestors = _ancestors(member.section.path)
                reach = Q(federation__path__in=ancestors) & ~Q(status=Ballot.Status.DRAFT)
            return reach | _ballot_reach_q(actor, "ballots.manage")
        if capability == "ballots.manage":
            return units_q(actor, capability, field="federation__")
        return _ballot_reach_q(actor, capability) & ~Q(status=Ballot.Status.DRAFT)


class Ballot(TimeStampedModel):
    """An internal vote of a federation: one question, one or more rounds."""

    class Kind(models.TextChoices):
        ELECTION = "election", _("Élection d'une personne")
        MOTIONS = "motions", _("Vote sur des motions")
        QUESTION = "question", _("Question")

    class Mode(models.TextChoices):
        SECTION = "section", _("Dans les sections (dépouillement et procès-verbal)")
        ONLINE = "online", _("En ligne, à bulletin secret")

    class Majority(models.TextChoices):
        ABSOLUTE = "absolute", _("Majorité absolue des suffrages exprimés, sinon second tour")
        RELATIVE = "relative", _("Majorité relative : un seul tour")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        RUNNING = "running", _("En cours")
        FINISHED = "finished", _("Terminé")

    federation = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("fédération"),
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    kind = models.CharField(_("type de vote"), max_length=10, choices=Kind.choices)
    mode = models.CharField(_("modalité"), max_length=10, choices=Mode.choices)
    majority = models.CharField(
        _("règle de majorité"), max_length=10, choices=Majority.choices, default=Majority.ABSOLUTE
    )
    runoff_size = models.PositiveSmallIntegerField(
        _("options qualifiées pour le second tour"),
        default=2,
        help_text=_("Les options arrivées en tête du premier tour (2 : les deux premières)."),
    )
    eligibility_date = models.DateField(
        _("à jour de cotisation au"),
        help_text=_("Date d'arrêt de la liste électorale : cotisation à jour à cette date."),
    )
    joined_before = models.DateField(
        _("adhésion avant le"),
        help_text=_("Seuls les adhérent·es inscrit·es avant cette date votent."),
    )
    opens_at = models.DateTimeField(_("ouverture du vote"))
    closes_at = models.DateTimeField(_("clôture du vote"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    roll_frozen_at = models.DateTimeField(_("liste arrêtée le"), null=True, blank=True)

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["federation", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="ballots_ballot_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(runoff_size__gte=2), name="ballots_ballot_runoff_at_least_two"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ballots:detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.federation

    @property
    def is_online(self) -> bool:
        return self.mode == self.Mode.ONLINE

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Option(models.Model):
    """A candidate, a motion or an answer of a ballot."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("libellé"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "label"], name="ballots_option_unique_label")
        ]

    def __str__(self):
        return self.label


class RoundQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return self.filter(ballot__in=Ballot.objects.in_scope(actor, capability))


class Round(models.Model):
    """One round of a ballot, with the options still in the running."""

    class Status(models.TextChoices):
        OPEN = "open", _("Vote ouvert")
        CLOSED = "closed", _("Clos, résultats en consolidation")
        PUBLISHED = "published", _("Résultats publiés")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("tour"))
    options = models.ManyToManyField(Option, verbose_name=_("options"), related_name="rounds")
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("tour")
        verbose_name_plural = _("tours")
        ordering = ["ballot", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "number"], name="ballots_round_unique"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="ballots_round_closes_after_opens"
            ),
        ]

    def __str__(self):
        return _("%(ballot)s — tour %(n)s") % {"ballot": self.ballot, "n": self.number}

    @property
    def permission_unit(self):
        return self.ballot.federation

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def accepting_votes(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.opens_at <= now < self.closes_at


class RollEntryQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        if is_system(actor):
            return self
        return self.filter(units_q(actor, capability, field="section__"))

    def active(self):
        return self.filter(struck_at__isnull=True)


class RollEntry(models.Model):
    """A member on the electoral roll of a ballot, with the section they vote in.

    The roll is computed once (frozen) from the eligibility rules; later corrections
    (additions, strikes) are rows changed with a reason, each one audited.
    """

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="roll"
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("adhérent·e"),
        on_delete=models.CASCADE,
        related_name="ballot_roll_entries",
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section de vote"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by_correction = models.BooleanField(_("ajout par correction"), default=False)
    reason = models.CharField(_("motif de la correction"), max_length=300, blank=True)
    struck_at = models.DateTimeField(_("radié·e le"), null=True, blank=True)

    objects = RollEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription sur la liste électorale")
        verbose_name_plural = _("liste électorale")
        ordering = ["member__last_name", "member__first_name", "pk"]
        indexes = [models.Index(fields=["ballot", "section"])]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="ballots_roll_unique_member")
        ]

    def __str__(self):
        return str(self.member)

    @property
    def permission_unit(self):
        return self.section


class VoteCode(models.Model):
    """A one-time code sent by e-mail to a voter without TOTP (second factor)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("organization.Member", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="ballots_votecode_unique")
        ]

    def __str__(self):
        return f"{self.round} — {self.member_id}"


class VoteRecord(models.Model):
    """The register (émargement) of an online round: that a member voted, and the day.

    No link to the ballot box; one row per voter per round, held by the unique constraint.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("tour"), on_delete=models.PROTECT, related_name="register"
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("adhérent·e"),
        on_delete=models.PROTECT,
        related_name="ballot_vote_records",
    )
    section = models.ForeignKey(
        "organization.Unit", verbose_name=_("section"), on_delete=models.PROTECT, related_name="+"
    )
    voted_on = models.DateField(_("a voté le"))

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("registre des votants")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"], name="ballots_one_vote_per_member_per_round"
            )
        ]
        indexes = [models.Index(fields=["round", "section"])]

    def __str__(self):
        return f"{self.round} — {self.member_id}"


class CastBallot(models.Model):
    """A ballot in the box of an online round: a choice, nothing about the voter.

    The primary key is a random UUID (no sequence), there is no timestamp, and the list is
    always read ordered by receipt: nothing orders ballots like the register.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        Round, verbose_name=_("tour"), on_delete=models.PROTECT, related_name="box"
    )
    #: Empty for a blank vote.
    option = models.ForeignKey(
        Option,
        verbose_name=_("choix"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receipt = models.CharField(_("code de vérification"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("urne")
        ordering = ["receipt"]

    def __str__(self):
        return self.receipt


class SectionResultQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """PVs of the sections where ``actor`` holds ``capability``.

        ``ballots.view_pv`` is the reach of anyone who takes part in a PV: the section's
        secretary, its assessors, and the federation.
        """
        if is_system(actor):
            return self
        if capability == "ballots.view_pv":
            return self.filter(
                units_q(actor, "ballots.enter_results", field="section__")
                | units_q(actor, "ballots.countersign", field="section__")
                | units_q(actor, "ballots.manage", field="section__")
            )
        return self.filter(units_q(actor, capability, field="section__"))


class SectionResult(TimeStampedModel):
    """The procès-verbal (PV) of a section's polling station for one round."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À saisir")
        ENTERED = "entered", _("Saisi, à contresigner")
        COUNTERSIGNED = "countersigned", _("Contresigné, à valider")
        CORRECTION = "correction", _("Correction demandée")
        VALIDATED = "validated", _("Validé par la fédération")

    round = models.ForeignKey(
        Round, verbose_name=_("tour"), on_delete=models.CASCADE, related_name="section_results"
    )
    section = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="ballot_results",
    )
    status = models.CharField(
        _("état"), max_length=14, choices=Status.choices, default=Status.PENDING
    )
    registered = models.PositiveIntegerField(_("inscrits"), default=0)
    voters = models.PositiveIntegerField(_("votants (signatures)"), default=0)
    blank = models.PositiveIntegerField(_("bulletins blancs"), default=0)
    void = models.PositiveIntegerField(_("bulletins nuls"), default=0)
    assessors = models.CharField(
        _("assesseur·es"),
        max_length=300,
        blank=True,
        help_text=_("Noms, séparés par des virgules."),
    )
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    countersigned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    correction_note = models.TextField(_("correction demandée"), blank=True)

    objects = SectionResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("procès-verbal")
        verbose_name_plural = _("procès-verbaux")
        ordering = ["round", "section__name"]
        indexes = [models.Index(fields=["section", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["round", "section"], name="ballots_one_pv_per_section"),
            models.CheckConstraint(
                condition=Q(voters__lte=F("registered")), name="ballots_pv_voters_le_registered"
            ),
            models.CheckConstraint(
                condition=Q(blank__lte=F("voters") - F("void")), name="ballots_pv_blank_void_le"
            ),
        ]

    def __str__(self):
        return _("PV de %(section)s, tour %(n)s") % {
            "section": self.section,
            "n": self.round.number,
        }

    def get_absolute_url(self):
        return reverse("ballots:pv_detail", args=[self.pk])

    @property
    def permission_unit(self):
        return self.section

    @property
    def expressed(self) -> int:
        return self.voters - self.blank - self.void


class SectionResultLine(models.Model):
    """Votes for one option in one PV."""

    result = models.ForeignKey(
        SectionResult, verbose_name=_("PV"), on_delete=models.CASCADE, related_name="lines"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("option"), on_delete=models.PROTECT, related_name="+"
    )
    votes = models.PositiveIntegerField(_("voix"), default=0)

    class Meta:
        verbose_name = _("voix d'une option")
        verbose_name_plural = _("voix des options")
        ordering = ["option__order", "option__pk"]
        constraints = [
            models.UniqueConstraint(fields=["result", "option"], name="ballots_pv_line_unique")
        ]

    def __str__(self):
        return f"{self.option}: {self.votes}"


class RoundTally(models.Model):
    """The consolidated figures of a section round, kept by the services that change a PV
    (``services._retally``, in the same transaction, the round locked): what the validated
    PVs add up to, so the results page does not sum 8,000 PVs and 24,000 lines per view.

    Always a recount (never a running delta), hence equal to it by construction; a round
    without a tally (rows loaded outside the services) is summed on the fly instead.
    """

    round = models.OneToOneField(
        Round, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    pvs = models.PositiveIntegerField(default=0)  # every PV of the round
    counted = models.PositiveIntegerField(default=0)  # validated PVs
    roll = models.PositiveIntegerField(default=0)  # "registered" of every PV
    registered = models.PositiveIntegerField(default=0)  # of validated PVs
    voters = models.PositiveIntegerField(default=0)
    blank = models.PositiveIntegerField(default=0)
    void = models.PositiveIntegerField(default=0)
    #: {option id (as text): votes in validated PVs}
    votes = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.round_id}: {self.counted}/{self.pvs}"
