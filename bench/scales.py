"""Sizes of the generated datasets."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    federations: int
    sections: int
    members: int
    mandates: int
    #: Share of sections that are workplace sections (employer, sector).
    workplace_share: float = 0.1
    #: Years of dues history (the current year included).
    dues_years: int = 5
    #: Members with a login who hold no office.
    member_users: int = 0
    transfers: int = 0
    access_log: int = 0
    #: Rooms and events per federation (their generators scale with the federations).
    venues_per_federation: int = 4
    rooms_per_venue: int = 2
    bookings_per_room: int = 150
    events_per_federation: int = 60
    registrations_per_event: int = 25
    #: Days of history behind today for events and bookings (the platform's years of use).
    history_days: int = 365
    #: Simulated users per persona kind that the load run may log in as.
    personas: int = 8

    def as_dict(self) -> dict:
        return asdict(self)


NATIONAL = Scale(
    name="national",
    federations=100,
    sections=8_000,
    members=500_000,
    mandates=20_000,
    member_users=10_000,
    transfers=6_000,
    access_log=200_000,
    # After a few years of use: 8,000 sections meeting about ten times a year for five
    # years (~400,000 events, ~2.5 million registrations, ~600,000 room bookings).
    history_days=5 * 365,
    events_per_federation=4_000,
    registrations_per_event=8,
    bookings_per_room=750,
)

SMOKE = Scale(
    name="smoke",
    federations=2,
    sections=10,
    members=500,
    mandates=60,
    member_users=20,
    transfers=10,
    access_log=100,
    venues_per_federation=2,
    rooms_per_venue=2,
    bookings_per_room=10,
    events_per_federation=6,
    registrations_per_event=5,
    history_days=120,
    personas=3,
)

SCALES = {s.name: s for s in (NATIONAL, SMOKE)}
