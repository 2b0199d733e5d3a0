"""Reads of the public site: what visitors may see, and the join requests of officers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from fede.core.memo import TimedCache
from fede.events.models import Event
from fede.events.selectors import listed_events
from fede.organization.models import Mandate, Role, Territory, Unit
from fede.organization.roles import roles_with

from .models import JoinRequest, NewsPost, Page

#: Paris postcodes: 75001–75020, and 75116 for the north of the 16th.
_PARIS_POSTCODE = re.compile(r"^75(?:0(?:0[1-9]|1\d|20)|116)$")


# --- What every visitor sees, kept a minute per process --------------------------------
#
# The public pages show the same thing to every visitor (news, footer pages, a section and
# its coming public events, the directory): each piece is read once a minute per
# process instead of once per request. This process forgets everything as soon as a news
# post, a page, a unit, a territory, an event or a room booking is saved or deleted here
# (apps.py); another worker shows a change within the minute. Nothing here depends on who
# asks: no member data, no draft.

_PUBLIC = TimedCache(ttl=60, max_size=2000)
_kept = _PUBLIC.get


# --- News and pages ---------------------------------------------------------------------


def published_news(now=None) -> QuerySet[NewsPost]:
    return NewsPost.objects.published(now).order_by("-published_at", "-pk")


def news_for_visitor(slug: str) -> NewsPost:
    """A published post, or 404 (a draft is not found, exactly like a missing one)."""
    return get_object_or_404(published_news(), slug=slug)


def published_pages(now=None) -> QuerySet[Page]:
    return Page.objects.published(now).order_by("order", "title")


def page_for_visitor(slug: str) -> Page:
    return get_object_or_404(published_pages(), slug=slug)


def footer_pages() -> list[Page]:
    """The pages linked in the public site's footer (kept a minute, see above)."""
    return _kept(
        ("footer",),
        lambda: list(published_pages().filter(in_footer=True).only("slug", "title", "order")),
    )


def home_news(limit: int = 3) -> list[NewsPost]:
    """The latest published news of the home page (kept a minute, see above)."""
    return _kept(("news", limit), lambda: list(published_news()[:limit]))


def news_in_scope(user) -> QuerySet[NewsPost]:
    return NewsPost.objects.in_scope(user, "website.publish").select_related("unit")


def pages_in_scope(user) -> QuerySet[Page]:
    return Page.objects.in_scope(user, "website.publish").select_related("unit")


def publishing_units(user) -> QuerySet[Unit]:
    """Federations on which ``user`` may publish (for the form's picker)."""
    return (
        Unit.objects.in_scope(user, "website.publish")
        .filter(kind=Unit.Kind.FEDERATION, is_active=True)
        .order_by("name")
    )


# --- Events -------------------------------------------------------------------------------


def upcoming_public_events(*, unit: Unit | None = None, now=None, limit: int = 5) -> list[Event]:
    """Next published, public, not yet ended events (of ``unit`` when given), soonest first."""
    events = (
        listed_events(AnonymousUser())
        .filter(status=Event.Status.PUBLISHED, visibility=Event.Visibility.PUBLIC)
        .upcoming(now)
    )
    if unit is not None:
        # The unit's own and co-organised event ids, each from its own index, in one
        # subquery: an OR with a correlated EXISTS made the planner walk every coming public
        # event of the country by (visibility, start) and discard thousands of rows.
        own = Event.objects.filter(organiser=unit).order_by().values("pk")
        co_organised = (
            Event.co_organisers.through.objects.filter(unit=unit).order_by().values("event_id")
        )
        events = events.filter(pk__in=own.union(co_organised))
    return list(events.for_listing().order_by("start", "pk")[:limit])


def public_events(*, unit: Unit | None = None, limit: int = 5) -> list[Event]:
    """:func:`upcoming_public_events` as the public pages show them (kept a minute)."""
    key = ("events", unit.pk if unit is not None else None, limit)
    return _kept(key, lambda: upcoming_public_events(unit=unit, limit=limit))


# --- Sections -------------------------------------------------------------------------------


def public_sections() -> QuerySet[Unit]:
    """Open sections, as the directory lists them."""
    return (
        Unit.objects.sections()
        .active()
        .select_related("territory", "territory__parent")
        .order_by("name", "pk")
    )


