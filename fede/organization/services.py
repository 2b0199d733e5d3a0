"""Every write of the organisation goes through these functions.

Each takes the acting user as ``actor`` (``SYSTEM`` for scripts, imports and the demo),
checks the capability it needs on the unit concerned, writes, then records an audit
entry (action codes declared in ``registry.py``). Parameters of the trail hold ids, unit
names and codes, never a person's name.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields

from . import memo
from .fields import MEMBER_UPDATABLE_FIELDS
from .models import DuesCorrection, DuesPayment, Mandate, Member, Role, Territory, Transfer, Unit
from .roles import can, forget_grants, grant_paths


def _user(actor):
    """The login to store in a ``recorded_by``-like column (none for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _path_for(unit: Unit) -> tuple[str, int]:
    prefix = unit.parent.path if unit.parent_id else ""
    depth = unit.parent.depth + 1 if unit.parent_id else 0
    return f"{prefix}{unit.pk:08d}.", depth


@transaction.atomic
def unit_create(
    *,
    actor,
    name: str,
    code: str,
    kind: str,
    parent: Unit | None = None,
    section_kind: str = "",
    territory: Territory | None = None,
    **fields,
) -> Unit:
    """Create a unit in the tree (its materialised path is set here).

    Needs ``sections.manage`` on the parent; a root unit only the system (or a superuser)
    creates.
    """
    if parent is not None:
        authorize(actor, "sections.manage", parent)
    elif "" not in grant_paths(actor, "sections.manage"):
        raise PermissionDenied("sections.manage")
    if kind == Unit.Kind.SECTION and not section_kind:
        section_kind = Unit.SectionKind.TERRITORIAL
    unit = Unit(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        section_kind=section_kind,
        territory=territory,
        **fields,
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path, unit.depth = _path_for(unit)
    unit.save(update_fields=["path", "depth"])
    audit(actor=actor, code="organization.unit_create", obj=unit, params={"unit": unit.name})
    return unit


def federation_of(unit: Unit) -> Unit | None:
    """The federation a unit belongs to (itself, or its nearest federation ancestor)."""
    if unit.kind == Unit.Kind.FEDERATION:
        return unit
    return (
        Unit.objects.filter(path__in=unit.ancestor_paths(), kind=Unit.Kind.FEDERATION)
        .order_by("-depth")
        .first()
    )


def membership_prefix(federation: Unit | None) -> str:
    """The federation's prefix of membership numbers: the digits of its code ("FED75" →
    "75"), or its whole code when it has none."""
    if federation is None:
        return ""
    digits = "".join(c for c in federation.code if c.isdigit())
    return digits or federation.code


MEMBERSHIP_DIGITS = 6


def next_membership_number(section: Unit) -> str:
    """The next free number of the section's federation: prefix + sequence.

    Called inside the creating transaction; the federation's row is locked so that two
    officers adding a member at the same time do not get the same number.
    """
    federation = federation_of(section)
    if federation is not None:
        Unit.objects.select_for_update().filter(pk=federation.pk).first()
    prefix = membership_prefix(federation)
    last = (
        Member.objects.filter(membership_number__regex=rf"^{re.escape(prefix)}[0-9]+$")
        .annotate(length=Length("membership_number"))
        .order_by("-length", "-membership_number")
        .values_list("membership_number", flat=True)
        .first()
    )
    highest = int(last[len(prefix) :]) if last else 0
    return f"{prefix}{highest + 1:0{MEMBERSHIP_DIGITS}d}"


@transaction.atomic
def member_create(
    *,
    actor,
    section: Unit,
    first_name: str,
    last_name: str,
    joined_on: datetime.date,
    membership_number: str = "",
    **fields,
) -> Member:
    """Add a person to the member file (``members.add`` on the section).

    The membership number is assigned here (federation prefix + sequence); only the
    federation (``federation.view`` on the section) may choose one.
    """
    authorize(actor, "members.add", section)
    if not section.is_section or not section.is_active:
        raise ValidationError({"section": _("Choisissez une section active.")})
    membership_number = (membership_number or "").strip()
    if membership_number and not can(actor, "federation.view", section):
        raise PermissionDenied("federation.view")
    if not membership_number:
        membership_number = next_membership_number(section)
    member = Member(
        section=section,
        membership_number=membership_number,
        first_name=first_name,
        last_name=last_name,
        joined_on=joined_on,
        **fields,
    )
    member.full_clean()
    member.save()
    audit(
        actor=actor,
        code="organization.member_create",
        obj=member,
        params={"member": member.pk, "section": section.name},
    )
    return member


def dues_record(
    *,
    actor,
    member: Member,
    year: int,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
) -> DuesPayment:
    """Record one year of dues. A second payment for the same year is refused."""
    authorize(actor, "dues.record", member)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("La date de paiement ne peut pas être future.")})
    if amount <= 0:
        raise ValidationError({"amount": _("Le montant doit être positif.")})
    try:
        with transaction.atomic():
            payment = DuesPayment.objects.create(
                member=member,
                year=year,
                amount=amount,
                paid_on=paid_on,
                method=method,
                recorded_by=_user(actor),
            )
            if member.status == Member.Status.LAPSED and year >= paid_on.year - 1:
                member.status = Member.Status.ACTIVE
                member.save(update_fields=["status", "updated_at"])
            audit(
                actor=actor,
                code="organization.dues_record",
                obj=member,
                params={"member": member.pk, "year": year, "amount": amount},
            )
    except IntegrityError:
        raise ValidationError(
            {
                "year": _("La cotisation %(year)s de cet·te adhérent·e est déjà enregistrée.")
                % {"year": year}
            }
        ) from None
    return payment


