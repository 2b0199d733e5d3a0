"""Territories imported from the real open data of the City of Paris.

The files are not part of the project: they are read from ``../shared/data/paris/``
next to the repository (see its SOURCES.md). Without that folder these tests are skipped.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fede.organization.models import Territory
from fede.organization.territories import (
    TerritoryImportError,
    arrondissements_import,
    polling_stations_import,
)

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "paris"
ARRONDISSEMENTS = DATA / "paris_arrondissements.geojson"
POINTS_2024 = DATA / "paris_bureaux_de_vote_2024_lieux.geojson"
SECTORS_2024 = DATA / "paris_bureaux_de_vote_2024_secteurs.geojson"
SECTORS_2020 = DATA / "paris_bureaux_de_vote_2020_secteurs.geojson"

needs_open_data = pytest.mark.skipif(
    not ARRONDISSEMENTS.is_file(),
    reason=f"Données ouvertes de Paris absentes ({DATA}) : tests sur fichiers réels ignorés.",
)

pytestmark = pytest.mark.django_db


def _snapshot(kind):
    return list(
        Territory.objects.filter(kind=kind)
        .order_by("code")
        .values_list("code", "name", "number", "parent_id", "address", "latitude", "longitude")
    )


def _stations_linked_to_their_arrondissement():
    stations = Territory.objects.filter(kind=Territory.Kind.POLLING_STATION).select_related(
        "parent"
    )
    for station in stations:
        arr = int(station.code.split("-")[0])
        assert station.parent.kind == Territory.Kind.ARRONDISSEMENT
        assert station.parent.number == arr, station.code
    return stations


@needs_open_data
def test_arrondissements_from_the_city_file():
    """The 20 arrondissements get INSEE codes 75101–75120, official names and outlines."""
    result = arrondissements_import(path=ARRONDISSEMENTS)

    assert (result.created, result.updated) == (20, 0)
    arrondissements = Territory.objects.filter(kind=Territory.Kind.ARRONDISSEMENT)
    assert sorted(arrondissements.values_list("code", flat=True)) == [
        str(code) for code in range(75101, 75121)
    ]
    eleventh = arrondissements.get(code="75111")
    assert eleventh.number == 11
    assert eleventh.name == "11e arrondissement (Popincourt)"
    assert arrondissements.get(code="75101").name == "1er arrondissement (Louvre)"
    assert eleventh.geometry["type"] == "Polygon"
    assert 48.8 < eleventh.latitude < 48.9 and 2.3 < eleventh.longitude < 2.45


@needs_open_data
def test_importing_the_arrondissements_twice_changes_nothing():
    arrondissements_import(path=ARRONDISSEMENTS)
    before = _snapshot(Territory.Kind.ARRONDISSEMENT)

    result = arrondissements_import(path=ARRONDISSEMENTS)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 20)
    assert _snapshot(Territory.Kind.ARRONDISSEMENT) == before


@needs_open_data
def test_polling_places_2024_are_linked_to_their_arrondissement():
    """902 polling stations, coded "arr-num", each under its arrondissement, with address."""
    arrondissements_import(path=ARRONDISSEMENTS)

    result = polling_stations_import(path=POINTS_2024)

    assert result.created == 902
    stations = _stations_linked_to_their_arrondissement()
    assert len(stations) == 902
    station = Territory.objects.get(kind=Territory.Kind.POLLING_STATION, code="1-4")
    assert station.number == 4
    assert station.parent.code == "75101"
    assert "10 PASSAGE DE LA CANOPEE" in station.address and "75001 Paris" in station.address
    assert station.latitude and station.longitude
    assert {s.parent.number for s in stations} == set(range(1, 21))


@needs_open_data
def test_polling_sectors_2020_are_imported_with_their_outline():
    """The 2020 sectors file: 897 stations with their polygon."""
    arrondissements_import(path=ARRONDISSEMENTS)

    result = polling_stations_import(path=SECTORS_2020)

    assert result.created == 897
    stations = _stations_linked_to_their_arrondissement()
    assert len(stations) == 897
    station = Territory.objects.get(kind=Territory.Kind.POLLING_STATION, code="20-18")
    assert station.geometry["type"] in {"Polygon", "MultiPolygon"}
    assert station.latitude and station.longitude


@needs_open_data
def test_polling_stations_twice_and_sectors_after_points_change_nothing_twice():
    """Re-running changes nothing; a sectors file completes the points without erasing."""
    arrondissements_import(path=ARRONDISSEMENTS)
    polling_stations_import(path=POINTS_2024)
    before = _snapshot(Territory.Kind.POLLING_STATION)

    again = polling_stations_import(path=POINTS_2024)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 902)
    assert _snapshot(Territory.Kind.POLLING_STATION) == before

    sectors = polling_stations_import(path=SECTORS_2024)
    assert (sectors.created, sectors.updated) == (0, 902)
    # The polling place (address and point) of the points file is kept.
    assert _snapshot(Territory.Kind.POLLING_STATION) == before
    station = Territory.objects.get(kind=Territory.Kind.POLLING_STATION, code="1-5")
    assert station.geometry["type"] == "Polygon"

    sectors_again = polling_stations_import(path=SECTORS_2024)
    assert (sectors_again.created, sectors_again.updated) == (0, 0)


@needs_open_data
def test_polling_stations_need_the_arrondissements_first():
    """Without the arrondissements the import fails with a clear message and writes nothing."""
    with pytest.raises(TerritoryImportError, match="Importez d'abord les arrondissements"):
        polling_stations_import(path=POINTS_2024)
    assert not Territory.objects.exists()


@needs_open_data
def test_management_commands_on_the_real_files():
    out = StringIO()
    call_command("import_paris_arrondissements", str(ARRONDISSEMENTS), stdout=out)
    call_command("import_paris_polling_stations", str(POINTS_2024), stdout=out)

    assert "20 créés" in out.getvalue()
    assert "902 créés" in out.getvalue()
    assert Territory.objects.filter(kind=Territory.Kind.POLLING_STATION).count() == 902

    out = StringIO()
    call_command("import_paris_polling_stations", str(POINTS_2024), stdout=out)
    assert "902 inchangés" in out.getvalue()


def test_command_reports_a_missing_file_in_french(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_paris_arrondissements", str(tmp_path / "absent.geojson"))


def test_a_file_that_is_not_geojson_is_refused(tmp_path):
    path = tmp_path / "arr.geojson"
    path.write_text("c_ar;c_arinsee\n1;75101\n", encoding="utf-8")
    with pytest.raises(TerritoryImportError, match="GeoJSON"):
        arrondissements_import(path=path)

    path.write_text(json.dumps({"type": "Feature"}), encoding="utf-8")
    with pytest.raises(TerritoryImportError, match="FeatureCollection"):
        arrondissements_import(path=path)
    assert not Territory.objects.exists()


def test_an_inconsistent_insee_code_is_refused(tmp_path):
    path = tmp_path / "arr.geojson"
    feature = {
        "type": "Feature",
        "properties": {"c_ar": 11, "c_arinsee": 75112, "l_aroff": "Popincourt"},
        "geometry": None,
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(TerritoryImportError, match="incohérent"):
        arrondissements_import(path=path)
