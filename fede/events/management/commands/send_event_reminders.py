"""`manage.py send_event_reminders`: mail tomorrow's registrants (run it daily, e.g. cron).

Safe to run as often as wanted: each registration is reminded once (``reminded_at``).
"""

from django.core.management.base import BaseCommand

from fede.core.access import SYSTEM
from fede.events.services import reminders_send


class Command(BaseCommand):
    help = "Envoie les rappels des événements du lendemain (une seule fois par inscription)."

    def handle(self, *args, **options):
        sent = reminders_send(actor=SYSTEM)
        self.stdout.write(self.style.SUCCESS(f"{sent} rappel(s) envoyé(s)."))
