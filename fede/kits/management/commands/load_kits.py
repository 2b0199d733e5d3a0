"""`manage.py load_kits`: put the federation's kits (fede/kits/content.py) in the library.

Idempotent: kits already loaded with the same content are left alone; a kit whose text
changed in content.py gets a new published version (runs under way keep theirs), unless
an author has a draft open on it.
"""

from django.core.management.base import BaseCommand

from fede.core.access import SYSTEM
from fede.kits.content import KITS
from fede.kits.services import kits_load


class Command(BaseCommand):
    help = "Charge les kits de la fédération dans la bibliothèque (sans doublon)."

    def handle(self, *args, **options):
        created, updated = kits_load(actor=SYSTEM, kits=KITS)
        self.stdout.write(self.style.SUCCESS(f"{created} kit(s) créé(s), {updated} mis à jour."))