#: What a correction may change on a payment.
DUES_CORRECTABLE_FIELDS = ("year", "amount", "paid_on", "method")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif : il reste dans l'historique.")})
    return reason


def _locked_payment(payment: DuesPayment) -> DuesPayment:
    locked = (
        DuesPayment.objects.select_for_update().select_related("member__section").get(pk=payment.pk)
    )
    if locked.is_cancelled:
        raise ValidationError(_("Cette cotisation est annulée : elle ne peut plus changer."))
    return locked


@transaction.atomic
def dues_correct(*, actor, payment: DuesPayment, reason: str, **fields) -> DuesPayment:
    """Correct a wrong payment (year, amount, date, method), with a reason.

    Nothing is lost: the old and new values go to a :class:`DuesCorrection` shown under
    the payment, and to the audit trail. Needs ``dues.record`` on the member's section.
    """
    authorize(actor, "dues.record", payment)
    unknown = set(fields) - set(DUES_CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"dues_correct cannot set {sorted(unknown)}")
    reason = _reason(reason)
    payment = _locked_payment(payment)
    changes = changed_fields(payment, fields)
    if not changes:
        raise ValidationError(_("Rien n'a changé : modifiez au moins une valeur."))
    if "paid_on" in changes and fields["paid_on"] > timezone.localdate():
        raise ValidationError({"paid_on": _("La date de paiement ne peut pas être future.")})
    if "amount" in changes and fields["amount"] <= 0:
        raise ValidationError({"amount": _("Le montant doit être positif.")})
    if "method" in changes and fields["method"] not in DuesPayment.Method.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu.")})
    for name, value in fields.items():
        setattr(payment, name, value)
    try:
        with transaction.atomic():
            payment.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        raise ValidationError(
            {
                "year": _("La cotisation %(year)s de cet·te adhérent·e est déjà enregistrée.")
                % {"year": payment.year}
            }
        ) from None
    DuesCorrection.objects.create(
        payment=payment, changes=changes, reason=reason, corrected_by=_user(actor)
    )
    audit(
        actor=actor,
        code="organization.dues_correct",
        obj=payment.member,
        params={
            "member": payment.member_id,
            "payment": payment.pk,
            "year": payment.year,
            "reason": reason,
        },
        changes=changes,
    )
    return payment


