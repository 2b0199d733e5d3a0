"""`manage.py send_kit_reminders`: mail each assignee of a task due within two days (or
overdue). Run it daily (cron); each task is reminded once, so running it more is harmless.
"""

from django.core.management.base import BaseCommand

from fede.core.access import SYSTEM
from fede.kits.services import reminders_send


class Command(BaseCommand):
    help = "Envoie les rappels des tâches de kits arrivant à échéance (une fois par tâche)."

    def handle(self, *args, **options):
        sent = reminders_send(actor=SYSTEM)
        self.stdout.write(self.style.SUCCESS(f"{sent} rappel(s) envoyé(s)."))
