"""`manage.py purge_join_requests`: delete join requests past their retention (daily cron)."""

from django.core.management.base import BaseCommand

from fede.core.access import SYSTEM
from fede.website.services import RETENTION, join_requests_purge


class Command(BaseCommand):
    help = (
        "Efface les demandes d'adhésion arrivées au terme de leur conservation : "
        + ", ".join(f"{status} après {days} jours" for status, days in RETENTION.items())
        + "."
    )

    def handle(self, *args, **options):
        count = join_requests_purge(actor=SYSTEM)
        self.stdout.write(self.style.SUCCESS(f"Demandes d'adhésion effacées : {count}."))