def section_for_visitor(pk, *, fresh: bool = False) -> Unit:
    """An open section of the directory, or 404. Kept a minute for its public page (see
    above); ``fresh`` reads it again (before writing to it: the contact form)."""
    try:
        pk = int(pk)
        if fresh:
            return public_sections().select_related("parent").get(pk=pk)
        return _kept(("section", pk), lambda: public_sections().select_related("parent").get(pk=pk))
    except (Unit.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


def arrondissement_of_postcode(postcode: str) -> int | None:
    """The arrondissement of a Paris postcode (75011 → 11, 75116 → 16), else None."""
    postcode = (postcode or "").replace(" ", "").strip()
    if not _PARIS_POSTCODE.match(postcode):
        return None
    return 16 if postcode == "75116" else int(postcode[-2:])


def arrondissement_q(number: int) -> Q:
    """Q on Unit: sections whose territory is the arrondissement or lies in it."""
    return Q(territory__kind=Territory.Kind.ARRONDISSEMENT, territory__number=number) | Q(
        territory__parent__kind=Territory.Kind.ARRONDISSEMENT, territory__parent__number=number
    )


def sections_of_arrondissement(number: int) -> QuerySet[Unit]:
    return (
        public_sections()
        .filter(section_kind=Unit.SectionKind.TERRITORIAL)
        .filter(arrondissement_q(number))
        .order_by("code", "pk")
    )


def proposed_section(postcode: str) -> Unit | None:
    """The section a newcomer living at ``postcode`` is proposed (first of their
    arrondissement), or None outside Paris."""
    number = arrondissement_of_postcode(postcode)
    if number is None:
        return None
    return sections_of_arrondissement(number).first()


def section_arrondissement(unit: Unit) -> int | None:
    territory = unit.territory
    if territory is None:
        return None
    if territory.kind == Territory.Kind.ARRONDISSEMENT:
        return territory.number
    parent = territory.parent
    if parent is not None and parent.kind == Territory.Kind.ARRONDISSEMENT:
        return parent.number
    return None


@dataclass
class Directory:
    """The sections directory: territorial sections by arrondissement, workplace sections
    by sector, and those matching nothing of the kind (other territories)."""

    by_arrondissement: list[tuple[int, list[Unit]]]
    by_sector: list[tuple[str, list[Unit]]]
    others: list[Unit]
    count: int


def directory(*, q: str = "", arrondissement: int | None = None, sector: str = "") -> Directory:
    """Filter by free text (a name, a postcode, "11" or "11e"), arrondissement or sector
    (kept a minute per search and language, see above: the sectors' names are translated)."""
    q = (q or "").strip()
    key = ("directory", q, arrondissement, sector, get_language())
    return _kept(key, lambda: _directory(q, arrondissement, sector))


def _directory(q: str, arrondissement: int | None, sector: str) -> Directory:
    sections = public_sections()
    if q:
        number = arrondissement_of_postcode(q)
        match = re.fullmatch(r"(\d{1,2})\s*(?:e|er|ème)?", q, flags=re.IGNORECASE)
        if number is None and match and 1 <= int(match.group(1)) <= 20:
            number = int(match.group(1))
        if number is not None:
            sections = sections.filter(arrondissement_q(number))
        else:
            sections = sections.filter(
                Q(name__icontains=q) | Q(employer__icontains=q) | Q(meeting_place__icontains=q)
            )
    if arrondissement:
        sections = sections.filter(arrondissement_q(arrondissement))
    if sector:
        sections = sections.filter(section_kind=Unit.SectionKind.WORKPLACE, sector=sector)
    by_arr: dict[int, list[Unit]] = {}
    by_sector: dict[str, list[Unit]] = {}
    others: list[Unit] = []
    rows = list(sections)
    sector_labels = dict(Unit.Sector.choices)
    for unit in rows:
        if unit.is_workplace:
            by_sector.setdefault(unit.sector or Unit.Sector.OTHER, []).append(unit)
            continue
        number = section_arrondissement(unit)
        if number is None:
            others.append(unit)
        else:
            by_arr.setdefault(number, []).append(unit)
    return Directory(
        by_arrondissement=sorted(by_arr.items()),
        by_sector=sorted(
            ((str(sector_labels.get(k, k)), v) for k, v in by_sector.items()),
            key=lambda item: item[0],
        ),
        others=others,
        count=len(rows),
    )


def section_recipients(unit: Unit, *, capability: str | None = None) -> list[str]:
    """Addresses of the section's current officers (holding ``capability`` when given),
    else its contact address, else its federation's: never shown to visitors."""
    mandates = Mandate.objects.current().filter(unit=unit).exclude(member__email="")
    if capability:
        mandates = mandates.filter(role__in=roles_with(capability))
    else:
        mandates = mandates.filter(
            role__in=[Role.SECTION_SECRETARY, Role.SECTION_TREASURER, Role.SECTION_BUREAU]
        )
    addresses = sorted(set(mandates.values_list("member__email", flat=True)))
    if addresses:
        return addresses
    for candidate in (unit, unit.parent):
        if candidate is not None and candidate.contact_email:
            return [candidate.contact_email]
    return []


def contact_recipients(unit: Unit) -> list[str]:
    """The section's public contact address, else its officers."""
    if unit.contact_email:
        return [unit.contact_email]
    return section_recipients(unit)


# --- Map ------------------------------------------------------------------------------------

MAP_WIDTH = 640


@dataclass
class MapShape:
    number: int
    name: str
    path: str
    label_x: float
    label_y: float
    url: str
    count: int


def _rings(geometry) -> list[list[list[float]]]:
    if not isinstance(geometry, dict):
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def arrondissement_map() -> tuple[list[MapShape], int]:
    """The imported arrondissements projected to an SVG viewBox (width MAP_WIDTH), each
    with the link to its sections and how many there are; and the viewBox height.

    Equirectangular projection around the mean latitude (fine at the scale of a city):
    x = lon·cos(lat₀), y = −lat, scaled to the box; points closer than a pixel dropped.
    """
    territories = list(
        Territory.objects.filter(
            kind=Territory.Kind.ARRONDISSEMENT, number__isnull=False, geometry__isnull=False
        ).order_by("number")
    )
    shapes = [(t, _rings(t.geometry)) for t in territories]
    shapes = [(t, rings) for t, rings in shapes if rings]
    if not shapes:
        return [], 0
    points = [pt for _t, rings in shapes for ring in rings for pt in ring]
    lat0 = math.radians(sum(p[1] for p in points) / len(points))
    xs = [p[0] * math.cos(lat0) for p in points]
    ys = [-p[1] for p in points]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    margin = 8
    scale = (MAP_WIDTH - 2 * margin) / ((max_x - min_x) or 1)
    height = round((max_y - min_y) * scale + 2 * margin)

    def project(lon, lat):
        return (
            (lon * math.cos(lat0) - min_x) * scale + margin,
            (-lat - min_y) * scale + margin,
        )

    counts: dict[int, int] = {}
    for unit in public_sections().filter(section_kind=Unit.SectionKind.TERRITORIAL):
        number = section_arrondissement(unit)
        if number is not None:
            counts[number] = counts.get(number, 0) + 1
    base = reverse("website:sections")
    result = []
    for territory, rings in shapes:
        parts = []
        all_x, all_y = [], []
        for ring in rings:
            last = None
            coords = []
            for lon, lat, *_rest in ring:
                x, y = project(lon, lat)
                point = (round(x, 1), round(y, 1))
                if last is None or abs(point[0] - last[0]) + abs(point[1] - last[1]) >= 1:
                    coords.append(point)
                    last = point
            if len(coords) < 3:
                continue
            all_x += [c[0] for c in coords]
            all_y += [c[1] for c in coords]
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in coords) + "Z")
        if not parts:
            continue
        result.append(
            MapShape(
                number=territory.number,
                name=territory.name,
                path="".join(parts),
                label_x=round(sum(all_x) / len(all_x), 1),
                label_y=round(sum(all_y) / len(all_y), 1),
                url=f"{base}?arrondissement={territory.number}",
                count=counts.get(territory.number, 0),
            )
        )
    return result, height


