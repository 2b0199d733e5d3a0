"""What the organisation app declares to core: capabilities and the roles granting them,
its menu entries and home card, and the action codes of its trails."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, Link, register

from .models import Role

SECTION_OFFICER = frozenset(
    {
        "section.view",
        "section.edit",
        "members.view",
        "members.add",
        "members.change",
        "members.export",
        "dues.record",
        "transfers.request",
    }
)
#: The first secretary and the federation's staff run the federation's file.
FEDERATION_MANAGER = SECTION_OFFICER | {
    "members.import",
    "transfers.approve",
    "sections.manage",
    "mandates.manage",
    "accesslog.view",
    "personal_data.process",
    "federation.view",
}

register(
    AppDeclaration(
        label="organization",
        capabilities={
            "section.view": _("Voir le tableau de bord d'une section"),
            "section.edit": _("Modifier la présentation d'une section"),
            "members.view": _("Consulter le fichier des adhérent·es"),
            "members.add": _("Ajouter des adhérent·es"),
            "members.change": _("Modifier une fiche d'adhérent·e"),
            "members.export": _("Exporter le fichier des adhérent·es"),
            "members.import": _("Importer des adhérent·es"),
            "dues.record": _("Enregistrer des cotisations"),
            "transfers.request": _("Demander un transfert"),
            "transfers.approve": _("Décider des transferts"),
            "sections.manage": _("Créer, fusionner et fermer des sections"),
            "mandates.manage": _("Attribuer les responsabilités"),
            "accesslog.view": _("Lire les journaux d'accès et de modifications"),
            "personal_data.process": _("Traiter les demandes d'effacement"),
            "federation.view": _("Voir les écrans de la fédération"),
        },
        grants={
            Role.SECTION_SECRETARY: SECTION_OFFICER,
            Role.SECTION_TREASURER: {"section.view", "members.view", "members.export", "dues.record"},
            Role.SECTION_BUREAU: {"section.view"},
            Role.FIRST_SECRETARY: FEDERATION_MANAGER,
            Role.FEDERAL_STAFF: FEDERATION_MANAGER,
            Role.FEDERAL_SECRETARY: {"section.view", "members.view", "federation.view"},
            Role.FEDERAL_TREASURER: {
                "section.view",
                "members.view",
                "members.export",
                "dues.record",
                "federation.view",
            },
            Role.COUNCIL_MEMBER: {"federation.view"},
        },
        member_data_capabilities=("members.view", "members.export"),
        menu=(
            Link(
                "organization:my_sections",
                _("Ma section"),
                capability="section.view",
                unless="federation.view",
                order=10,
            ),
            Link("organization:member_list", _("Adhérents"), capability="members.view", order=20),
            Link(
                "organization:federation_sections",
                _("Fédération"),
                capability="federation.view",
                order=30,
            ),
        ),
        home_cards=(
            HomeCard(
                title=_("Mon compte"),
                text=_("Adresse, mot de passe et double authentification."),
                links=(
                    Link("accounts:security", _("Sécurité du compte")),
                    Link("organization:my_data", _("Mes données")),
                ),
                order=0,
            ),
            HomeCard(
                title=_("Sections et adhérents"),
                text=_(
                    "Tableau de bord de la section, fichier des adhérents, cotisations et "
                    "transferts."
                ),
                links=(
                    Link("organization:my_sections", _("Ma section"), capability="section.view"),
                    Link("organization:member_list", _("Adhérents"), capability="members.view"),
                    Link(
                        "organization:federation_sections",
                        _("Fédération"),
                        capability="federation.view",
                    ),
                    Link(
                        "organization:member_import",
                        _("Importer des adhérents"),
                        capability="members.import",
                    ),
                    Link(
                        "organization:erasure_requests",
                        _("Demandes d'effacement"),
                        capability="personal_data.process",
                    ),
                ),
                order=10,
            ),
        ),
        actions={},
    )
)
