"""Personal data of members (GDPR): the services and reads of "Mes données" and erasure.

- A member with a login sees all the data the federation holds about them
  (:func:`member_personal_data`), downloads it as JSON, changes their consents
  (:func:`member_consents_update`) and asks for erasure (:func:`member_erasure_request`).
- The federation (capability ``personal_data.process``) processes a request:
  :func:`member_anonymise`.
- Former members are anonymised once ``FEDE_ANONYMISE_AFTER_YEARS`` years have passed
  since they left (:func:`former_members_anonymise`, run by the command
  ``anonymise_former_members`` or the task :data:`anonymise_former_members_task`).

What anonymisation does (documented in ``docs/registre-des-traitements.md``):

- names become "Anonyme"; e-mail, phone, address, postal code, city and birth date are
  emptied; consents are withdrawn;
- the membership number becomes ``ANON-<id>``: the old number could identify the person
  through the federation's other records. A keyed digest of it (HMAC with the site's
  secret key, not reversible) is kept in the access log, so that importing an old file
  cannot bring the person back: the import refuses that number;
- the login is unlinked, deactivated and emptied (e-mail replaced, names removed, no
  usable password, MFA and e-mail addresses deleted); its offices end;
- dues payments stay (year, amount, date, method) so that the totals of the federation
  and of the section remain right; joined/left dates, status and section stay for the
  same reason; free-text reasons of transfers are emptied.

Each anonymisation is written to the audit trail and to the access log (action
"anonymise"); the earlier entries about the person keep ids only
(:func:`fede.core.audit.redact`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from fede.core.access import SYSTEM, authorize, is_system
from fede.core.audit import audit, changed_fields, log_access, redact
from fede.core.models import AccessLog

from .models import DuesCorrection, DuesPayment, Mandate, Member, Transfer
from .roles import units_q
from .selectors import forget_member_of_user

ANONYMOUS = "Anonyme"
FORMER_STATUSES = (
    Member.Status.RESIGNED,
    Member.Status.EXCLUDED,
    Member.Status.DECEASED,
    Member.Status.LAPSED,
)


def erased_number_digest(number: str) -> str:
    """A keyed, non-reversible digest of a membership number (to refuse re-imports)."""
    key = f"fede.erased-number:{settings.SECRET_KEY}".encode()
    return hmac.new(key, number.strip().encode(), hashlib.sha256).hexdigest()


def erased_number_digests() -> set[str]:
    """Digests of the membership numbers of every anonymised member."""
    details = AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).values_list(
        "detail", flat=True
    )
    return {d["number_digest"] for d in details if isinstance(d, dict) and d.get("number_digest")}


# --- Reads -------------------------------------------------------------------------------


def _date(value) -> str | None:
    return value.isoformat() if value else None


def member_personal_data(member: Member) -> dict[str, Any]:
    """Everything the federation holds about ``member``, as plain JSON-ready data."""
    member = (
        Member.objects.select_related("section", "user")
        .prefetch_related(
            "payments", "mandates__unit", "transfers__from_unit", "transfers__to_unit"
        )
        .get(pk=member.pk)
    )
    user = member.user
    data = _own_data(member, user)
    # Every other app's part (registrations, attendance, trainings…), through the registry.
    from fede.core.registry import personal_data_sections

    data.update(personal_data_sections(user, member))
    return data


def _own_data(member: Member, user) -> dict[str, Any]:
    return {
        "source": settings.FEDE_SITE_NAME,
        "exported_at": timezone.localtime().isoformat(),
        "identity": {
            "membership_number": member.membership_number,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "birth_date": _date(member.birth_date),
        },
        "contact": {
            "email": member.email,
            "phone": member.phone,
            "address": member.address,
            "postal_code": member.postal_code,
            "city": member.city,
        },
        "membership": {
            "section": {"code": member.section.code, "name": member.section.name},
            "joined_on": _date(member.joined_on),
            "status": member.status,
            "status_label": str(member.get_status_display()),
            "left_on": _date(member.left_on),
        },
        "consents": {
            "share_contact_with_section_officers": member.consent_share_contact,
            "newsletter": member.consent_newsletter,
        },
        "dues": [
            {
                "year": p.year,
                "amount": str(p.amount),
                "paid_on": _date(p.paid_on),
                "method": str(p.get_method_display()),
                # A payment recorded by mistake stays, marked: it never counted.
                "cancelled_at": _date(p.cancelled_at),
                "cancel_reason": p.cancel_reason if p.cancelled_at else "",
            }
            for p in sorted(member.payments.all(), key=lambda p: p.year, reverse=True)
        ],
        "transfers": [
            {
                "from": t.from_unit.name,
                "to": t.to_unit.name,
                "status": str(t.get_status_display()),
                "requested_at": timezone.localtime(t.created_at).isoformat(),
                "decided_at": timezone.localtime(t.decided_at).isoformat()
                if t.decided_at
                else None,
                "reason": t.reason,
            }
            for t in sorted(member.transfers.all(), key=lambda t: t.created_at, reverse=True)
        ],
        "offices": [
            {
                "role": str(m.get_role_display()),
                "unit": m.unit.name,
                "portfolio": m.portfolio,
                "start": _date(m.start),
                "end": _date(m.end),
            }
            for m in sorted(member.mandates.all(), key=lambda m: m.start, reverse=True)
        ],
        "account": (
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "created_at": timezone.localtime(user.date_joined).isoformat(),
                "last_login": timezone.localtime(user.last_login).isoformat()
                if user.last_login
                else None,
            }
            if user
            else None
        ),
        "erasure_requested_at": (
            timezone.localtime(member.erasure_requested_at).isoformat()
            if member.erasure_requested_at
            else None
        ),
        "space_invitations": [
            {
                "sent_at": timezone.localtime(i.created_at).isoformat(),
                "used_at": timezone.localtime(i.used_at).isoformat() if i.used_at else None,
            }
            for i in member.invitations.order_by("-created_at")
        ],
    }


def erasure_requests_for(user) -> QuerySet[Member]:
    """Pending erasure requests of members in the user's ``personal_data.process`` scope."""
    return (
        Member.objects.filter(units_q(user, "personal_data.process", field="section__"))
        .filter(erasure_requested_at__isnull=False, anonymised_at__isnull=True)
        .select_related("section")
        .order_by("erasure_requested_at", "pk")
    )


