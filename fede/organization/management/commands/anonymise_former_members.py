"""`manage.py anonymise_former_members [--dry-run]`: the retention rule of the member file.

Former members (resigned, excluded, deceased, lapsed) who left more than
FEDE_ANONYMISE_AFTER_YEARS years ago are anonymised; each one is logged. Run it from the
task worker's schedule (or cron), e.g. once a night; running it again is harmless.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from fede.core.access import SYSTEM
from fede.organization.personal_data import former_members_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise les anciens adhérents partis depuis plus de FEDE_ANONYMISE_AFTER_YEARS ans "
        "(journalisé). --dry-run : compte seulement."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche le nombre de fiches concernées sans rien modifier.",
        )

    def handle(self, *args, dry_run=False, **options):
        count = former_members_anonymise(actor=SYSTEM, dry_run=dry_run)
        years = settings.FEDE_ANONYMISE_AFTER_YEARS
        if dry_run:
            self.stdout.write(
                f"{count} fiche(s) d'anciens adhérents partis depuis plus de {years} ans "
                "seraient anonymisées (simulation, rien n'a été modifié)."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} fiche(s) anonymisée(s)."))
