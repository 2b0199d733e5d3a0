"""Forms of the member import and of personal data ("Mes données", erasure)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fede.core.uploads import CheckedFileField

# Member files are bigger than the usual attachments: 50 MB is about 400,000 rows of CSV.
IMPORT_MAX_BYTES = getattr(settings, "FEDE_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


class MemberImportForm(forms.Form):
    file = CheckedFileField(
        label=_("Fichier des adhérents"),
        kinds={"csv", "spreadsheet"},
        max_bytes=IMPORT_MAX_BYTES,
        help_text=_(
            "CSV (séparateur « ; » ou « , », UTF-8) ou XLSX, première ligne = noms des "
            "colonnes. Rien n'est enregistré avant votre confirmation."
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if str(uploaded.name).lower().endswith(".ods"):
            raise ValidationError(
                _("Le format ODS n'est pas pris en charge : enregistrez le fichier en XLSX ou CSV.")
            )
        return uploaded


class ConsentsForm(forms.Form):
    share_contact = forms.BooleanField(
        label=_(
            "J'accepte que les responsables de ma section voient mon e-mail, mon téléphone "
            "et mon adresse"
        ),
        required=False,
    )
    newsletter = forms.BooleanField(
        label=_("Je souhaite recevoir la lettre d'information de la fédération"),
        required=False,
    )


class ErasureRequestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Je demande l'effacement de mes données et je comprends que je ne serai plus "
            "adhérent·e ni ne pourrai me connecter"
        ),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer votre demande.")},
    )


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je confirme l'anonymisation définitive de cette fiche"),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer.")},
    )
