"""Territories from the open data of the City of Paris (opendata.paris.fr, ODbL).

Two importers, each behind a management command:

- :func:`arrondissements_import` reads the "arrondissements" GeoJSON (properties
  ``c_ar``, ``c_arinsee``, ``l_ar``, ``l_aroff``, ``geom_x_y``; polygon geometry);
- :func:`polling_stations_import` reads the polling stations ("bureaux de vote"), either
  the points file of 2024 (``id_bv`` "1-4", ``arrrondissement_bv`` — sic —, ``numero_bv``,
  ``nom_bv``, ``adresse_bv``, ``cp_bv``, ``geo_point_2d``) or a sectors file, 2020
  (``arrondissement``, ``num_bv``) or 2024 (``arrondissement_bv``, ``numero_bv``), whose
  geometry is the polygon of the sector.

Both are idempotent: a territory is identified by (kind, official code), rows are
written in bulk, and a row is only written when one of its values changed. Importing the
same file twice changes nothing. A polling station's code is "arrondissement-number"
("11-5"); its parent is the arrondissement, which must be imported first.

The points file gives the polling place (address, coordinates), a sectors file the
outline of the area: importing both completes the same rows, neither erases the other.

Every credit goes to "Ville de Paris" (ODbL): keep the mention wherever the data is shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Territory

ARRONDISSEMENT_NAMES = {
    1: "Louvre",
    2: "Bourse",
    3: "Temple",
    4: "Hôtel-de-Ville",
    5: "Panthéon",
    6: "Luxembourg",
    7: "Palais-Bourbon",
    8: "Élysée",
    9: "Opéra",
    10: "Entrepôt",
    11: "Popincourt",
    12: "Reuilly",
    13: "Gobelins",
    14: "Observatoire",
    15: "Vaugirard",
    16: "Passy",
    17: "Batignolles-Monceau",
    18: "Buttes-Montmartre",
    19: "Buttes-Chaumont",
    20: "Ménilmontant",
}

BATCH_SIZE = 500


class TerritoryImportError(Exception):
    """The file cannot be imported; the message says why, in French."""


@dataclass
class TerritoryImportResult:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        return _(
            "%(total)s lus : %(created)s créés, %(updated)s modifiés, %(unchanged)s inchangés."
        ) % {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def arrondissement_code(number: int) -> str:
    """The INSEE code of a Paris arrondissement: 75101 … 75120."""
    return f"751{number:02d}"


def arrondissement_name(number: int, official: str | None = None) -> str:
    """ "11e arrondissement (Popincourt)", "1er arrondissement (Louvre)"."""
    official = official or ARRONDISSEMENT_NAMES.get(number, "")
    ordinal = "1er" if number == 1 else f"{number}e"
    label = _("%(ordinal)s arrondissement") % {"ordinal": ordinal}
    return f"{label} ({official})" if official else label


def polling_station_name(code: str) -> str:
    return _("Bureau de vote %(code)s") % {"code": code}


def _read_features(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise TerritoryImportError(_("Fichier introuvable : %(path)s") % {"path": path}) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise TerritoryImportError(
            _("Ce fichier n'est pas un GeoJSON lisible : %(error)s") % {"error": exc}
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise TerritoryImportError(
            _("Ce fichier n'est pas une collection GeoJSON (« FeatureCollection »).")
        )
    return features


def _as_int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _point(value) -> tuple[float, float] | None:
    """(lat, lon) from ``{"lat":…, "lon":…}``, ``[lat, lon]`` or ``"lat, lon"``."""
    if isinstance(value, dict):
        lat, lon = value.get("lat"), value.get("lon")
    elif isinstance(value, list | tuple) and len(value) == 2:
        lat, lon = value
    elif isinstance(value, str) and ("," in value or ";" in value):
        lat, lon = value.replace(";", ",").split(",", 1)
    else:
        return None
    try:
        return float(lat), float(lon)
    except (TypeError, ValueError):
        return None


def _save(kind: str, rows: dict[str, dict[str, Any]]) -> TerritoryImportResult:
    """Create or update territories of ``kind`` from ``{code: values}``, in bulk.

    A value absent from a row's dict is left as it is; a row is only written when one of
    its values changed, so a second run writes nothing.
    """
    result = TerritoryImportResult()
    existing = {t.code: t for t in Territory.objects.filter(kind=kind, code__in=list(rows))}
    to_create: list[Territory] = []
    to_update: list[Territory] = []
    changed_fields: set[str] = set()
    for code, values in rows.items():
        territory = existing.get(code)
        if territory is None:
            to_create.append(Territory(kind=kind, code=code, **values))
            continue
        changed = {field for field, value in values.items() if getattr(territory, field) != value}
        if not changed:
            result.unchanged += 1
            continue
        for field in changed:
            setattr(territory, field, values[field])
        changed_fields |= changed
        to_update.append(territory)
    Territory.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        fields = sorted(f.removesuffix("_id") if f == "parent_id" else f for f in changed_fields)
        Territory.objects.bulk_update(to_update, fields, batch_size=100)
    result.created = len(to_create)
    result.updated = len(to_update)
    return result


@transaction.atomic
def arrondissements_import(*, path: str | Path) -> TerritoryImportResult:
    """Import the 20 arrondissements (code INSEE 751xx) from the City's GeoJSON."""
    rows: dict[str, dict[str, Any]] = {}
    for index, feature in enumerate(_read_features(path), start=1):
        props = feature.get("properties") or {}
        number = _as_int(props.get("c_ar"))
        insee = _as_int(props.get("c_arinsee"))
        if number is None or not 1 <= number <= 20:
            raise TerritoryImportError(
                _("Élément %(index)s : numéro d'arrondissement « c_ar » absent ou invalide.")
                % {"index": index}
            )
        code = str(insee) if insee else arrondissement_code(number)
        if code != arrondissement_code(number):
            raise TerritoryImportError(
                _(
                    "Élément %(index)s : code INSEE %(code)s incohérent avec l'arrondissement %(number)s."
                )
                % {"index": index, "code": code, "number": number}
            )
        official = str(props.get("l_aroff") or "").strip()
        centroid = _point(props.get("geom_x_y"))
        rows[code] = {
            "name": arrondissement_name(number, official),
            "number": number,
            "parent_id": None,
            "latitude": centroid[0] if centroid else None,
            "longitude": centroid[1] if centroid else None,
            "geometry": feature.get("geometry"),
        }
    if not rows:
        raise TerritoryImportError(_("Le fichier ne contient aucun arrondissement."))
    return _save(Territory.Kind.ARRONDISSEMENT, rows)


