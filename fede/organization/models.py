"""The organisation: territories, the unit tree, members, dues, transfers and offices."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.models import TimeStampedModel
from fede.core.sorting import natural_sort_key


def _scope_q(actor, capability: str, field: str = "") -> Q:
    """Units (through ``field``) where ``actor`` holds ``capability`` (see roles.py)."""
    from .roles import units_q  # roles builds on these models

    return units_q(actor, capability, field=field)


class Territory(models.Model):
    """A piece of the map: arrondissement, polling station, neighbourhood."""

    class Kind(models.TextChoices):
        ARRONDISSEMENT = "arrondissement", _("Arrondissement")
        POLLING_STATION = "polling_station", _("Bureau de vote")
        NEIGHBOURHOOD = "neighbourhood", _("Quartier")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("code officiel"),
        max_length=30,
        help_text=_("INSEE pour un arrondissement (75111), « 11-5 » pour un bureau de vote."),
    )
    name = models.CharField(_("nom"), max_length=200)
    number = models.PositiveIntegerField(_("numéro"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("territoire parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    geometry = models.JSONField(_("géométrie (GeoJSON)"), null=True, blank=True)
    is_priority = models.BooleanField(
        _("quartier prioritaire"), default=False, help_text=_("Quartier prioritaire (QPV).")
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["kind", "number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_unique_kind_code")
        ]
        indexes = [models.Index(fields=["parent", "kind"])]

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def sections(self):
        return self.filter(kind=Unit.Kind.SECTION)

    def active(self):
        return self.filter(is_active=True)

    def subtree_of(self, unit: Unit):
        """The unit and every unit below it."""
        return self.filter(path__startswith=unit.path)

    def in_scope(self, actor, capability: str):
        """Units on whose subtree ``actor`` holds ``capability`` (in SQL)."""
        return self.filter(self.scope_q(actor, capability))

    def scope_q(self, actor, capability: str) -> Q:
        """:meth:`in_scope`'s condition (see core.access.get_in_scope_compiled_or_404)."""
        return _scope_q(actor, capability)