def former_members_due(*, on: datetime.date | None = None) -> QuerySet[Member]:
    """Former members whose data must now be anonymised.

    Those who left (resigned, excluded, deceased, lapsed) more than
    ``FEDE_ANONYMISE_AFTER_YEARS`` years ago. A lapsed member without a departure date
    counts from the last year of dues they paid (or their joining date if they never paid).
    """
    on = on or timezone.localdate()
    years = settings.FEDE_ANONYMISE_AFTER_YEARS
    try:
        cutoff = on.replace(year=on.year - years)
    except ValueError:  # 29 February
        cutoff = on.replace(year=on.year - years, day=28)
    recent_dues = DuesPayment.objects.valid().filter(member=OuterRef("pk"), year__gte=cutoff.year)
    return Member.objects.filter(status__in=FORMER_STATUSES, anonymised_at__isnull=True).filter(
        Q(left_on__lt=cutoff)
        | (
            Q(left_on__isnull=True, status=Member.Status.LAPSED, joined_on__lt=cutoff)
            & ~Q(Exists(recent_dues))
        )
    )


# --- Writes ------------------------------------------------------------------------------


def _authorize_own(actor, member: Member) -> None:
    """Only the person themself (or the system) acts on their own record here."""
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False) or member.user_id != actor.pk:
        raise PermissionDenied("own record")


@transaction.atomic
def member_consents_update(
    *, actor, member: Member, share_contact: bool, newsletter: bool
) -> Member:
    """Change one's own consents (only what changed is written)."""
    _authorize_own(actor, member)
    changes = changed_fields(
        member, {"consent_share_contact": share_contact, "consent_newsletter": newsletter}
    )
    if changes:
        member.consent_share_contact = share_contact
        member.consent_newsletter = newsletter
        member.save(update_fields=[*changes, "updated_at"])
        audit(
            actor=actor,
            code="organization.member_consents_update",
            obj=member,
            params={"member": member.pk},
            changes=changes,
        )
    return member


