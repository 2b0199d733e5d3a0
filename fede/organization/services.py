"""Every write of the organisation goes through these functions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DuesPayment, Mandate, Member, Role, Territory, Unit
from .roles import forget_grants


def _path_for(unit: Unit) -> tuple[str, int]:
    prefix = unit.parent.path if unit.parent_id else ""
    depth = unit.parent.depth + 1 if unit.parent_id else 0
    return f"{prefix}{unit.pk:08d}.", depth


@transaction.atomic
def unit_create(
    *,
    name: str,
    code: str,
    kind: str,
    parent: Unit | None = None,
    section_kind: str = "",
    territory: Territory | None = None,
    **fields,
) -> Unit:
    """Create a unit in the tree (its materialised path is set here)."""
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
    return unit


@transaction.atomic
def member_create(
    *,
    section: Unit,
    membership_number: str,
    first_name: str,
    last_name: str,
    joined_on: datetime.date,
    **fields,
) -> Member:
    """Add a person to the member file."""
    if not section.is_section or not section.is_active:
        raise ValidationError({"section": _("Choisissez une section active.")})
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
    return member


def dues_record(
    *,
    member: Member,
    year: int,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    recorded_by=None,
) -> DuesPayment:
    """Record one year of dues. A second payment for the same year is refused."""
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
                recorded_by=recorded_by,
            )
            if member.status == Member.Status.LAPSED and year >= paid_on.year - 1:
                member.status = Member.Status.ACTIVE
                member.save(update_fields=["status", "updated_at"])
    except IntegrityError:
        raise ValidationError(
            {
                "year": _("La cotisation %(year)s de cet·te adhérent·e est déjà enregistrée.")
                % {"year": year}
            }
        ) from None
    return payment


@transaction.atomic
def mandate_appoint(
    *,
    member: Member,
    role: str,
    unit: Unit,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    portfolio: str = "",
) -> Mandate:
    """Appoint a member to an office on a unit."""
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
    return mandate


@transaction.atomic
def mandate_end(*, mandate: Mandate, end: datetime.date | None = None) -> Mandate:
    """End an office (from today by default)."""
    end = end or timezone.localdate()
    if end < mandate.start:
        raise ValidationError({"end": _("La fin ne peut précéder le début.")})
    mandate.end = end
    mandate.save(update_fields=["end", "updated_at"])
    if mandate.member.user_id:
        forget_grants(mandate.member.user)
    return mandate
