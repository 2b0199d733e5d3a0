"""Signed links sent by e-mail or printed in QR codes: they work without logging in.

A token is the registration's id signed with the site's secret key and a purpose
("salt"): a link to confirm a guest registration cannot be used to cancel it or to
check someone in, and nobody can forge a token for another registration.
"""

from __future__ import annotations

from django.core import signing

TICKET = "fede.events.ticket"  # see one's registration, cancel it
CONFIRM = "fede.events.confirm"  # a guest confirms their e-mail address
CHECKIN = "fede.events.checkin"  # the QR code an organiser scans at the door

#: A guest has a week to confirm their address.
CONFIRM_MAX_AGE = 7 * 24 * 3600


def make_token(registration, purpose: str) -> str:
    return signing.dumps({"r": registration.pk, "e": registration.event_id}, salt=purpose)


def read_token(token: str, purpose: str, *, max_age: int | None = None) -> tuple[int, int] | None:
    """(registration id, event id) from a token, or ``None`` if it is invalid or expired."""
    try:
        data = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return int(data["r"]), int(data["e"])
    except (KeyError, TypeError, ValueError):
        return None
