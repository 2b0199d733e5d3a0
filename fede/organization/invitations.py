"""A member's own space: linking a login to a member record.

Two ways, and only these two (never on an e-mail address nobody proved to own):

- **invitation**: the section sends the member a mail (through the outbox) with a signed,
  expiring, single-use link (:func:`member_invite`, or :func:`section_invite` for the
  whole section as a task with progress); following it, the member chooses a password and
  the login is created already verified and linked (:func:`invitation_accept`);
- **sign-up**: a person who signs up (or logs in) with an e-mail they have **verified**
  gets linked when exactly one member record carries it (:func:`link_verified_email`);
  an address shared by several records links nothing, and their sections are told.

Every link is written to the audit trail (``organization.account_link``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fede.core.access import SYSTEM, authorize
from fede.core.audit import audit
from fede.core.mail import mail_message, outbox_send
from fede.core.tasks import progress_finish, progress_guard, progress_update

from .models import Mandate, Member, MemberInvitation, Role, Unit
from .selectors import forget_member_of_user

#: How long an invitation link works.
INVITATION_DAYS = 30
_SALT = "fede.organization.member-invitation"
#: Members who may activate a space: still in the file, not erased.
SPACE_STATUSES = (Member.Status.ACTIVE, Member.Status.LAPSED)


def site_url(path: str = "") -> str:
    """An absolute address on the site as it is served (``FEDE_SITE_URL``)."""
    return settings.FEDE_SITE_URL.rstrip("/") + path


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def eligible_members():
    """Members who could activate a space now (no login yet, in the file, with an e-mail)."""
    return Member.objects.filter(
        user__isnull=True, status__in=SPACE_STATUSES, anonymised_at__isnull=True
    ).exclude(email="")


# --- Invitations ---------------------------------------------------------------------------


def invitation_token(invitation: MemberInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=_SALT, compress=True)


def invitation_url(invitation: MemberInvitation) -> str:
    return site_url(reverse("organization:activate", args=[invitation_token(invitation)]))


def invitation_from_token(token: str, *, now: datetime.datetime | None = None):
    """The invitation a link names, if it still works (else ``None``).

    A link works once, until it expires, and only if it is the member's latest invitation
    and the member has no login yet.
    """
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=_SALT, max_age=datetime.timedelta(days=INVITATION_DAYS))
    except signing.BadSignature:  # expired links raise SignatureExpired, a subclass
        return None
    invitation = (
        MemberInvitation.objects.select_related("member", "member__section")
        .filter(pk=data.get("i") if isinstance(data, dict) else None)
        .first()
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        return None
    member = invitation.member
    if member.user_id or member.anonymised_at or member.status not in SPACE_STATUSES:
        return None
    latest = member.invitations.order_by("-created_at", "-pk").values_list("pk", flat=True)[:1]
    if list(latest) != [invitation.pk]:
        return None
    return invitation


def _send_invitation_mail(invitation: MemberInvitation) -> None:
    member = invitation.member
    context = {
        "member": member,
        "section": member.section,
        "url": invitation_url(invitation),
        "days": INVITATION_DAYS,
        "site_name": settings.FEDE_SITE_NAME,
        "site_url": site_url("/"),
        "brand_color": settings.FEDE_BRAND_COLOR,
    }
    subject = _("[%(site)s] Activez votre espace adhérent·e") % {"site": settings.FEDE_SITE_NAME}
    reply_to = [member.section.contact_email] if member.section.contact_email else []
    outbox_send(
        mail_message(
            subject,
            "organization/email/invitation.html",
            context,
            [member.email],
            reply_to=reply_to,
        )
    )


@transaction.atomic
def member_invite(*, actor, member: Member) -> MemberInvitation:
    """Send (or send again) a member the link that activates their space.

    Needs ``members.invite`` on the member's section. A new invitation replaces the
    earlier ones (their links stop working).
    """
    authorize(actor, "members.invite", member)
    member = Member.objects.select_for_update().select_related("section").get(pk=member.pk)
    if member.user_id:
        raise ValidationError(_("Cet·te adhérent·e a déjà activé son espace."))
    if member.anonymised_at or member.status not in SPACE_STATUSES:
        raise ValidationError(_("Seul·e un·e adhérent·e du fichier peut être invité·e."))
    if not member.email:
        raise ValidationError(_("Cette fiche n'a pas d'adresse e-mail : ajoutez-la d'abord."))
    invitation = MemberInvitation.objects.create(
        member=member,
        sent_by=_user(actor),
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    _send_invitation_mail(invitation)
    audit(
        actor=actor,
        code="organization.member_invite",
        obj=member,
        params={"member": member.pk, "invitation": invitation.pk},
    )
    return invitation


def section_invite(*, actor, section: Unit, progress_id: str | None = None) -> int:
    """Invite every member of ``section`` who has not activated their space (one
    transaction each: an interrupted run can be started again). Returns how many."""
    authorize(actor, "members.invite", section)
    pks = list(
        eligible_members().filter(section=section).order_by("pk").values_list("pk", flat=True)
    )
    if progress_id:
        progress_update(progress_id, total=len(pks))
    sent = 0
    for n, pk in enumerate(pks, start=1):
        try:
            member_invite(actor=actor, member=Member(pk=pk, section=section))
            sent += 1
        except ValidationError:  # changed since the list was read
            pass
        if progress_id and (n % 20 == 0 or n == len(pks)):
            progress_update(progress_id, done=n)
    return sent


@task()
def section_invite_task(progress_id: str, section_id: int, actor_id: int) -> int:
    """:func:`section_invite` in the background, for the officer who asked."""
    with progress_guard(progress_id):
        actor = get_user_model().objects.get(pk=actor_id)
        section = Unit.objects.get(pk=section_id)
        sent = section_invite(actor=actor, section=section, progress_id=progress_id)
        progress_finish(
            progress_id,
            message=_("%(count)s invitation(s) envoyée(s).") % {"count": sent},
            result_url=reverse("organization:section_invitations", args=[section_id]),
        )
        return sent


# --- Linking a login to a member record ----------------------------------------------------


def _link(member: Member, user, *, via: str) -> Member:
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    forget_member_of_user(user)
    if not user.first_name and not user.last_name:
        user.first_name, user.last_name = member.first_name, member.last_name
        user.save(update_fields=["first_name", "last_name"])
    audit(
        actor=user,
        code="organization.account_link",
        obj=member,
        params={"member": member.pk, "via": via},
    )
    return member


@transaction.atomic
def invitation_accept(*, invitation: MemberInvitation, password: str | None):
    """Activate the space the invitation offers. Returns ``(user, created)``.

    The invitation proves the person reads the member's mailbox: the login is created
    with that address already verified. If a login already exists for the address (and
    is linked to nobody), it is linked and keeps its password (``created`` is False).
    """
    from allauth.account.models import EmailAddress

    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise PermissionDenied("invitation used")
    member = Member.objects.select_for_update().get(pk=invitation.member_id)
    if member.user_id:
        raise PermissionDenied("already linked")
    User = get_user_model()
    email = member.email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is not None and Member.objects.filter(user=user).exists():
        raise ValidationError(
            _(
                "Cette adresse est déjà celle de l'espace d'une autre fiche : contactez votre section."
            )
        )
    if created:
        user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at", "updated_at"])
    _link(member, user, via="invitation")
    return user, created


class LinkResult:
    LINKED = "linked"
    ALREADY = "already"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    UNVERIFIED = "unverified"


@transaction.atomic
def link_verified_email(*, user, email: str, tell_sections: bool = True) -> str:
    """Link ``user`` to the one member record carrying ``email``, once verified.

    Returns a :class:`LinkResult` value. Nothing is linked on an address the user has not
    verified, nor on one that several records share (their sections are then told, so
    that an officer corrects the file or sends an invitation).
    """
    from allauth.account.models import EmailAddress

    if Member.objects.filter(user=user).exists():
        return LinkResult.ALREADY
    if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return LinkResult.UNVERIFIED
    matches = list(
        eligible_members().filter(email__iexact=email.strip()).select_related("section")[:10]
    )
    if not matches:
        return LinkResult.UNKNOWN
    if len(matches) > 1:
        if tell_sections:
            _tell_sections_ambiguous(matches)
        audit(
            actor=SYSTEM,
            code="organization.account_link_ambiguous",
            obj=matches[0].section,
            params={"members": [m.pk for m in matches]},
        )
        return LinkResult.AMBIGUOUS
    member = Member.objects.select_for_update().get(pk=matches[0].pk)
    if member.user_id:
        return LinkResult.AMBIGUOUS
    _link(member, user, via="signup")
    return LinkResult.LINKED


def section_contacts(section: Unit) -> list[str]:
    """Where to write to a section: its contact address, else its secretaries' logins."""
    if section.contact_email:
        return [section.contact_email]
    return sorted(
        set(
            Mandate.objects.current()
            .filter(unit=section, role=Role.SECTION_SECRETARY, member__user__isnull=False)
            .values_list("member__user__email", flat=True)
        )
    )