# --- Join requests ------------------------------------------------------------------------


def join_requests_for(user, *, status: str = JoinRequest.Status.PENDING) -> QuerySet[JoinRequest]:
    """The requests addressed to the sections where ``user`` decides them."""
    return (
        JoinRequest.objects.in_scope(user, "website.joins")
        .filter(status=status)
        .select_related("section", "redirected_from")
        .order_by("confirmed_at", "pk")
    )


def join_request_queryset() -> QuerySet[JoinRequest]:
    return JoinRequest.objects.select_related("section", "redirected_from", "decided_by")


def redirect_targets(join_request: JoinRequest) -> QuerySet[Unit]:
    """Where a request may be sent: another open section of the same federation."""
    return (
        Unit.objects.sections()
        .active()
        .filter(parent_id=join_request.section.parent_id)
        .exclude(pk=join_request.section_id)
        .order_by("name")
    )


def personal_data_of(user, member) -> dict:
    """The join requests sent with the person's addresses (personal data export)."""
    emails = {e for e in (getattr(user, "email", ""), getattr(member, "email", "")) if e}
    if not emails:
        return {}
    q = Q()
    for email in emails:
        q |= Q(email__iexact=email)
    rows = [
        {
            "date": r.created_at.date().isoformat(),
            "section": r.section.name,
            "état": r.get_status_display(),
            "prénom": r.first_name,
            "nom": r.last_name,
            "e-mail": r.email,
            "téléphone": r.phone,
            "adresse": " ".join(filter(None, [r.address, r.postal_code, r.city])),
        }
        for r in JoinRequest.objects.filter(q).select_related("section").order_by("pk")
    ]
    return {"Demandes d'adhésion": rows} if rows else {}


def today():
    return timezone.localdate()
