"""The fields of a member's file, declared once.

The edit form, the updatable fields of :func:`~fede.organization.services.member_update`,
the columns of the import and those of the export are all derived from
:data:`MEMBER_COLUMNS`: adding a field to the member file means adding one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MemberColumn:
    """One field of the member file and how each screen treats it."""

    #: The model field (``Member.<field>``).
    field: str
    #: The canonical column name of the import file.
    import_column: str
    #: The column header of the export (``None``: not exported).
    export_header: str | Promise | None = None
    #: On the add/edit form (``left_on`` is set by the service from the status).
    on_form: bool = True
    #: A contact detail: exported only when the reader may see it.
    contact: bool = False


MEMBER_COLUMNS: tuple[MemberColumn, ...] = (
    MemberColumn("membership_number", "numero_adherent", _("Numéro")),
    MemberColumn("last_name", "nom", _("Nom")),
    MemberColumn("first_name", "prenom", _("Prénom")),
    MemberColumn("email", "email", _("E-mail"), contact=True),
    MemberColumn("phone", "telephone", _("Téléphone"), contact=True),
    MemberColumn("address", "adresse", _("Adresse"), contact=True),
    MemberColumn("postal_code", "code_postal", _("Code postal"), contact=True),
    MemberColumn("city", "ville", _("Ville"), contact=True),
    MemberColumn("birth_date", "date_naissance"),
    MemberColumn("joined_on", "date_adhesion", _("Adhésion le")),
    MemberColumn("status", "statut", _("Statut")),
    MemberColumn("left_on", "date_depart", _("Départ le"), on_form=False),
    MemberColumn("consent_share_contact", "consentement_contact"),
    MemberColumn("consent_newsletter", "consentement_lettre", _("Lettre d'information")),
)

_BY_FIELD = {column.field: column for column in MEMBER_COLUMNS}


def member_column(field: str) -> MemberColumn:
    return _BY_FIELD[field]


#: Fields of the add/edit form, in the form's order.
MEMBER_FORM_FIELDS: tuple[str, ...] = tuple(c.field for c in MEMBER_COLUMNS if c.on_form)

#: Fields the edit screens may change: the section changes only through a transfer, the
#: login only through the accounts app.
MEMBER_UPDATABLE_FIELDS: frozenset[str] = frozenset(c.field for c in MEMBER_COLUMNS)

#: Import column → model field (the section is looked up by code or name).
MEMBER_IMPORT_FIELDS: dict[str, str] = {
    **{c.import_column: c.field for c in MEMBER_COLUMNS},
    "section": "section_id",
}

#: The export, in order: model fields of the file and the figures of each row
#: (``section__*``, ``is_up_to_date``, ``last_dues_year`` come from ``member_rows``).
_EXPORT_EXTRA = {
    "section__code": _("Section (code)"),
    "section__name": _("Section"),
    "is_up_to_date": _("À jour de cotisation"),
    "last_dues_year": _("Dernière cotisation"),
}
MEMBER_EXPORT_COLUMNS: tuple[str, ...] = (
    "membership_number",
    "last_name",
    "first_name",
    "section__code",
    "section__name",
    "status",
    "joined_on",
    "left_on",
    "is_up_to_date",
    "last_dues_year",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "consent_newsletter",
)


def export_header(name: str) -> str | Promise:
    if name in _EXPORT_EXTRA:
        return _EXPORT_EXTRA[name]
    header = member_column(name).export_header
    if header is None:  # pragma: no cover - a declaration error
        raise ValueError(f"{name} is not exported")
    return header


def is_contact(name: str) -> bool:
    return name in _BY_FIELD and _BY_FIELD[name].contact
