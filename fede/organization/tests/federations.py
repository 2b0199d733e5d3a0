"""Two federations and a user with two offices: the fixtures that catch permission bugs.

A permission check that forgets its unit, or checks the wrong capability, passes every
test written with one federation and single-office users. These fixtures give each test:

- Paris (sections 11 and 15) and Lyon (section 1er), each with a first secretary, a
  federal staff member and section secretaries;
- ``two_offices``: a Paris **federal secretary** (reads every Paris member) who is also
  **treasurer of Paris 11** (may export Paris 11 only);
- members in each section.
"""

from dataclasses import dataclass, field

import pytest

from fede.organization.models import Member, Role, Unit

from .factories import MemberFactory, make_federation, make_officer, make_section


@dataclass
class Federation:
    unit: Unit
    sections: dict[str, Unit]
    officers: dict[str, object]
    members: dict[str, list[Member]] = field(default_factory=dict)


@dataclass
class World:
    paris: Federation
    lyon: Federation
    two_offices: object


def build_world() -> World:
    paris = make_federation("Fédération de Paris", code="FED75")
    p11 = make_section(paris, name="Paris 11", code="S75-11")
    p15 = make_section(paris, name="Paris 15", code="S75-15")
    lyon = make_federation("Fédération du Rhône", code="FED69")
    l1 = make_section(lyon, name="Lyon 1er", code="S69-01")

    def officers(federation, sections):
        first, *rest = sections
        return {
            "first_secretary": make_officer(federation, Role.FIRST_SECRETARY, section=first),
            "staff": make_officer(federation, Role.FEDERAL_STAFF, section=first),
            **{f"secretary_{s.code}": make_officer(s, Role.SECTION_SECRETARY) for s in sections},
        }

    world = World(
        paris=Federation(paris, {"p11": p11, "p15": p15}, officers(paris, [p11, p15])),
        lyon=Federation(lyon, {"l1": l1}, officers(lyon, [l1])),
        two_offices=make_officer(paris, Role.FEDERAL_SECRETARY, section=p11),
    )
    # The second office of the same person: treasurer of Paris 11.
    from fede.core.access import SYSTEM
    from fede.organization import services

    services.mandate_appoint(
        actor=SYSTEM,
        member=world.two_offices.member,
        role=Role.SECTION_TREASURER,
        unit=p11,
    )
    for fed in (world.paris, world.lyon):
        for key, section in fed.sections.items():
            fed.members[key] = MemberFactory.create_batch(3, section=section)
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()
