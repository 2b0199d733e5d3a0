"""`manage.py demo`: load the Paris federation's demo, idempotently, and print the accounts.

Each app that has demo data provides ``fede/<app>/demo.py`` with a function
``load(*, stdout, open_data=None) -> list[tuple[str, str, str]]`` returning the demo
accounts it created as (role, e-mail, password). This command finds them itself and calls
them in the order of ``INSTALLED_APPS`` (the layer order); running it twice duplicates
nothing.
"""

from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction


def demo_modules() -> list[str]:
    """``fede.<app>.demo`` of every installed app of the project that has one."""
    from importlib.util import find_spec

    from django.apps import apps

    names = []
    for config in apps.get_app_configs():
        if config.name.startswith("fede.") and config.name != "fede.demo":
            name = f"{config.name}.demo"
            if find_spec(name) is not None:
                names.append(name)
    return names


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
        for name in demo_modules():
            module = import_module(name)
            with transaction.atomic():
                accounts += module.load(stdout=self.stdout, open_data=open_data) or []
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("Démonstration prête. Comptes (rôle · e-mail · mot de passe) :")
        )
        for role, email, password in accounts:
            self.stdout.write(f"  {role:<32} {email:<40} {password}")
