"""`manage.py demo`: load the Paris federation's demo, idempotently, and print the accounts.

Each app that has demo data provides ``fede/<app>/demo.py`` with a function
``load(*, stdout, open_data=None) -> list[tuple[str, str, str]]`` returning the demo
accounts it created as (role, e-mail, password). This command calls them in layer order;
running it twice duplicates nothing.
"""

from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "fede.organization.demo",
    "fede.rooms.demo",
    "fede.events.demo",
]


class Command(BaseCommand):
    help = "Charge la démonstration (fédération de Paris) et affiche les comptes de test."

    def add_arguments(self, parser):
        parser.add_argument(
            "--open-data",
            type=Path,
            default=None,
            help="Dossier des données ouvertes de la Ville de Paris (territoires réels).",
        )

    def handle(self, *args, open_data=None, **options):
        accounts: list[tuple[str, str, str]] = []
        for name in DEMO_MODULES:
            try:
                module = import_module(name)
            except ModuleNotFoundError:
                continue
            with transaction.atomic():
                accounts += module.load(stdout=self.stdout, open_data=open_data) or []
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("Démonstration prête. Comptes (rôle · e-mail · mot de passe) :")
        )
        for role, email, password in accounts:
            self.stdout.write(f"  {role:<32} {email:<40} {password}")