@transaction.atomic
def member_erasure_request(*, actor, member: Member) -> bool:
    """Record one's own request for erasure. Returns False if one was already pending.

    Asking twice is harmless: the first date is kept.
    """
    _authorize_own(actor, member)
    updated = Member.objects.filter(
        pk=member.pk, erasure_requested_at__isnull=True, anonymised_at__isnull=True
    ).update(erasure_requested_at=timezone.now(), updated_at=timezone.now())
    member.refresh_from_db(fields=["erasure_requested_at", "updated_at"])
    if updated:
        audit(
            actor=actor,
            code="organization.member_erasure_request",
            obj=member,
            params={"member": member.pk},
        )
    return bool(updated)


@transaction.atomic
def member_erasure_withdraw(*, actor, member: Member) -> bool:
    """Withdraw one's own erasure request while it has not been processed.

    Returns False if there was nothing to withdraw (none pending, or already processed).
    """
    _authorize_own(actor, member)
    updated = Member.objects.filter(
        pk=member.pk, erasure_requested_at__isnull=False, anonymised_at__isnull=True
    ).update(erasure_requested_at=None, updated_at=timezone.now())
    before = member.erasure_requested_at
    member.refresh_from_db(fields=["erasure_requested_at", "updated_at"])
    if updated:
        audit(
            actor=actor,
            code="organization.member_erasure_withdraw",
            obj=member,
            params={"member": member.pk},
            changes={"erasure_requested_at": [before, None]},
        )
    return bool(updated)


def _user_scrub(user) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"anonyme-{user.pk}@anonyme.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def member_anonymise(*, actor, member: Member, reason: str = "erasure_request") -> bool:
    """Anonymise a member (see the module docstring). Returns False if already done.

    Needs ``personal_data.process`` on the member's section.
    """
    member = Member.objects.select_for_update().select_related("section").get(pk=member.pk)
    authorize(actor, "personal_data.process", member)
    if member.anonymised_at is not None:
        return False
    today = timezone.localdate()
    digest = erased_number_digest(member.membership_number)
    user = member.user
    member.first_name = ANONYMOUS
    member.last_name = ANONYMOUS
    member.membership_number = f"ANON-{member.pk}"
    member.email = member.phone = member.address = member.postal_code = member.city = ""
    member.birth_date = None
    member.consent_share_contact = False
    member.consent_newsletter = False
    member.user = None
    forget_member_of_user(user)
    if member.status == Member.Status.ACTIVE:
        member.status = Member.Status.RESIGNED
    if member.left_on is None:
        member.left_on = today
    member.anonymised_at = timezone.now()
    member.save()
    Transfer.objects.filter(member=member).update(reason="", decision_note="")
    # Free texts about the person's dues may name them: emptied, the amounts stay.
    DuesPayment.objects.filter(member=member).exclude(cancel_reason="").update(cancel_reason="-")
    DuesCorrection.objects.filter(payment__member=member).update(reason="-")
    # Offices end the day before: from today on, the person holds none.
    yesterday = today - datetime.timedelta(days=1)
    for mandate in Mandate.objects.current(today).filter(member=member):
        mandate.end = max(yesterday, mandate.start)
        mandate.save(update_fields=["end", "updated_at"])
    if user is not None:
        _user_scrub(user)
    # The earlier trails about the person keep ids only; the entries below (written
    # after) hold no name, and the access log keeps the digest that refuses re-imports.
    redact([member])
    params = {"member": member.pk, "reason": reason}
    audit(actor=actor, code="organization.member_anonymise", obj=member, params=params)
    log_access(
        actor=actor,
        action=AccessLog.Action.ANONYMISE,
        code="organization.member_anonymise",
        params=params,
        obj=member,
        row_count=1,
        detail={"reason": reason, "number_digest": digest},
    )
    return True


def former_members_anonymise(
    *, actor, dry_run: bool = False, on: datetime.date | None = None
) -> int:
    """Anonymise every former member due in ``actor``'s scope (everyone for ``SYSTEM``);
    return how many.

    Each member is anonymised in its own transaction (and logged), so a long run can be
    interrupted and started again.
    """
    authorize(actor, "personal_data.process")
    due = former_members_due(on=on).in_scope(actor, "personal_data.process")
    if dry_run:
        return due.count()
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        if member_anonymise(member=Member(pk=pk), actor=actor, reason="retention"):
            count += 1
    return count


@task()
def anonymise_former_members_task() -> int:
    """The retention rule as a background task (for the task worker's schedule)."""
    return former_members_anonymise(actor=SYSTEM)
