"""Labels of third-party apps whose translation the project overrides in locale/.

``makemessages`` only keeps msgids found in the project's own code: listing them here
keeps the overrides (Django's French "Courriel" → "Adresse e-mail") from being dropped.
"""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("Email"),
    gettext_noop("English"),
]
