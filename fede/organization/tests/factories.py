"""Factories of the organisation, reused by the tests of every app built on it."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization import services
from fede.organization.models import DuesPayment, Member, Role, Territory, Unit

# Names are drawn from fixed lists, never at random: a test that searches "martin" must not
# find a member whose invented name happened to contain it. Surnames carry a letter code
# made of the sequence number (q, w, x, y, z only), so no two collide and none spells a
# real name.
FIRST_NAMES = ["Aude", "Basile", "Capucine", "Dorian", "Elsa", "Fanny", "Gaspard", "Héloïse"]
SURNAMES = ["Aubrac", "Belval", "Cazaux", "Dorval", "Esquer", "Fabron", "Gorsse", "Huchet"]


def _code(n: int) -> str:
    letters = "qwxyz"
    out = ""
    while True:
        n, digit = divmod(n, len(letters))
        out = letters[digit] + out
        if not n:
            return out


def invented_first_name(n: int) -> str:
    return FIRST_NAMES[n % len(FIRST_NAMES)]


def invented_surname(n: int) -> str:
    return f"{SURNAMES[n % len(SURNAMES)]}-{_code(n)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Sequence(invented_first_name)
    last_name = factory.Sequence(invented_surname)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    kind = Territory.Kind.ARRONDISSEMENT
    number = factory.Sequence(lambda n: n % 20 + 1)
    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.LazyAttribute(lambda o: f"{o.number}e arrondissement")


def make_unit(*, name=None, code=None, kind=Unit.Kind.SECTION, parent=None, **fields) -> Unit:
    make_unit.counter += 1
    n = make_unit.counter
    return services.unit_create(
        actor=SYSTEM,
        name=name or f"Section {n}",
        code=code or f"U{n:05d}",
        kind=kind,
        parent=parent,
        **fields,
    )


make_unit.counter = 0


def make_federation(name="Fédération de Paris", code=None) -> Unit:
    return make_unit(name=name, code=code, kind=Unit.Kind.FEDERATION)


def make_section(federation: Unit, name=None, **fields) -> Unit:
    return make_unit(name=name, parent=federation, kind=Unit.Kind.SECTION, **fields)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    membership_number = factory.Sequence(lambda n: f"75{n:07d}")
    first_name = factory.Sequence(invented_first_name)
    last_name = factory.Sequence(invented_surname)
    email = factory.Sequence(lambda n: f"adherent{n}@example.org")
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    status = Member.Status.ACTIVE
    section = None


class DuesPaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesPayment

    member = factory.SubFactory(MemberFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("30.00")
    paid_on = factory.LazyFunction(timezone.localdate)
    method = DuesPayment.Method.TRANSFER


TOTP_TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_mfa(user, secret: str = TOTP_TEST_SECRET):
    """Turn TOTP on for ``user`` (officers reading member data must have it)."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return user


def make_officer(
    unit: Unit,
    role: str = Role.SECTION_SECRETARY,
    *,
    section: Unit | None = None,
    email: str | None = None,
    mfa: bool = True,
    **user_fields,
):
    """A login whose member record holds ``role`` on ``unit``, MFA on. Returns the user."""
    user = UserFactory(**({"email": email} if email else {}), **user_fields)
    home = section or (unit if unit.is_section else None)
    if home is None:
        home = Unit.objects.filter(kind=Unit.Kind.SECTION).first() or make_section(unit)
    member = MemberFactory(section=home, user=user, email=user.email)
    services.mandate_appoint(
        actor=SYSTEM,
        member=member,
        role=role,
        unit=unit,
        start=timezone.localdate() - datetime.timedelta(days=30),
    )
    if mfa:
        give_mfa(user)
    return user


def make_member_user(section: Unit, **member_fields):
    """A login linked to a plain member of ``section``. Returns the user."""
    user = UserFactory()
    MemberFactory(section=section, user=user, email=user.email, **member_fields)
    return user