@transaction.atomic
def dues_cancel(*, actor, payment: DuesPayment, reason: str) -> DuesPayment:
    """Cancel a payment recorded by mistake, with a reason. It is never deleted: it stays
    in the member's history, struck through, and no longer counts (up to date, totals)."""
    authorize(actor, "dues.record", payment)
    reason = _reason(reason)
    payment = _locked_payment(payment)
    payment.cancelled_at = timezone.now()
    payment.cancelled_by = _user(actor)
    payment.cancel_reason = reason
    payment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    audit(
        actor=actor,
        code="organization.dues_cancel",
        obj=payment.member,
        params={
            "member": payment.member_id,
            "payment": payment.pk,
            "year": payment.year,
            "amount": payment.amount,
            "reason": reason,
        },
        changes={"cancelled": [False, True]},
    )
    return payment


@transaction.atomic
def mandate_appoint(
    *,
    actor,
    member: Member,
    role: str,
    unit: Unit,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    portfolio: str = "",
) -> Mandate:
    """Appoint a member to an office on a unit.

    An office grants access to member data: the actor needs ``mandates.manage`` on the
    unit and on the member's section.
    """
    authorize(actor, "mandates.manage", unit)
    authorize(actor, "mandates.manage", member)
    if role not in Role.values:
        raise ValidationError({"role": _("Responsabilité inconnue.")})
    mandate = Mandate(
        member=member,
        role=role,
        unit=unit,
        start=start or timezone.localdate(),
        end=end,
        portfolio=portfolio,
    )
    mandate.full_clean()
    mandate.save()
    if member.user_id:
        forget_grants(member.user)
    audit(
        actor=actor,
        code="organization.mandate_appoint",
        obj=mandate,
        params={"member": member.pk, "role": role, "unit": unit.name},
        changes={"start": [None, mandate.start], "end": [None, mandate.end]},
    )
    return mandate


@transaction.atomic
def mandate_end(*, actor, mandate: Mandate, end: datetime.date | None = None) -> Mandate:
    """End an office (from today by default)."""
    authorize(actor, "mandates.manage", mandate)
    end = end or timezone.localdate()
    if end < mandate.start:
        raise ValidationError({"end": _("La fin ne peut précéder le début.")})
    changes = changed_fields(mandate, {"end": end})
    mandate.end = end
    mandate.save(update_fields=["end", "updated_at"])
    if mandate.member.user_id:
        forget_grants(mandate.member.user)
    audit(
        actor=actor,
        code="organization.mandate_end",
        obj=mandate,
        params={"member": mandate.member_id, "role": mandate.role, "unit": mandate.unit.name},
        changes=changes,
    )
    return mandate


# --- Member file, transfers and sections (screens of officers and of the federation) -------

_GONE = (Member.Status.RESIGNED, Member.Status.EXCLUDED, Member.Status.DECEASED)
# Statuses only the federation sets (an exclusion, a death).
FEDERATION_STATUSES = (Member.Status.EXCLUDED, Member.Status.DECEASED)


def _end_offices(mandates, *, on: datetime.date) -> int:
    """End current offices so that they no longer grant anything from ``on``: their last
    day is the day before (or their first day, for one that started on ``on``)."""
    last_day = on - datetime.timedelta(days=1)
    count = 0
    for mandate in mandates.current(on).select_related("member"):
        mandate.end = max(last_day, mandate.start)
        mandate.save(update_fields=["end", "updated_at"])
        if mandate.member.user_id:
            forget_grants(mandate.member.user)
        count += 1
    return count


def _end_current_offices(*, member: Member, on: datetime.date, unit: Unit | None = None) -> int:
    """End the member's current offices (on ``unit`` only, if given) from ``on``."""
    mandates = Mandate.objects.filter(member=member)
    if unit is not None:
        mandates = mandates.filter(unit=unit)
    return _end_offices(mandates, on=on)


def _cancel_open_transfers(*, note: str, decided_by=None, **filters) -> int:
    return Transfer.objects.filter(status=Transfer.Status.REQUESTED, **filters).update(
        status=Transfer.Status.CANCELLED,
        decided_by=decided_by,
        decided_at=timezone.now(),
        decision_note=note,
        updated_at=timezone.now(),
    )


CONSENT_FIELDS = frozenset({"consent_share_contact", "consent_newsletter"})