def _first(props: dict[str, Any], names: Iterable[str]):
    for name in names:
        if props.get(name) not in (None, ""):
            return props[name]
    return None


@transaction.atomic
def polling_stations_import(*, path: str | Path) -> TerritoryImportResult:
    """Import the polling stations of Paris (points of 2024 or sectors of 2020/2024).

    Each station is linked to its arrondissement, which must already exist: import the
    arrondissements first.
    """
    features = _read_features(path)
    arrondissements = {
        t.number: t
        for t in Territory.objects.filter(kind=Territory.Kind.ARRONDISSEMENT, number__isnull=False)
    }
    existing_points = set(
        Territory.objects.filter(
            kind=Territory.Kind.POLLING_STATION, latitude__isnull=False
        ).values_list("code", flat=True)
    )
    rows: dict[str, dict[str, Any]] = {}
    missing: set[int] = set()
    for index, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        id_bv = str(props.get("id_bv") or "").strip()
        arr = _as_int(_first(props, ("arrrondissement_bv", "arrondissement_bv", "arrondissement")))
        num = _as_int(_first(props, ("numero_bv", "num_bv")))
        if (arr is None or num is None) and "-" in id_bv:
            left, _sep, right = id_bv.partition("-")
            arr = arr if arr is not None else _as_int(left)
            num = num if num is not None else _as_int(right)
        if arr is None or num is None or not 1 <= arr <= 20:
            raise TerritoryImportError(
                _(
                    "Élément %(index)s : arrondissement ou numéro de bureau absent "
                    "(attendu : id_bv, arrondissement_bv et numero_bv, ou num_bv)."
                )
                % {"index": index}
            )
        parent = arrondissements.get(arr)
        if parent is None:
            missing.add(arr)
            continue
        code = f"{arr}-{num}"
        geometry = feature.get("geometry") or {}
        values: dict[str, Any] = {
            "name": polling_station_name(code),
            "number": num,
            "parent_id": parent.pk,
        }
        point = _point(props.get("geo_point_2d"))
        if geometry.get("type") == "Point":
            # The points file: where people vote.
            if point is None and len(geometry.get("coordinates") or []) == 2:
                lon, lat = geometry["coordinates"]
                point = (float(lat), float(lon))
            parts = [str(props.get(k) or "").strip() for k in ("nom_bv", "adresse_bv")]
            postal = str(props.get("cp_bv") or "").strip()
            if postal:
                parts.append(f"{postal} Paris")
            values["address"] = ", ".join(p for p in parts if p)[:300]
            if point:
                values["latitude"], values["longitude"] = point
        else:
            # A sectors file: the outline of the area. Its centre only stands in for the
            # polling place when no points file has given one.
            values["geometry"] = geometry or None
            if point and code not in existing_points:
                values["latitude"], values["longitude"] = point
        rows[code] = values
    if missing:
        raise TerritoryImportError(
            _(
                "Arrondissements absents : %(numbers)s. Importez d'abord les arrondissements "
                "(manage.py import_paris_arrondissements <fichier>)."
            )
            % {"numbers": ", ".join(str(n) for n in sorted(missing))}
        )
    if not rows:
        raise TerritoryImportError(_("Le fichier ne contient aucun bureau de vote."))
    return _save(Territory.Kind.POLLING_STATION, rows)
