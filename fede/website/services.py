"""Every write of the public site: news and pages, the contact form, join requests.

Visitors act anonymously (``actor`` is the request's user): sending the contact form or a
join request, confirming one. Officers decide requests (``website.joins`` on the section);
accepting one creates the member through ``organization.services.member_create`` and sends
the space activation invitation through ``organization.invitations.member_invite``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields
from fede.core.mail import absolute_url, mail_message, outbox_send
from fede.organization import invitations
from fede.organization import services as organization_services
from fede.organization.models import Unit

from . import selectors
from .models import JoinRequest, NewsPost, Page, Publication

#: How long the confirmation link of a join request works.
CONFIRM_DAYS = 7
_CONFIRM_SALT = "fede.website.join-confirm"
#: Retention of join requests (days after their last change): an unconfirmed request is
#: deleted once its link has long expired, a declined one after the time to answer
#: questions about it; an accepted one once the member file holds the data.
RETENTION = {
    JoinRequest.Status.UNCONFIRMED: 30,
    JoinRequest.Status.DECLINED: 90,
    JoinRequest.Status.ACCEPTED: 90,
}


def site_url(path: str = "") -> str:
    return absolute_url(path)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _mail(*, subject: str, template: str, context: dict, to: list[str], reply_to=()) -> None:
    """One mail, text and HTML from its one template in ``website/email/``, through the
    outbox (sent after the transaction commits)."""
    if not to:
        return
    context = {
        "site_name": settings.FEDE_SITE_NAME,
        "site_url": site_url("/"),
        **context,
    }
    outbox_send(
        mail_message(
            f"[{settings.FEDE_SITE_NAME}] {subject}", template, context, list(to), reply_to=reply_to
        )
    )


# --- News and pages -----------------------------------------------------------------------

_PUBLISHABLE_FIELDS = ("title", "slug", "summary", "body")


def _unique_slug(model, wanted: str, title: str, exclude_pk=None) -> str:
    slug = slugify(wanted or title)[:70].strip("-") or "page"
    if model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        if wanted:
            raise ValidationError({"slug": _("Cette adresse est déjà prise.")})
        base, n = slug, 2
        while model.objects.filter(slug=f"{base}-{n}").exclude(pk=exclude_pk).exists():
            n += 1
        slug = f"{base}-{n}"
    return slug


def _publishable_save(model, code: str, *, actor, obj=None, unit: Unit | None = None, **fields):
    if obj is None:
        if unit is None or unit.kind != Unit.Kind.FEDERATION:
            raise ValidationError({"unit": _("Choisissez une fédération.")})
        authorize(actor, "website.publish", unit)
        fields["slug"] = _unique_slug(model, fields.get("slug", ""), fields.get("title", ""))
        obj = model(unit=unit, author=_user(actor), **fields)
        obj.full_clean()
        obj.save()
        audit(actor=actor, code=f"website.{code}_create", obj=obj, params={"title": obj.title})
        return obj
    authorize(actor, "website.publish", obj)
    if "slug" in fields:
        fields["slug"] = _unique_slug(model, fields["slug"], fields.get("title", obj.title), obj.pk)
    changes = changed_fields(obj, fields)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    if changes:
        audit(
            actor=actor,
            code=f"website.{code}_update",
            obj=obj,
            params={"title": obj.title},
            changes=changes,
        )
    return obj


def _publish(obj, code: str, *, actor, publish: bool, at: datetime.datetime | None = None):
    authorize(actor, "website.publish", obj)
    old = obj.status
    if publish:
        obj.status = Publication.PUBLISHED
        obj.published_at = at or obj.published_at or timezone.now()
    else:
        obj.status = Publication.DRAFT
    obj.save(update_fields=["status", "published_at", "updated_at"])
    audit(
        actor=actor,
        code=f"website.{code}_{'publish' if publish else 'unpublish'}",
        obj=obj,
        params={"title": obj.title},
        changes={"status": [old, obj.status]},
    )
    return obj


@transaction.atomic
def news_save(*, actor, post: NewsPost | None = None, unit: Unit | None = None, **fields):
    """Create (on ``unit``, a federation) or edit a news post; drafts until published."""
    return _publishable_save(NewsPost, "news", actor=actor, obj=post, unit=unit, **fields)


@transaction.atomic
def news_publish(*, actor, post: NewsPost, publish: bool = True, at=None) -> NewsPost:
    return _publish(post, "news", actor=actor, publish=publish, at=at)


@transaction.atomic
def page_save(*, actor, page: Page | None = None, unit: Unit | None = None, **fields):
    return _publishable_save(Page, "page", actor=actor, obj=page, unit=unit, **fields)


@transaction.atomic
def page_publish(*, actor, page: Page, publish: bool = True, at=None) -> Page:
    return _publish(page, "page", actor=actor, publish=publish, at=at)


# --- Contact form of a section's page ---------------------------------------------------------


@transaction.atomic
def contact_send(*, actor, section: Unit, name: str, email: str, message: str) -> None:
    """A visitor writes to a section: the mail reaches its contact address or its officers
    (never shown to the visitor), who answer the visitor directly (Reply-To)."""
    if not section.is_section or not section.is_active:
        raise ValidationError(_("Cette section n'existe plus."))
    recipients = selectors.contact_recipients(section)
    if not recipients:
        raise ValidationError(
            _(
                "Cette section ne peut pas recevoir de message pour l'instant : écrivez à la fédération."
            )
        )
    _mail(
        subject=_("Message du site pour %(section)s") % {"section": section.name},
        template="website/email/contact.html",
        context={"section": section, "name": name, "email": email, "message": message},
        to=recipients,
        reply_to=[email],
    )
    audit(actor=actor, code="website.contact", obj=section, params={"section": section.name})


# --- Join requests ------------------------------------------------------------------------------


def confirm_token(join_request: JoinRequest) -> str:
    return signing.dumps({"j": join_request.pk}, salt=_CONFIRM_SALT, compress=True)


def confirm_url(join_request: JoinRequest) -> str:
    return site_url(reverse("website:join_confirm", args=[confirm_token(join_request)]))


def join_request_from_token(token: str) -> JoinRequest | None:
    """The unconfirmed request a link names, while the link works (else None)."""
    try:
        data = signing.loads(
            token, salt=_CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS)
        )
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    pk = data.get("j") if isinstance(data, dict) else None
    return (
        JoinRequest.objects.select_related("section")
        .filter(pk=pk, status=JoinRequest.Status.UNCONFIRMED)
        .first()
        if isinstance(pk, int)
        else None
    )


@transaction.atomic
def join_request_create(
    *, actor, postal_code: str, section: Unit | None = None, **fields
) -> JoinRequest:
    """A visitor asks to join: the request waits for the e-mail confirmation.

    Without a chosen section, the first section of the arrondissement of the postcode is
    proposed (75116 is the 16th); outside Paris a section must be chosen.
    """
    postal_code = (postal_code or "").replace(" ", "")
    if section is None:
        section = selectors.proposed_section(postal_code)
        if section is None:
            raise ValidationError(
                {
                    "section": _(
                        "Aucune section n'est proposée pour ce code postal : choisissez-en une "
                        "dans la liste (une section d'entreprise, par exemple)."
                    )
                }
            )
    if not section.is_section or not section.is_active:
        raise ValidationError({"section": _("Choisissez une section ouverte.")})
    join_request = JoinRequest(section=section, postal_code=postal_code, **fields)
    join_request.full_clean()
    join_request.save()
    _mail(
        subject=_("Confirmez votre demande d'adhésion"),
        template="website/email/join_confirm.html",
        context={
            "join_request": join_request,
            "url": confirm_url(join_request),
            "days": CONFIRM_DAYS,
        },
        to=[join_request.email],
    )
    audit(
        actor=actor,
        code="website.join_create",
        obj=join_request,
        params={"request": join_request.pk, "section": section.name},
    )
    return join_request


def _tell_officers(join_request: JoinRequest, *, redirected: bool = False) -> None:
    section = join_request.section
    _mail(
        subject=_("Nouvelle demande d'adhésion — %(section)s") % {"section": section.name},
        template="website/email/join_officers.html",
        context={
            "join_request": join_request,
            "section": section,
            "redirected": redirected,
            "url": site_url(join_request.get_absolute_url()),
        },
        to=selectors.section_recipients(section, capability="website.joins"),
    )


@transaction.atomic
def join_request_confirm(*, actor, token: str) -> JoinRequest:
    """The applicant follows the link of the mail: the request goes to the section."""
    found = join_request_from_token(token)
    if found is None:
        raise ValidationError(
            _("Ce lien ne fonctionne plus : il a déjà servi ou il a expiré. Refaites une demande.")
        )
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("section")
        .get(pk=found.pk)
    )
    if join_request.status != JoinRequest.Status.UNCONFIRMED:
        raise ValidationError(_("Ce lien a déjà servi."))
    join_request.status = JoinRequest.Status.PENDING
    join_request.confirmed_at = timezone.now()
    join_request.save(update_fields=["status", "confirmed_at", "updated_at"])
    _tell_officers(join_request)
    audit(
        actor=actor,
        code="website.join_confirm",
        obj=join_request,
        params={"request": join_request.pk},
    )
    return join_request


def _locked_pending(join_request: JoinRequest) -> JoinRequest:
    locked = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("section", "section__parent")
        .get(pk=join_request.pk)
    )
    if locked.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    return locked


def _decide(join_request: JoinRequest, actor, status: str, note: str = "") -> None:
    join_request.status = status
    join_request.decided_at = timezone.now()
    join_request.decided_by = _user(actor)
    join_request.note = note
    join_request.save()


@transaction.atomic
def join_request_accept(*, actor, join_request: JoinRequest, joined_on=None) -> JoinRequest:
    """Accept: the member is created in the section, and invited to activate their space."""
    authorize(actor, "website.joins", join_request)
    join_request = _locked_pending(join_request)
    member = organization_services.member_create(
        actor=actor,
        section=join_request.section,
        first_name=join_request.first_name,
        last_name=join_request.last_name,
        joined_on=joined_on or timezone.localdate(),
        email=join_request.email,
        phone=join_request.phone,
        address=join_request.address,
        postal_code=join_request.postal_code,
        city=join_request.city,
        birth_date=join_request.birth_date,
        consent_newsletter=join_request.consent_newsletter,
    )
    invitations.member_invite(actor=actor, member=member)
    join_request.member = member
    _decide(join_request, actor, JoinRequest.Status.ACCEPTED)
    _mail(
        subject=_("Bienvenue à %(section)s") % {"section": join_request.section.name},
        template="website/email/join_accepted.html",
        context={"join_request": join_request, "section": join_request.section},
        to=[join_request.email],
        reply_to=[join_request.section.contact_email] if join_request.section.contact_email else [],
    )
    audit(
        actor=actor,
        code="website.join_accept",
        obj=join_request,
        params={"request": join_request.pk, "member": member.pk},
        changes={"status": ["pending", "accepted"]},
    )
    return join_request


@transaction.atomic
def join_request_redirect(
    *, actor, join_request: JoinRequest, section: Unit, note: str = ""
) -> JoinRequest:
    """Send the request to another section of the federation (with a note for it)."""
    authorize(actor, "website.joins", join_request)
    join_request = _locked_pending(join_request)
    if not selectors.redirect_targets(join_request).filter(pk=section.pk).exists():
        raise ValidationError(
            {"section": _("Choisissez une autre section ouverte de la fédération.")}
        )
    origin = join_request.section
    join_request.redirected_from = origin
    join_request.section = section
    join_request.note = note
    join_request.save(update_fields=["redirected_from", "section", "note", "updated_at"])
    _tell_officers(join_request, redirected=True)
    _mail(
        subject=_("Votre demande d'adhésion est transmise à %(section)s")
        % {"section": section.name},
        template="website/email/join_redirected.html",
        context={"join_request": join_request, "origin": origin, "section": section},
        to=[join_request.email],
    )
    audit(
        actor=actor,
        code="website.join_redirect",
        obj=join_request,
        params={"request": join_request.pk, "from": origin.name, "to": section.name},
        changes={"section": [origin.pk, section.pk]},
        scope=origin,
    )
    return join_request


@transaction.atomic
def join_request_decline(*, actor, join_request: JoinRequest, note: str = "") -> JoinRequest:
    """Decline: the applicant is told (with the note, when there is one)."""
    authorize(actor, "website.joins", join_request)
    join_request = _locked_pending(join_request)
    _decide(join_request, actor, JoinRequest.Status.DECLINED, note)
    _mail(
        subject=_("Votre demande d'adhésion"),
        template="website/email/join_declined.html",
        context={"join_request": join_request, "section": join_request.section, "note": note},
        to=[join_request.email],
    )
    audit(
        actor=actor,
        code="website.join_decline",
        obj=join_request,
        params={"request": join_request.pk},
        changes={"status": ["pending", "declined"]},
    )
    return join_request


@transaction.atomic
def join_requests_purge(*, actor, now: datetime.datetime | None = None) -> int:
    """Delete the requests past their retention (see RETENTION). Scripts act as SYSTEM."""
    if not is_system(actor):
        authorize(actor, "personal_data.process")
    now = now or timezone.now()
    total = 0
    for status, days in RETENTION.items():
        deleted, _detail = JoinRequest.objects.filter(
            status=status, updated_at__lt=now - datetime.timedelta(days=days)
        ).delete()
        total += deleted
    if total:
        audit(actor=actor, code="website.join_purge", params={"count": total})
    return total