@transaction.atomic
def member_update(*, actor, member: Member, consent_signed_form: bool = False, **fields) -> Member:
    """Change a member's file. Leaving statuses get a departure date; coming back clears it.

    Needs ``members.change`` on the member's section; the membership number and the
    statuses only the federation sets (exclusion, death) need ``federation.view`` there.
    A consent is the member's own choice ("Mes données"): here only the federation
    changes it, from a form the member signed (``consent_signed_form``, recorded).
    """
    authorize(actor, "members.change", member)
    unknown = set(fields) - MEMBER_UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"member_update cannot set {sorted(unknown)}")
    changes = changed_fields(member, fields)
    federal_only = "membership_number" in changes or (
        "status" in changes and fields["status"] in FEDERATION_STATUSES
    )
    if federal_only and not can(actor, "federation.view", member.section):
        raise PermissionDenied("federation.view")
    if CONSENT_FIELDS & set(changes) and not is_system(actor):
        if not can(actor, "federation.view", member.section):
            raise PermissionDenied("consent")
        if not consent_signed_form:
            raise ValidationError(
                {
                    "consent_signed_form": _(
                        "Un consentement ne change que sur un formulaire signé par "
                        "l'adhérent·e : cochez la case qui le confirme."
                    )
                }
            )
    left_before = member.left_on
    for name, value in fields.items():
        setattr(member, name, value)
    if member.status in _GONE and not member.left_on:
        member.left_on = timezone.localdate()
    if member.status == Member.Status.ACTIVE:
        member.left_on = None
    if member.left_on != left_before:
        changes["left_on"] = changed_fields(
            SimpleNamespace(left_on=left_before), {"left_on": member.left_on}
        )["left_on"]
    member.full_clean(exclude=["user"])
    member.save()
    if changes:
        audit(
            actor=actor,
            code="organization.member_update",
            obj=member,
            params={"member": member.pk}
            | ({"signed_form": True} if CONSENT_FIELDS & set(changes) else {}),
            changes=changes,
        )
    return member


@transaction.atomic
def member_resign(*, actor, member: Member, left_on: datetime.date | None = None) -> Member:
    """Record a resignation: status "resigned", departure date, offices ended, open
    transfer request cancelled."""
    authorize(actor, "members.change", member)
    today = timezone.localdate()
    left_on = left_on or today
    if member.status in _GONE:
        raise ValidationError(_("Cette personne ne fait déjà plus partie des adhérent·es."))
    if left_on > today:
        raise ValidationError({"left_on": _("La date de départ ne peut pas être future.")})
    if left_on < member.joined_on:
        raise ValidationError(
            {"left_on": _("La date de départ ne peut précéder la date d'adhésion.")}
        )
    changes = changed_fields(member, {"status": Member.Status.RESIGNED, "left_on": left_on})
    member.status = Member.Status.RESIGNED
    member.left_on = left_on
    member.save(update_fields=["status", "left_on", "updated_at"])
    offices = _end_current_offices(member=member, on=left_on)
    _cancel_open_transfers(note=_("Démission"), decided_by=_user(actor), member=member)
    audit(
        actor=actor,
        code="organization.member_resign",
        obj=member,
        params={"member": member.pk, "offices": offices},
        changes=changes,
    )
    return member


@transaction.atomic
def transfer_request(*, actor, member: Member, to_unit: Unit, reason: str = "") -> Transfer:
    """Ask for a member's move to another section; the federation decides.

    Needs ``transfers.request`` on the section the member leaves.
    """
    authorize(actor, "transfers.request", member.section)
    if not to_unit.is_section or not to_unit.is_active:
        raise ValidationError({"to_unit": _("Choisissez une section active.")})
    if to_unit.pk == member.section_id:
        raise ValidationError({"to_unit": _("L'adhérent·e est déjà dans cette section.")})
    if member.status in _GONE:
        raise ValidationError(_("Cette personne ne fait plus partie des adhérent·es."))
    duplicate = ValidationError(
        _("Une demande de transfert est déjà en cours pour cet·te adhérent·e.")
    )
    if Transfer.objects.filter(member=member, status=Transfer.Status.REQUESTED).exists():
        raise duplicate
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                from_unit=member.section,
                to_unit=to_unit,
                reason=reason,
                requested_by=_user(actor),
            )
    except IntegrityError:  # two requests at once: the unique constraint keeps one
        raise duplicate from None
    audit(
        actor=actor,
        code="organization.transfer_request",
        obj=transfer,
        params={"member": member.pk, "from": member.section.name, "to": to_unit.name},
    )
    return transfer


