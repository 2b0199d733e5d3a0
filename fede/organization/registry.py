"""What the organisation app declares to core: capabilities and the roles granting them,
its menu entries and home card, and the action codes of its trails."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AUTHENTICATED, AppDeclaration, HomeCard, HomePanel, Link, register

from .home import member_home, news_home
from .models import Role

SECTION_OFFICER = frozenset(
    {
        "section.view",
        "section.edit",
        "members.view",
        "members.add",
        "members.change",
        "members.export",
        "members.invite",
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
            "members.invite": _("Inviter des adhérent·es à activer leur espace"),
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
            Role.SECTION_TREASURER: {
                "section.view",
                "members.view",
                "members.export",
                "dues.record",
            },
            Role.SECTION_BUREAU: {"section.view"},
            Role.FIRST_SECRETARY: FEDERATION_MANAGER,
            # The federation's staff also resend the mail the server gave up on (core's).
            Role.FEDERAL_STAFF: FEDERATION_MANAGER | {"outbox.manage"},
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
        # dues.record opens receipts, statements and the list of members not up to date.
        member_data_capabilities=("members.view", "members.export", "dues.record"),
        menu=(
            Link(
                "organization:my_sections",
                _("Ma section"),
                capability=AUTHENTICATED,
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
                    Link("organization:my_sections", _("Ma section")),
                    Link("organization:member_list", _("Adhérents"), capability="members.view"),
                    Link(
                        "organization:federation_sections",
                        _("Fédération"),
                        capability="federation.view",
                    ),
                    Link(
                        "organization:federation_figures",
                        _("Chiffres"),
                        capability="section.view",
                    ),
                    Link("organization:treasury", _("Trésorerie"), capability="dues.record"),
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
        home_panels=(
            HomePanel(
                "member",
                _("Ma section"),
                member_home,
                template="organization/home/member_panel.html",
                order=10,
            ),
            HomePanel("news", _("Actualités"), news_home, order=60),
        ),
        public_url_names=("organization:activate",),
        actions={
            # Audit trail (writes). Parameters: ids, unit names, codes, counts.
            "organization.unit_create": _("Création de l'unité %(unit)s"),
            "organization.unit_update": _("Modification de l'unité %(unit)s"),
            "organization.unit_merge": _(
                "Fusion de %(source)s dans %(target)s (%(count)s adhérent·es)"
            ),
            "organization.unit_close": _("Fermeture de la section %(unit)s"),
            "organization.member_create": _("Ajout de l'adhérent·e #%(member)s à %(section)s"),
            "organization.member_update": _("Modification de la fiche de l'adhérent·e #%(member)s"),
            "organization.member_resign": _("Démission de l'adhérent·e #%(member)s"),
            "organization.dues_record": _(
                "Cotisation %(year)s de l'adhérent·e #%(member)s (%(amount)s €)"
            ),
            "organization.dues_correct": _(
                "Correction de la cotisation %(year)s de l'adhérent·e #%(member)s "
                "(paiement #%(payment)s) : %(reason)s"
            ),
            "organization.dues_cancel": _(
                "Annulation de la cotisation %(year)s de l'adhérent·e #%(member)s "
                "(paiement #%(payment)s, %(amount)s €) : %(reason)s"
            ),
            "organization.mandate_appoint": _(
                "Nomination de l'adhérent·e #%(member)s : %(role)s, %(unit)s"
            ),
            "organization.mandate_end": _(
                "Fin de responsabilité de l'adhérent·e #%(member)s : %(role)s, %(unit)s"
            ),
            "organization.transfer_request": _(
                "Demande de transfert de l'adhérent·e #%(member)s de %(from)s vers %(to)s"
            ),
            "organization.transfer_approve": _(
                "Transfert validé de l'adhérent·e #%(member)s de %(from)s vers %(to)s"
            ),
            "organization.transfer_refuse": _(
                "Transfert refusé de l'adhérent·e #%(member)s de %(from)s vers %(to)s"
            ),
            "organization.transfer_cancel": _(
                "Demande de transfert retirée (adhérent·e #%(member)s, %(from)s)"
            ),
            "organization.member_consents_update": _(
                "Consentements modifiés par l'adhérent·e #%(member)s"
            ),
            "organization.member_erasure_request": _(
                "Demande d'effacement de l'adhérent·e #%(member)s"
            ),
            "organization.member_anonymise": _("Anonymisation de l'adhérent·e #%(member)s"),
            "organization.member_import": _(
                "Import du fichier des adhérents : %(created)s créé·es, %(updated)s modifié·es, "
                "%(unchanged)s inchangé·es"
            ),
            "organization.member_invite": _(
                "Invitation de l'adhérent·e #%(member)s à activer son espace"
            ),
            "organization.account_link": _("Espace de l'adhérent·e #%(member)s activé (%(via)s)"),
            "organization.account_link_ambiguous": _(
                "Compte non relié : adresse partagée par plusieurs fiches"
            ),
            "organization.member_erasure_withdraw": _(
                "Demande d'effacement retirée par l'adhérent·e #%(member)s"
            ),
            # Access log (reads).
            "organization.member_view": _("Fiche de l'adhérent·e #%(member)s"),
            "organization.member_list": _("Liste des adhérent·es — %(unit)s"),
            "organization.member_list_scope": _("Liste des adhérent·es de tout mon périmètre"),
            "organization.member_export": _("Export des adhérent·es (%(format)s) — %(unit)s"),
            "organization.member_export_scope": _(
                "Export des adhérent·es de tout mon périmètre (%(format)s)"
            ),
            "organization.mandate_search": _("Recherche d'adhérent·es pour une nomination"),
            "organization.member_edit_view": _(
                "Formulaire de la fiche de l'adhérent·e #%(member)s"
            ),
            "organization.dues_view": _("Cotisations de l'adhérent·e #%(member)s"),
            "organization.dues_receipt": _(
                "Reçu de cotisation de l'adhérent·e #%(member)s (paiement #%(payment)s)"
            ),
            "organization.dues_statement": _(
                "Relevé de cotisations %(year)s de l'adhérent·e #%(member)s"
            ),
            "organization.dues_unpaid_list": _("Adhérent·es pas encore à jour en %(year)s"),
            "organization.dues_unpaid_export": _(
                "Export des adhérent·es pas encore à jour en %(year)s (%(format)s)"
            ),
            "organization.transfer_view": _("Transfert de l'adhérent·e #%(member)s"),
            "organization.resign_view": _("Démission de l'adhérent·e #%(member)s"),
            "organization.section_dashboard": _("Tableau de bord — %(unit)s"),
            "organization.transfer_decide_view": _(
                "Décision de transfert de l'adhérent·e #%(member)s"
            ),
            "organization.erasure_list": _("Demandes d'effacement"),
            "organization.erasure_view": _("Demande d'effacement de l'adhérent·e #%(member)s"),
            "organization.invitation_list": _("Espaces adhérent·es — %(unit)s"),
            "organization.admin_member_view": _(
                "Administration technique : fiche de l'adhérent·e #%(member)s"
            ),
            "organization.admin_member_list": _("Administration technique : liste des adhérent·es"),
        },
    )
)
