"""The public site: news posts and pages written by the federation, and join requests.

A join request holds personal data (identity, contact, address) from the moment a visitor
sends the form; it is kept only as long as it is useful (see ``services.RETENTION``) and
purged by ``manage.py purge_join_requests``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.models import TimeStampedModel
from fede.organization.models import Unit


def _scope_q(actor, capability: str, field: str) -> Q:
    from fede.organization.roles import units_q

    return units_q(actor, capability, field=field)


class Publication(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")


class PublishedQuerySet(models.QuerySet):
    def published(self, now=None):
        """What visitors see: published, and due (a post may be published ahead)."""
        return self.filter(status=Publication.PUBLISHED, published_at__lte=now or timezone.now())

    def in_scope(self, actor, capability: str):
        """Posts and pages of the units where ``actor`` holds ``capability`` (in SQL)."""
        return self.filter(_scope_q(actor, capability, "unit__"))


class _Publishable(TimeStampedModel):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("fédération"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.FEDERATION},
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(
        _("adresse"), max_length=80, unique=True, help_text=_("Lettres, chiffres et tirets.")
    )
    summary = models.CharField(
        _("résumé"),
        max_length=300,
        blank=True,
        help_text=_(
            "Une ou deux phrases : reprises dans les listes et par les moteurs de recherche."
        ),
    )
    body = models.TextField(_("texte"), help_text=_("Mise en forme Markdown."))
    status = models.CharField(
        _("état"), max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·rice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def permission_unit(self) -> Unit:
        return self.unit

    @property
    def is_published(self) -> bool:
        return self.status == Publication.PUBLISHED


class NewsPost(_Publishable):
    """A news post of the federation ("Actualités")."""

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def get_absolute_url(self):
        return reverse("website:news_detail", args=[self.slug])


class Page(_Publishable):
    """A page of the site: who we are, contact, legal notice, privacy policy…"""

    in_footer = models.BooleanField(_("lien en pied de page"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=100)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["order", "title"]

    def get_absolute_url(self):
        return reverse("website:page", args=[self.slug])


class JoinRequestQuerySet(models.QuerySet):
    def in_scope(self, actor, capability: str):
        """Requests addressed to a section where ``actor`` holds ``capability`` (in SQL)."""
        return self.filter(_scope_q(actor, capability, "section__"))

    def pending(self):
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(TimeStampedModel):
    """A visitor asks to join: confirmed by e-mail, then decided by the section's officers."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("E-mail à confirmer")
        PENDING = "pending", _("À traiter")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Refusée")

    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100, default="Paris")
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    section = models.ForeignKey(
        Unit, verbose_name=_("section"), on_delete=models.PROTECT, related_name="join_requests"
    )
    consent_newsletter = models.BooleanField(_("accepte la lettre d'information"), default=False)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("e-mail confirmé le"), null=True, blank=True)
    redirected_from = models.ForeignKey(
        Unit,
        verbose_name=_("réorientée depuis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("fiche créée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        ordering = ["-confirmed_at", "-pk"]
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self):
        return f"{self.pk} → {self.section_id}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def permission_unit(self) -> Unit:
        return self.section

    def get_absolute_url(self):
        return reverse("website:join_request", args=[self.pk])