@transaction.atomic
def transfer_decide(*, actor, transfer: Transfer, approve: bool, note: str = "") -> Transfer:
    """Approve (the member moves) or refuse a transfer request, with a note.

    Needs ``transfers.approve`` on the receiving section.
    """
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("from_unit", "to_unit")
        .get(pk=transfer.pk)
    )
    authorize(actor, "transfers.approve", transfer.to_unit)
    if transfer.status != Transfer.Status.REQUESTED:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if approve:
        if not transfer.to_unit.is_active:
            raise ValidationError(_("La section d'accueil est fermée : refusez la demande."))
        if member.section_id != transfer.from_unit_id:
            raise ValidationError(_("L'adhérent·e a changé de section depuis la demande."))
        member.section = transfer.to_unit
        member.save(update_fields=["section", "updated_at"])
        # An office of the section being left does not follow the member.
        _end_current_offices(member=member, on=timezone.localdate(), unit=transfer.from_unit)
    transfer.status = Transfer.Status.APPROVED if approve else Transfer.Status.REFUSED
    transfer.decided_by = _user(actor)
    transfer.decided_at = timezone.now()
    transfer.decision_note = note
    transfer.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    transfer.member = member
    audit(
        actor=actor,
        code="organization.transfer_approve" if approve else "organization.transfer_refuse",
        obj=transfer,
        params={
            "member": member.pk,
            "from": transfer.from_unit.name,
            "to": transfer.to_unit.name,
        },
        changes={"status": [Transfer.Status.REQUESTED, transfer.status]},
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """Withdraw a request that is still open (``transfers.request`` on the section left)."""
    authorize(actor, "transfers.request", transfer.from_unit)
    updated = _cancel_open_transfers(
        note=_("Demande retirée"), decided_by=_user(actor), pk=transfer.pk
    )
    if not updated:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    transfer.refresh_from_db()
    audit(
        actor=actor,
        code="organization.transfer_cancel",
        obj=transfer,
        params={"member": transfer.member_id, "from": transfer.from_unit.name},
        changes={"status": [Transfer.Status.REQUESTED, transfer.status]},
    )
    return transfer


# Fields a section's own officers may change (section.edit); the others need sections.manage.
UNIT_SECTION_FIELDS = frozenset(
    {"meeting_place", "presentation", "contact_email", "contact_phone", "has_premises"}
)
UNIT_UPDATABLE_FIELDS = UNIT_SECTION_FIELDS | {
    "name",
    "code",
    "section_kind",
    "territory",
    "employer",
    "sector",
    "sites",
}


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    """Change a unit's description (its place in the tree changes only by merging).

    A section's officers (``section.edit``) change its presentation and contact; the
    other fields need ``sections.manage``.
    """
    authorize(actor, "section.edit", unit)
    unknown = set(fields) - UNIT_UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"unit_update cannot set {sorted(unknown)}")
    changes = changed_fields(unit, fields)
    if set(changes) - UNIT_SECTION_FIELDS:
        authorize(actor, "sections.manage", unit)
    for name, value in fields.items():
        setattr(unit, name, value)
    if unit.is_section and not unit.section_kind:
        unit.section_kind = Unit.SectionKind.TERRITORIAL
    unit.full_clean(exclude=["path"])
    unit.save()
    if changes:
        audit(
            actor=actor,
            code="organization.unit_update",
            obj=unit,
            params={"unit": unit.name},
            changes=changes,
        )
    return unit


