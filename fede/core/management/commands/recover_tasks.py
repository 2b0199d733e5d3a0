from django.core.management.base import BaseCommand

from fede.core.tasks import recover_stuck_tasks


class Command(BaseCommand):
    help = (
        "Marque en échec les tâches dont le processus de fond s'est arrêté sans finir "
        "(à lancer toutes les 5 minutes)."
    )

    def handle(self, *args, **options):
        count = recover_stuck_tasks()
        self.stdout.write(f"{count} tâche(s) interrompue(s) marquée(s) en échec.")
