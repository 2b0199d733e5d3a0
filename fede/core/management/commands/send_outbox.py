from django.core.management.base import BaseCommand

from fede.core.mail import outbox_retry_due
from fede.core.models import OutgoingMail


class Command(BaseCommand):
    help = "Envoie les e-mails en attente dans la boîte d'envoi (à lancer chaque minute)."

    def handle(self, *args, **options):
        sent, failing = outbox_retry_due()
        abandoned = OutgoingMail.objects.abandoned().count()
        self.stdout.write(
            f"{sent} e-mail(s) envoyé(s), {failing} en échec (nouvel essai plus tard), "
            f"{abandoned} abandonné(s) en attente d'un renvoi."
        )