@transaction.atomic
def unit_merge(*, actor, source: Unit, target: Unit, reason: str = "") -> int:
    """Merge section ``source`` into ``target``: every member moves with a Transfer record,
    open requests follow, offices of the source end, the source is closed. Returns the
    number of members moved. Needs ``sections.manage`` on both sections."""
    authorize(actor, "sections.manage", source)
    authorize(actor, "sections.manage", target)
    merged_by = _user(actor)
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choisissez une autre section.")})
    source, target = (
        Unit.objects.select_for_update().get(pk=source.pk),
        Unit.objects.select_for_update().get(pk=target.pk),
    )
    if not source.is_section or not source.is_active:
        raise ValidationError(_("Seule une section ouverte peut être fusionnée."))
    if not target.is_section or not target.is_active:
        raise ValidationError({"target": _("Choisissez une section ouverte.")})
    today = timezone.localdate()
    now = timezone.now()
    note = _("Fusion de « %(source)s » dans « %(target)s »") % {
        "source": source.name,
        "target": target.name,
    }
    # Open requests: those leaving the source now leave the target; those towards the
    # source now go to the target; those between the two have no object any more.
    _cancel_open_transfers(note=note, decided_by=merged_by, from_unit=target, to_unit=source)
    _cancel_open_transfers(note=note, decided_by=merged_by, from_unit=source, to_unit=target)
    Transfer.objects.filter(status=Transfer.Status.REQUESTED, from_unit=source).update(
        from_unit=target, updated_at=now
    )
    Transfer.objects.filter(status=Transfer.Status.REQUESTED, to_unit=source).update(
        to_unit=target, updated_at=now
    )
    member_ids = list(Member.objects.filter(section=source).values_list("pk", flat=True))
    Transfer.objects.bulk_create(
        [
            Transfer(
                member_id=pk,
                from_unit=source,
                to_unit=target,
                status=Transfer.Status.APPROVED,
                reason=reason or note,
                requested_by=merged_by,
                decided_by=merged_by,
                decided_at=now,
                decision_note=note,
            )
            for pk in member_ids
        ],
        batch_size=500,
    )
    Member.objects.filter(section=source).update(section=target, updated_at=now)
    memo.clear_all()  # a bulk update sends no signal
    _end_offices(Mandate.objects.filter(unit=source), on=today)
    source.is_active = False
    source.closed_on = today
    source.merged_into = target
    source.save(update_fields=["is_active", "closed_on", "merged_into", "updated_at"])
    audit(
        actor=actor,
        code="organization.unit_merge",
        obj=source,
        params={"source": source.name, "target": target.name, "count": len(member_ids)},
        changes={"merged_into": [None, target.pk], "is_active": [True, False]},
    )
    return len(member_ids)


@transaction.atomic
def unit_close(*, actor, unit: Unit, closed_on: datetime.date | None = None) -> Unit:
    """Close a section that no longer has active members (its history stays)."""
    authorize(actor, "sections.manage", unit)
    closed_by = _user(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError(_("Cette section est déjà fermée."))
    active = unit.members.filter(status=Member.Status.ACTIVE).count()
    if active:
        raise ValidationError(
            ngettext(
                "La section compte encore %(count)s adhérent·e actif·ve : transférez-le·la "
                "ou fusionnez la section avant de la fermer.",
                "La section compte encore %(count)s adhérent·es actif·ves : transférez-les "
                "ou fusionnez la section avant de la fermer.",
                active,
            )
            % {"count": active}
        )
    if unit.children.filter(is_active=True).exists():
        raise ValidationError(_("Fermez d'abord les unités rattachées à celle-ci."))
    closed_on = closed_on or timezone.localdate()
    _cancel_open_transfers(note=_("Section fermée"), decided_by=closed_by, to_unit=unit)
    _cancel_open_transfers(note=_("Section fermée"), decided_by=closed_by, from_unit=unit)
    _end_offices(Mandate.objects.filter(unit=unit), on=closed_on)
    unit.is_active = False
    unit.closed_on = closed_on
    unit.save(update_fields=["is_active", "closed_on", "updated_at"])
    audit(
        actor=actor,
        code="organization.unit_close",
        obj=unit,
        params={"unit": unit.name},
        changes={"is_active": [True, False], "closed_on": [None, closed_on]},
    )
    return unit