def _tell_sections_ambiguous(members: list[Member]) -> None:
    by_section: dict[int, list[Member]] = {}
    for member in members:
        by_section.setdefault(member.section_id, []).append(member)
    for rows in by_section.values():
        section = rows[0].section
        to = section_contacts(section)
        if not to:
            continue
        context = {
            "section": section,
            "links": [site_url(m.get_absolute_url()) for m in rows],
            "count": len(members),
            "site_name": settings.FEDE_SITE_NAME,
        }
        outbox_send(
            mail_message(
                _("[%(site)s] Un compte n'a pas pu être relié à une fiche")
                % {"site": settings.FEDE_SITE_NAME},
                "organization/email/link_ambiguous.html",
                context,
                to,
            )
        )


def space_state(member: Member, *, now: datetime.datetime | None = None) -> dict:
    """What officers see of a member's space: activated, invited (when, expired) or not."""
    now = now or timezone.now()
    if member.user_id:
        return {"code": "active", "label": _("Espace activé")}
    if hasattr(member, "latest_invitation"):  # set by the list (one query per page)
        latest = member.latest_invitation
    else:
        latest = member.invitations.order_by("-created_at", "-pk").first()
    if latest is None:
        return {"code": "none", "label": _("Pas encore invité·e")}
    if latest.expires_at <= now:
        return {"code": "expired", "label": _("Invitation expirée"), "invitation": latest}
    return {"code": "invited", "label": _("Invitation envoyée"), "invitation": latest}