class Unit(TimeStampedModel):
    """A node of the organisation: national party, federation, section.

    ``path`` is a materialised path of zero-padded ids ("00000001.00000007.") so a
    subtree is one indexed ``LIKE 'prefix%'`` query, whatever the depth.
    """

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Parti (national)")
        FEDERATION = "federation", _("Fédération")
        SECTION = "section", _("Section")

    class SectionKind(models.TextChoices):
        TERRITORIAL = "territorial", _("Section territoriale")
        WORKPLACE = "workplace", _("Section d'entreprise")

    class Sector(models.TextChoices):
        TRANSPORT = "transport", _("Transports")
        HEALTH = "health", _("Santé, hôpitaux")
        CITY = "city", _("Administration de la Ville")
        STATE = "state", _("Fonction publique d'État")
        ENERGY = "energy", _("Énergie")
        EDUCATION = "education", _("Éducation, recherche")
        POST_TELECOM = "post_telecom", _("Poste, télécoms")
        CULTURE = "culture", _("Culture, médias")
        FINANCE = "finance", _("Banque, assurance")
        INDUSTRY = "industry", _("Industrie")
        RETAIL = "retail", _("Commerce, services")
        OTHER = "other", _("Autre")

    kind = models.CharField(_("niveau"), max_length=12, choices=Kind.choices)
    section_kind = models.CharField(
        _("type de section"), max_length=12, choices=SectionKind.choices, blank=True
    )
    name = models.CharField(_("nom"), max_length=200)
    #: ``natural_sort_key(name)``, kept by save(): "Paris 2" sorts before "Paris 10".
    sort_name = models.CharField(
        _("clé de tri"), max_length=255, db_index=True, editable=False, default=""
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("rattachée à"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    # Workplace sections (seed proposal 3.4).
    employer = models.CharField(_("employeur"), max_length=200, blank=True)
    sector = models.CharField(_("secteur"), max_length=20, choices=Sector.choices, blank=True)
    sites = models.TextField(_("sites"), blank=True)
    # Life of the section.
    has_premises = models.BooleanField(_("dispose d'un local"), default=True)
    meeting_place = models.CharField(_("lieu de réunion habituel"), max_length=300, blank=True)
    presentation = models.TextField(_("présentation publique"), blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone de contact"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    closed_on = models.DateField(_("fermée le"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionnée dans"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unité")
        verbose_name_plural = _("unités")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "section_kind"]),
            models.Index(fields=["parent"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="section") | Q(section_kind=""),
                name="unit_section_kind_only_on_sections",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_name = natural_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organization:section_dashboard", args=[self.pk])

    @property
    def is_section(self) -> bool:
        return self.kind == self.Kind.SECTION

    @property
    def is_workplace(self) -> bool:
        return self.section_kind == self.SectionKind.WORKPLACE

    @property
    def permission_unit(self) -> Unit:
        return self

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and each of its ancestors, root first."""
        parts = [p for p in self.path.split(".") if p]
        return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def dues_grace_months() -> int:
    return getattr(settings, "FEDE_DUES_GRACE_MONTHS", 3)


def up_to_date_q(on: datetime.date | None = None, prefix: str = "", paid_by=None) -> Q:
    """Q on Member (or ``prefix`` + member) for "à jour de cotisation" on a date.

    A member is up to date on ``on`` when they paid, on or before that day, the dues of
    that year — or of the previous year while the grace period (FEDE_DUES_GRACE_MONTHS,
    default 3: until the end of March) runs. ``paid_by`` stands for ``on`` in the
    payment's date (an expression, e.g. a statement's slot; the years still come from
    ``on``).
    """
    on = on or timezone.localdate()
    payments = DuesPayment.objects.valid().filter(
        member=OuterRef(f"{prefix}pk"),
        year__in=up_to_date_years(on),
        paid_on__lte=on if paid_by is None else paid_by,
    )
    return Q(Exists(payments))


def up_to_date_years(on: datetime.date) -> list[int]:
    """The dues years that make a member up to date on ``on`` (see up_to_date_q)."""
    years = [on.year]
    if on.month <= dues_grace_months():
        years.append(on.year - 1)
    return years


def up_to_date_in(payments, on: datetime.date | None = None) -> bool:
    """up_to_date_q, in Python, over payments already read (all of the member's valid
    payments of the years of up_to_date_years, at least): no query."""
    on = on or timezone.localdate()
    years = up_to_date_years(on)
    return any(p.cancelled_at is None and p.year in years and p.paid_on <= on for p in payments)


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Member.Status.ACTIVE)

    def up_to_date(self, on: datetime.date | None = None):
        return self.filter(up_to_date_q(on))

    def with_up_to_date(self, on: datetime.date | None = None):
        return self.annotate(is_up_to_date=up_to_date_q(on))

    def in_scope(self, actor, capability: str):
        """Members whose section lies where ``actor`` holds ``capability`` (in SQL)."""
        return self.filter(self.scope_q(actor, capability))

    def scope_q(self, actor, capability: str) -> Q:
        """:meth:`in_scope`'s condition (see core.access.get_in_scope_compiled_or_404)."""
        return _scope_q(actor, capability, "section__")


class Member(TimeStampedModel):
    """A person in the member file (fichier des adhérents). Many never log in."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Adhérent·e")
        LAPSED = "lapsed", _("Non renouvelé·e")
        RESIGNED = "resigned", _("Démissionnaire")
        EXCLUDED = "excluded", _("Exclu·e")
        DECEASED = "deceased", _("Décédé·e")

    membership_number = models.CharField(_("numéro d'adhérent"), max_length=20, unique=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    joined_on = models.DateField(_("adhésion le"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    left_on = models.DateField(_("départ le"), null=True, blank=True)
    section = models.ForeignKey(
        Unit, verbose_name=_("section"), on_delete=models.PROTECT, related_name="members"
    )
    consent_share_contact = models.BooleanField(
        _("accepte de partager ses coordonnées avec les responsables de sa section"),
        default=True,
    )
    consent_newsletter = models.BooleanField(_("accepte la lettre d'information"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    erasure_requested_at = models.DateTimeField(_("effacement demandé le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("adhérent·e")
        verbose_name_plural = _("adhérent·es")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["email"]),
            models.Index(fields=["status", "left_on"]),
        ]

    @classmethod
    def from_db(cls, db, field_names, values):
        # The login the record was linked to when read: unlinking it must end that
        # login's rights too (organization.roles bumps both logins' access stamps).
        instance = super().from_db(db, field_names, values)
        instance._loaded_user_id = instance.__dict__.get("user_id")
        return instance

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self):
        return reverse("organization:member_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def permission_unit(self) -> Unit:
        return self.section

    def is_up_to_date_on(self, on: datetime.date | None = None) -> bool:
        return Member.objects.filter(pk=self.pk).filter(up_to_date_q(on)).exists()


class DuesPaymentQuerySet(models.QuerySet):
    def valid(self):
        """Payments that count: not cancelled."""
        return self.filter(cancelled_at__isnull=True)

    def in_scope(self, actor, capability: str):
        """Payments of members whose section lies where ``actor`` holds ``capability``."""
        return self.filter(_scope_q(actor, capability, "member__section__"))


class DuesPayment(TimeStampedModel):
    """One year of dues paid by a member (one valid row per member and year).

    A wrong payment is corrected (every change kept in :class:`DuesCorrection`) or
    cancelled with a reason: it then stays visible, struck through, and no longer counts.
    """

    class Method(models.TextChoices):
        CHEQUE = "cheque", _("Chèque")
        TRANSFER = "transfer", _("Virement")
        DIRECT_DEBIT = "direct_debit", _("Prélèvement")
        CARD = "card", _("Carte bancaire")
        CASH = "cash", _("Espèces")

    member = models.ForeignKey(
        Member, verbose_name=_("adhérent·e"), on_delete=models.CASCADE, related_name="payments"
    )
    year = models.PositiveSmallIntegerField(_("année"))
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("payée le"))
    method = models.CharField(_("moyen de paiement"), max_length=15, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.TextField(_("motif de l'annulation"), blank=True)

    objects = DuesPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("cotisation")
        verbose_name_plural = _("cotisations")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=Q(cancelled_at__isnull=True),
                name="dues_one_valid_payment_per_year",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_amount_positive"),
        ]
        indexes = [models.Index(fields=["year", "paid_on"])]

    def __str__(self):
        return f"{self.member_id} {self.year} {self.amount} €"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def permission_unit(self) -> Unit:
        return self.member.section


class DuesCorrectionQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        return self.filter(_scope_q(actor, capability, "payment__member__section__"))


class DuesCorrection(TimeStampedModel):
    """One correction of a payment: the fields changed (old and new values) and why."""

    payment = models.ForeignKey(
        DuesPayment,
        verbose_name=_("cotisation"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    changes = models.JSONField(_("modifications"), default=dict)
    reason = models.TextField(_("motif"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrigée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DuesCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction de cotisation")
        verbose_name_plural = _("corrections de cotisations")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.payment_id} {self.created_at:%Y-%m-%d}"

    LABELS = {
        "year": _("année"),
        "amount": _("montant"),
        "paid_on": _("date de paiement"),
        "method": _("moyen"),
    }

    @property
    def lines(self) -> list[dict]:
        """Each change as shown to a reader: label, old value, new value."""
        return [
            {
                "label": self.LABELS.get(name, name),
                "old": _dues_value(name, old),
                "new": _dues_value(name, new),
            }
            for name, (old, new) in self.changes.items()
        ]


def _dues_value(name: str, value) -> str:
    """A stored value of a payment's field, formatted for the reader."""
    from decimal import Decimal, InvalidOperation

    from django.utils import formats

    if value in (None, ""):
        return "—"
    try:
        if name == "amount":
            return f"{formats.number_format(Decimal(str(value)), 2)} €"
        if name == "paid_on":
            return formats.date_format(datetime.date.fromisoformat(str(value)), "d/m/Y")
    except (InvalidOperation, ValueError):
        return str(value)
    if name == "method":
        return str(dict(DuesPayment.Method.choices).get(value, value))
    return str(value)


class TransferQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """Transfers leaving or entering a unit where ``actor`` holds ``capability``."""
        return self.filter(
            _scope_q(actor, capability, "from_unit__") | _scope_q(actor, capability, "to_unit__")
        )


class Transfer(TimeStampedModel):
    """A member's move from one section to another, requested then decided."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandé")
        APPROVED = "approved", _("Validé")
        REFUSED = "refused", _("Refusé")
        CANCELLED = "cancelled", _("Annulé")

    member = models.ForeignKey(
        Member, verbose_name=_("adhérent·e"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("de"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("vers"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.TextField(_("motif"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decision_note = models.TextField(_("note de décision"), blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfert")
        verbose_name_plural = _("transferts")
        ordering = ["-created_at"]
        constraints = [
            # At most one open request per member: a double click cannot open two.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="requested"),
                name="transfer_one_open_request_per_member",
            ),
        ]
        indexes = [models.Index(fields=["status", "to_unit"])]

    def __str__(self):
        return f"{self.member_id}: {self.from_unit_id} → {self.to_unit_id}"

    @property
    def permission_unit(self) -> Unit:
        return self.from_unit


class Role(models.TextChoices):
    """The offices of the organisation. What each may do: organization.roles.CAPABILITIES."""

    SECTION_SECRETARY = "section_secretary", _("Secrétaire de section")
    SECTION_TREASURER = "section_treasurer", _("Trésorier·e de section")
    SECTION_BUREAU = "section_bureau", _("Membre du bureau de section")
    FIRST_SECRETARY = "first_secretary", _("Premier·e secrétaire fédéral·e")
    FEDERAL_SECRETARY = "federal_secretary", _("Secrétaire fédéral·e")
    FEDERAL_TREASURER = "federal_treasurer", _("Trésorier·e fédéral·e")
    FEDERAL_STAFF = "federal_staff", _("Permanent·e de la fédération")
    COUNCIL_MEMBER = "council_member", _("Membre du conseil fédéral")
    JOURNAL_EDITOR = "journal_editor", _("Rédacteur·rice du journal")


class MandateQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))

    def in_scope(self, actor, capability: str):
        """Offices held on units where ``actor`` holds ``capability`` (in SQL)."""
        return self.filter(_scope_q(actor, capability, "unit__"))


class Mandate(TimeStampedModel):
    """An office: a member holds a role on a unit (and its subtree) between two dates."""

    member = models.ForeignKey(
        Member, verbose_name=_("adhérent·e"), on_delete=models.CASCADE, related_name="mandates"
    )
    role = models.CharField(_("responsabilité"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unité"), on_delete=models.CASCADE, related_name="mandates"
    )
    portfolio = models.CharField(
        _("délégation"), max_length=200, blank=True, help_text=_("Ex. : « Élections »")
    )
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsabilité")
        verbose_name_plural = _("responsabilités")
        ordering = ["unit__path", "role", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="mandate_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"]), models.Index(fields=["member", "end"])]

    def __str__(self):
        return f"{self.get_role_display()} — {self.unit}"

    @property
    def permission_unit(self) -> Unit:
        return self.unit


class MemberInvitationQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """Invitations of members whose section lies where ``actor`` holds ``capability``."""
        return self.filter(_scope_q(actor, capability, "member__section__"))


class MemberInvitation(TimeStampedModel):
    """An invitation sent to a member to activate their space (create their login).

    The link of the mail carries a signed, expiring token naming this row; it works once
    (``used_at``) and only while it is the member's latest invitation.
    """

    member = models.ForeignKey(
        Member,
        verbose_name=_("adhérent·e"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)

    objects = MemberInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation à activer son espace")
        verbose_name_plural = _("invitations à activer son espace")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "-created_at"])]

    def __str__(self):
        return f"{self.member_id} {self.created_at:%Y-%m-%d}"

    @property
    def permission_unit(self) -> Unit:
        return self.member.section
