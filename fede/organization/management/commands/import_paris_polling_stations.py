"""`manage.py import_paris_polling_stations <geojson>`: the polling stations of Paris."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fede.organization.territories import TerritoryImportError, polling_stations_import


class Command(BaseCommand):
    help = (
        "Importe les bureaux de vote de Paris depuis un GeoJSON de la Ville : lieux de vote "
        "2024 (points) ou secteurs 2020 / 2024 (polygones). Les arrondissements doivent "
        "avoir été importés avant. Sans effet si rien n'a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument("geojson", type=Path, help="Fichier GeoJSON des bureaux de vote.")

    def handle(self, *args, geojson: Path, **options):
        try:
            result = polling_stations_import(path=geojson)
        except TerritoryImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Bureaux de vote — {result}"))
