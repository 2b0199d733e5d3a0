"""`manage.py import_paris_arrondissements <geojson>`: the 20 arrondissements of Paris."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fede.organization.territories import TerritoryImportError, arrondissements_import


class Command(BaseCommand):
    help = (
        "Importe les arrondissements de Paris depuis le GeoJSON de la Ville "
        "(opendata.paris.fr, « arrondissements »). Sans effet si rien n'a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument("geojson", type=Path, help="Fichier GeoJSON des arrondissements.")

    def handle(self, *args, geojson: Path, **options):
        try:
            result = arrondissements_import(path=geojson)
        except TerritoryImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Arrondissements — {result}"))
