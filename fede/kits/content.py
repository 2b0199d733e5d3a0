"""The federation's kits, as written by its secretaries: loaded by ``manage.py load_kits``
(a real federation) and by the demo.

Each kit: ``slug``, ``category`` (models.Category), ``title``, ``summary`` (Markdown),
``effort``, ``steps`` (title, ``offset`` in days from the target date, suggested
``office`` — a Role code —, ``instructions`` in Markdown, ``checklist`` lines) and
``templates`` (kind, title, Markdown body with placeholders: {section}, {federation},
{secretaire}, {tresorier}, {bureau}, {lieu}, {date}, {heure}, {contact}).
"""

SECRETARY = "section_secretary"
TREASURER = "section_treasurer"
BUREAU = "section_bureau"

KITS: list[dict] = [
    # ------------------------------------------------------------------------------------
    {
        "slug": "reunion-publique",
        "category": "reunion_publique",
        "title": "Organiser une réunion publique",
        "summary": (
            "Une réunion ouverte aux habitant·es du quartier, avec un ou deux intervenant·es, "
            "sur un sujet qui les concerne : logement, école, transports, santé. Ce kit va "
            "de la réservation de la salle jusqu'au compte rendu et aux remerciements.\n\n"
            "La date visée (Jour J) est celle de la réunion. Comptez un mois de préparation : "
            "en dessous, la salle et les intervenant·es seront difficiles à trouver."
        ),
        "effort": "3 à 5 militant·es, une quinzaine d'heures en tout sur un mois",
        "steps": [
            {
                "title": "Réserver la salle",
                "offset": -30,
                "office": SECRETARY,
                "instructions": (
                    "Choisissez une salle **accessible en fauteuil roulant**, proche d'un métro, "
                    "d'une capacité un peu supérieure au public attendu (une salle trop grande "
                    "paraît vide). Pensez d'abord à l'espace sections de la fédération et aux "
                    "salles municipales, gratuites pour les associations.\n\n"
                    "Demandez par écrit la confirmation de la réservation, avec l'heure d'accès "
                    "pour l'installation (au moins 45 minutes avant)."
                ),
                "checklist": [
                    "Salle réservée et confirmée par écrit",
                    "Accès PMR vérifié",
                    "Horaires d'installation et de fermeture notés",
                    "Matériel disponible vérifié (micro, vidéoprojecteur, chaises)",
                ],
            },
            {
                "title": "Inviter les intervenant·es",
                "offset": -28,
                "office": SECRETARY,
                "instructions": (
                    "Un·e élu·e ou un·e responsable fédéral·e, et si possible une personne du "
                    "terrain (syndicaliste, associatif, habitant·e concerné·e). Envoyez une "
                    "invitation écrite avec le sujet, la date, le lieu, la durée d'intervention "
                    "(10 à 15 minutes chacun·e) et le nom d'un contact de la section.\n\n"
                    "Relancez au bout d'une semaine sans réponse."
                ),
                "checklist": [
                    "Invitations envoyées",
                    "Participation confirmée par écrit",
                    "Besoins des intervenant·es notés (projection, accessibilité, horaires)",
                ],
            },
            {
                "title": "Déclarer la réunion en préfecture si elle a lieu sur la voie publique",
                "offset": -21,
                "office": SECRETARY,
                "instructions": (
                    "Une réunion **dans une salle** ne demande aucune déclaration. En revanche, "
                    "un rassemblement ou une prise de parole **sur la voie publique** doit être "
                    "déclaré à la préfecture de police **trois jours francs au moins et quinze "
                    "jours au plus** avant la date (article L. 211-2 du code de la sécurité "
                    "intérieure), signé par trois organisateur·rices domicilié·es dans le "
                    "département.\n\n"
                    "Si la réunion se tient en salle, marquez cette tâche « Sans objet »."
                ),
                "checklist": [
                    "Déclaration déposée (ou tâche sans objet)",
                    "Récépissé conservé",
                ],
            },
            {
                "title": "Imprimer et distribuer le tract d'annonce",
                "offset": -15,
                "office": BUREAU,
                "instructions": (
                    "Partez du modèle de tract du kit : il reprend le nom de la section, le "
                    "lieu et la date. Un tract recto simple suffit ; comptez 1 500 à 3 000 "
                    "exemplaires pour un quartier.\n\n"
                    "Distribuez sur les marchés, aux sorties de métro et d'école, et déposez-en "
                    "chez les commerçant·es qui acceptent. Mettez l'annonce sur les réseaux de "
                    "la section et envoyez-la à la fédération pour l'agenda du site."
                ),
                "checklist": [
                    "Tract relu par deux personnes",
                    "Tract imprimé",
                    "Distributions prévues et confiées",
                    "Annonce publiée sur le site et les réseaux",
                ],
            },
            {
                "title": "Inviter les adhérent·es et les sympathisant·es",
                "offset": -10,
                "office": SECRETARY,
                "instructions": (
                    "Un courriel à toute la section, puis un appel téléphonique aux adhérent·es "
                    "qui ne lisent pas leurs courriels. Demandez à chacun·e de venir avec une "
                    "personne de son entourage : c'est ainsi que l'on remplit une salle."
                ),
                "checklist": ["Courriel envoyé", "Appels faits", "Partenaires locaux invités"],
            },
            {
                "title": "Relancer et confirmer la logistique",
                "offset": -3,
                "office": BUREAU,
                "instructions": (
                    "Rappel par courriel et SMS aux adhérent·es, confirmation de la salle et "
                    "des intervenant·es. Répartissez les rôles du jour : accueil, animation, "
                    "prise de notes, photos, rangement."
                ),
                "checklist": [
                    "Rappel envoyé",
                    "Salle et intervenant·es reconfirmés",
                    "Rôles du jour répartis",
                    "Feuille d'émargement imprimée",
                ],
            },
            {
                "title": "Tenir la réunion",
                "offset": 0,
                "office": SECRETARY,
                "instructions": (
                    "Arrivez 45 minutes avant. Faites signer la feuille d'émargement en "
                    "précisant que les coordonnées ne servent qu'à recontacter les "
                    "participant·es qui le souhaitent. Laissez au moins la moitié du temps "
                    "aux questions de la salle. Terminez à l'heure annoncée."
                ),
                "checklist": [
                    "Salle installée",
                    "Feuille d'émargement qui circule",
                    "Bulletins d'adhésion à disposition",
                    "Salle rendue propre",
                ],
            },
            {
                "title": "Rédiger le compte rendu et remercier",
                "offset": 3,
                "office": SECRETARY,
                "instructions": (
                    "Un compte rendu d'une page : participation, principales interventions, "
                    "questions posées, suites décidées. Envoyez-le aux participant·es qui "
                    "l'ont demandé, à la fédération et aux intervenant·es, avec un mot de "
                    "remerciement. Remerciez aussi le lieu qui vous a accueillis."
                ),
                "checklist": [
                    "Compte rendu écrit",
                    "Remerciements envoyés aux intervenant·es et au lieu",
                    "Nouveaux contacts recontactés",
                ],
            },
        ],
        "templates": [
            {
                "kind": "tract",
                "title": "Tract d'annonce de la réunion",
                "body": (
                    "# Réunion publique\n\n"
                    "## {date} à {heure}\n\n"
                    "**{lieu}**\n\n"
                    "La section **{section}** vous invite à venir en débattre avec nous. "
                    "Entrée libre, ouverte à toutes et à tous.\n\n"
                    "Des intervenant·es présenteront la situation et nos propositions ; "
                    "la plus grande partie de la soirée sera consacrée à vos questions.\n\n"
                    "Contact : {contact}\n\n"
                    "*{section} — {federation}. Ne pas jeter sur la voie publique.*"
                ),
            },
            {
                "kind": "communique",
                "title": "Communiqué de presse",
                "body": (
                    "# Communiqué de presse\n\n"
                    "**La section {section} organise une réunion publique le {date} à "
                    "{heure}, {lieu}.**\n\n"
                    "Cette réunion, ouverte à toutes et à tous, permettra aux habitant·es "
                    "d'échanger avec nos intervenant·es et de faire entendre leurs "
                    "attentes.\n\n"
                    "Contact presse : {secretaire}, secrétaire de section — {contact}"
                ),
            },
            {
                "kind": "emargement",
                "title": "Feuille d'émargement",
                "body": (
                    "# Feuille d'émargement\n\n"
                    "Réunion publique de la section {section} — {date}, {lieu}\n\n"
                    "Vos coordonnées ne servent qu'à vous recontacter si vous le souhaitez. "
                    "Elles ne sont ni cédées ni conservées au-delà de ce qui est nécessaire.\n\n"
                    "| Nom | Prénom | Courriel ou téléphone | Souhaite être recontacté·e |\n"
                    "|---|---|---|---|\n" + "|   |   |   |   |\n" * 18
                ),
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "tractage",
        "category": "tractage",
        "title": "Organiser un tractage sur un marché ou à une sortie de métro",
        "summary": (
            "Deux heures de présence sur un marché ou à la sortie d'un métro, à quatre ou "
            "cinq, avec un tract et quelque chose à proposer (une pétition, une réunion). "
            "La date visée est celle du tractage."
        ),
        "effort": "4 à 6 militant·es, 2 heures sur place, 3 heures de préparation",
        "steps": [
            {
                "title": "Choisir le lieu, l'heure et le tract",
                "offset": -10,
                "office": SECRETARY,
                "instructions": (
                    "Les meilleurs moments : marché le samedi ou le dimanche matin entre 10 h "
                    "et 12 h, sorties de métro entre 7 h 30 et 9 h. Vérifiez qu'aucune autre "
                    "section ne tracte au même endroit le même jour. Un tractage sur le "
                    "trottoir ne se déclare pas ; une installation (table, sono) peut "
                    "demander une autorisation de la mairie."
                ),
                "checklist": ["Lieu et horaire fixés", "Tract choisi (fédéral ou de section)"],
            },
            {
                "title": "Constituer l'équipe",
                "offset": -7,
                "office": BUREAU,
                "instructions": (
                    "Quatre personnes au minimum, dont une qui a déjà tracté. Associez un·e "
                    "nouvel·le adhérent·e : c'est la meilleure façon d'apprendre. Donnez "
                    "l'heure et le lieu précis du rendez-vous."
                ),
                "checklist": ["Au moins quatre volontaires", "Rendez-vous communiqué"],
            },
            {
                "title": "Préparer le matériel",
                "offset": -2,
                "office": BUREAU,
                "instructions": (
                    "Tracts (comptez 300 à 500 par heure sur un marché fréquenté), "
                    "pétition et stylos, bulletins d'adhésion, badges ou chasubles, "
                    "une table pliante si vous en avez une."
                ),
                "checklist": ["Tracts imprimés", "Pétition et stylos", "Bulletins d'adhésion"],
            },
            {
                "title": "Tracter",
                "offset": 0,
                "office": BUREAU,
                "instructions": (
                    "Placez-vous aux entrées plutôt qu'au milieu des allées, souriez, "
                    "donnez le tract de la main droite en disant une phrase, pas plus. "
                    "Notez les coordonnées des personnes qui veulent être recontactées, "
                    "avec leur accord explicite."
                ),
                "checklist": ["Tracts distribués", "Contacts notés avec leur accord"],
            },
            {
                "title": "Faire le bilan et recontacter",
                "offset": 2,
                "office": SECRETARY,
                "instructions": (
                    "Combien de tracts, de signatures, de contacts ? Transmettez les contacts "
                    "à la personne chargée de l'accueil, qui les rappelle dans la semaine."
                ),
                "checklist": ["Bilan envoyé au bureau", "Contacts transmis et rappelés"],
            },
        ],
        "templates": [
            {
                "kind": "tract",
                "title": "Tract de présence de la section",
                "body": (
                    "# La section {section} est à votre rencontre\n\n"
                    "Nous sommes vos voisines et vos voisins, nous militons dans le quartier "
                    "toute l'année.\n\n"
                    "Prochaine réunion ouverte : **{date}**, {lieu}.\n\n"
                    "Pour nous écrire : {contact}"
                ),
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "collage-affiches",
        "category": "collage",
        "title": "Organiser une tournée de collage d'affiches",
        "summary": (
            "Une soirée de collage sur les panneaux d'expression libre de l'arrondissement. "
            "On colle **uniquement** sur les panneaux d'affichage libre (ou, en période "
            "électorale, sur les panneaux officiels attribués) : l'affichage sauvage expose "
            "la section et la fédération à des amendes. La date visée est celle de la tournée."
        ),
        "effort": "4 à 8 militant·es, une soirée",
        "steps": [
            {
                "title": "Repérer les panneaux d'affichage libre",
                "offset": -10,
                "office": BUREAU,
                "instructions": (
                    "La mairie d'arrondissement tient la liste des panneaux d'expression "
                    "libre. Tracez un parcours à pied d'une heure et demie maximum et "
                    "partagez-le avec l'équipe."
                ),
                "checklist": ["Liste des panneaux obtenue", "Parcours tracé et partagé"],
            },
            {
                "title": "Commander les affiches à la fédération",
                "offset": -7,
                "office": SECRETARY,
                "instructions": (
                    "Indiquez le nombre de panneaux et ajoutez 30 % pour les recouvrements. "
                    "Prévoyez le retrait au local de la fédération."
                ),
                "checklist": ["Affiches commandées", "Retrait organisé"],
            },
            {
                "title": "Constituer les équipes et préparer la colle",
                "offset": -3,
                "office": BUREAU,
                "instructions": (
                    "Équipes de deux ou trois : une personne tient le seau, une colle, une "
                    "surveille. Colle à papier peint diluée, brosses, seaux, gants, sacs "
                    "poubelle, lampe frontale en hiver."
                ),
                "checklist": ["Équipes constituées", "Matériel rassemblé"],
            },
            {
                "title": "Coller",
                "offset": 0,
                "office": BUREAU,
                "instructions": (
                    "Rendez-vous au local, consignes rappelées (panneaux libres seulement, "
                    "ne jamais recouvrir une affiche d'un autre parti de la semaine). "
                    "Prenez une photo de chaque panneau collé."
                ),
                "checklist": ["Parcours fait", "Photos prises", "Matériel rincé et rangé"],
            },
            {
                "title": "Repasser sur les panneaux",
                "offset": 4,
                "office": BUREAU,
                "instructions": (
                    "Quelques jours après, vérifiez l'état des affiches et recollez si "
                    "elles ont été recouvertes ou arrachées."
                ),
                "checklist": ["Panneaux vérifiés", "Recollage fait si besoin"],
            },
        ],
        "templates": [],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "accueil-nouvel-adherent",
        "category": "accueil",
        "title": "Accueillir un nouvel adhérent",
        "summary": (
            "Les premières semaines décident si une nouvelle adhérente ou un nouvel adhérent "
            "restera. Ce kit organise un premier contact rapide, un rendez-vous, une "
            "première action et un point à un mois. La date visée est celle de l'adhésion."
        ),
        "effort": "1 à 2 personnes, 3 heures sur un mois",
        "steps": [
            {
                "title": "Appeler dans les 48 heures",
                "offset": 2,
                "office": SECRETARY,
                "instructions": (
                    "Un appel, pas un courriel. Présentez-vous, remerciez, demandez ce qui "
                    "a motivé l'adhésion et ce que la personne aimerait faire (tracter, "
                    "écrire, organiser, se former, simplement venir aux réunions)."
                ),
                "checklist": ["Appel fait", "Attentes notées"],
            },
            {
                "title": "Envoyer le courrier de bienvenue",
                "offset": 3,
                "office": SECRETARY,
                "instructions": (
                    "Le modèle du kit donne les noms du secrétariat de section, le lieu de "
                    "réunion habituel et un contact. Joignez le calendrier des prochaines "
                    "réunions."
                ),
                "checklist": ["Courrier envoyé", "Calendrier joint"],
            },
            {
                "title": "Proposer un parrain ou une marraine",
                "offset": 7,
                "office": BUREAU,
                "instructions": (
                    "Un·e militant·e expérimenté·e, du même quartier si possible, qui "
                    "accompagne la personne à sa première réunion et à sa première action."
                ),
                "checklist": ["Parrain ou marraine désigné·e", "Premier contact fait"],
            },
            {
                "title": "Inviter à la première action",
                "offset": 14,
                "office": BUREAU,
                "instructions": (
                    "Un tractage, une permanence, une réunion : quelque chose de concret et "
                    "d'accompagné. Ne laissez jamais une personne nouvelle seule sur un "
                    "tractage."
                ),
                "checklist": ["Première action proposée", "Première action faite"],
            },
            {
                "title": "Faire le point au bout d'un mois",
                "offset": 30,
                "office": SECRETARY,
                "instructions": (
                    "Un appel ou un café : comment ça se passe, qu'est-ce qui manque ? "
                    "Proposez la formation fédérale des nouveaux adhérents."
                ),
                "checklist": ["Point fait", "Inscription à la formation proposée"],
            },
        ],
        "templates": [
            {
                "kind": "courrier",
                "title": "Courrier de bienvenue",
                "body": (
                    "# Bienvenue dans la section {section}\n\n"
                    "Chère camarade, cher camarade,\n\n"
                    "Toute la section est heureuse de t'accueillir. Nous nous réunissons "
                    "habituellement : **{lieu}**.\n\n"
                    "Le secrétariat de section est assuré par {secretaire} ; la trésorerie "
                    "par {tresorier}. N'hésite pas à nous écrire : {contact}.\n\n"
                    "À très bientôt,\n\n"
                    "Pour le bureau de la section : {secretaire}"
                ),
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "assemblee-generale",
        "category": "assemblee_generale",
        "title": "Préparer l'assemblée générale de section",
        "summary": (
            "L'assemblée générale annuelle : bilan d'activité, rapport financier, "
            "renouvellement du bureau s'il y a lieu, orientations de l'année. Les statuts "
            "imposent une convocation écrite à tous les adhérent·es **quinze jours au moins** "
            "avant. La date visée est celle de l'assemblée."
        ),
        "effort": "Le bureau de section, une vingtaine d'heures sur six semaines",
        "steps": [
            {
                "title": "Fixer la date et réserver la salle",
                "offset": -42,
                "office": SECRETARY,
                "instructions": (
                    "Choisissez une date en accord avec le bureau, en évitant les vacances "
                    "scolaires et les réunions fédérales. Réservez une salle accessible."
                ),
                "checklist": ["Date validée par le bureau", "Salle réservée"],
            },
            {
                "title": "Arrêter les comptes de l'année",
                "offset": -28,
                "office": TREASURER,
                "instructions": (
                    "Rapprochement bancaire, état des cotisations, dépenses et recettes de "
                    "l'année. Faites vérifier les comptes par une personne hors du bureau "
                    "avant l'assemblée."
                ),
                "checklist": [
                    "Rapprochement bancaire fait",
                    "État des cotisations à jour",
                    "Comptes vérifiés",
                ],
            },
            {
                "title": "Préparer le rapport d'activité",
                "offset": -21,
                "office": SECRETARY,
                "instructions": (
                    "Deux pages : actions menées, évolution du nombre d'adhérent·es, "
                    "réunions, campagnes, difficultés. Faites-le relire par le bureau."
                ),
                "checklist": ["Rapport rédigé", "Rapport relu par le bureau"],
            },
            {
                "title": "Envoyer la convocation",
                "offset": -16,
                "office": SECRETARY,
                "instructions": (
                    "Convocation écrite à **tous** les adhérent·es, par courriel et par "
                    "courrier pour celles et ceux qui n'ont pas d'adresse électronique, au "
                    "moins quinze jours avant. Elle indique l'ordre du jour, le lieu, "
                    "l'heure et, s'il y a élection du bureau, la date limite des "
                    "candidatures. Seuls les adhérent·es à jour de cotisation votent : "
                    "rappelez-le."
                ),
                "checklist": [
                    "Ordre du jour arrêté",
                    "Convocation envoyée par courriel",
                    "Convocation envoyée par courrier",
                ],
            },
            {
                "title": "Recueillir les candidatures au bureau",
                "offset": -5,
                "office": SECRETARY,
                "instructions": (
                    "Si le bureau est renouvelé : liste des candidatures arrêtée à la date "
                    "annoncée, transmise à tous avec la convocation de rappel."
                ),
                "checklist": ["Candidatures arrêtées", "Liste diffusée"],
            },
            {
                "title": "Imprimer la liste d'émargement et le matériel de vote",
                "offset": -2,
                "office": TREASURER,
                "instructions": (
                    "Liste des adhérent·es à jour de cotisation pour l'émargement, "
                    "bulletins, urne, procurations reçues."
                ),
                "checklist": ["Liste d'émargement imprimée", "Bulletins et urne prêts"],
            },
            {
                "title": "Tenir l'assemblée générale",
                "offset": 0,
                "office": SECRETARY,
                "instructions": (
                    "Émargement, désignation d'un·e président·e de séance et d'un·e "
                    "secrétaire de séance, rapports, débat, votes, élection du bureau."
                ),
                "checklist": ["Émargement fait", "Votes tenus", "Résultats proclamés"],
            },
            {
                "title": "Envoyer le procès-verbal à la fédération",
                "offset": 7,
                "office": SECRETARY,
                "instructions": (
                    "Procès-verbal signé par le ou la président·e et le ou la secrétaire de "
                    "séance, avec la composition du nouveau bureau, envoyé à la fédération "
                    "et à toute la section."
                ),
                "checklist": [
                    "Procès-verbal signé",
                    "Envoyé à la fédération",
                    "Diffusé à la section",
                ],
            },
        ],
        "templates": [
            {
                "kind": "convocation",
                "title": "Convocation à l'assemblée générale",
                "body": (
                    "# Convocation\n\n"
                    "## Assemblée générale de la section {section}\n\n"
                    "Chère camarade, cher camarade,\n\n"
                    "Tu es convoqué·e à l'assemblée générale annuelle de la section, le "
                    "**{date} à {heure}**, **{lieu}**.\n\n"
                    "**Ordre du jour**\n\n"
                    "1. Rapport d'activité\n"
                    "2. Rapport financier\n"
                    "3. Renouvellement du bureau de section\n"
                    "4. Orientations pour l'année à venir\n"
                    "5. Questions diverses\n\n"
                    "Seul·es les adhérent·es à jour de cotisation prennent part aux votes. "
                    "Tu peux régler ta cotisation auprès de {tresorier}, trésorerie de la "
                    "section.\n\n"
                    "Fraternellement,\n\n"
                    "{secretaire}, secrétariat de la section {section}"
                ),
            },
            {
                "kind": "emargement",
                "title": "Feuille d'émargement de l'assemblée générale",
                "body": (
                    "# Émargement — assemblée générale\n\n"
                    "Section {section} — {date}, {lieu}\n\n"
                    "| Nom et prénom | À jour de cotisation | Procuration de | Signature |\n"
                    "|---|---|---|---|\n" + "|   |   |   |   |\n" * 20
                ),
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "campagne-cotisations",
        "category": "tresorerie",
        "title": "Mener la campagne de renouvellement des cotisations",
        "summary": (
            "Chaque début d'année, relancer les adhérent·es pour le renouvellement de leur "
            "cotisation, jusqu'au reversement de la part fédérale. La date visée est la date "
            "limite fixée par la fédération pour le premier reversement."
        ),
        "effort": "La trésorerie et deux ou trois relais, une douzaine d'heures",
        "steps": [
            {
                "title": "Préparer la liste des adhérent·es à relancer",
                "offset": -45,
                "office": TREASURER,
                "instructions": (
                    "Partez du fichier : qui a réglé l'année dernière, qui est en "
                    "prélèvement, qui paie en espèces ou par chèque. Répartissez les appels "
                    "entre membres du bureau."
                ),
                "checklist": ["Liste établie", "Appels répartis"],
            },
            {
                "title": "Envoyer l'appel à cotisation",
                "offset": -40,
                "office": TREASURER,
                "instructions": (
                    "Rappelez le barème (proportionnel aux revenus), les moyens de paiement et "
                    "l'intérêt du prélèvement mensuel. Un mot sur ce que la cotisation "
                    "finance localement aide beaucoup."
                ),
                "checklist": [
                    "Courriel envoyé",
                    "Courrier papier envoyé aux personnes sans courriel",
                ],
            },
            {
                "title": "Relancer par téléphone",
                "offset": -20,
                "office": BUREAU,
                "instructions": (
                    "Un appel amical, pas un rappel de dette. Notez les difficultés "
                    "financières : le barème prévoit une cotisation réduite."
                ),
                "checklist": [
                    "Appels faits",
                    "Situations particulières transmises à la trésorerie",
                ],
            },
            {
                "title": "Enregistrer les paiements",
                "offset": -7,
                "office": TREASURER,
                "instructions": (
                    "Saisissez chaque paiement dans le fichier au fil de l'eau et remettez "
                    "les chèques en banque chaque semaine."
                ),
                "checklist": ["Paiements saisis", "Chèques remis en banque"],
            },
            {
                "title": "Reverser la part fédérale",
                "offset": 0,
                "office": TREASURER,
                "instructions": (
                    "Virement à la fédération avec l'état nominatif des cotisations encaissées."
                ),
                "checklist": ["Virement fait", "État transmis à la fédération"],
            },
        ],
        "templates": [
            {
                "kind": "courrier",
                "title": "Appel à cotisation",
                "body": (
                    "# Renouvellement de ta cotisation\n\n"
                    "Chère camarade, cher camarade,\n\n"
                    "C'est le moment de renouveler ta cotisation à la section {section}. "
                    "Elle est notre seule ressource : elle paie nos tracts, nos salles et nos "
                    "campagnes, sans dépendre de personne.\n\n"
                    "Tu peux régler par prélèvement, par virement ou par chèque auprès de "
                    "{tresorier}. Avant le **{date}**, merci.\n\n"
                    "Fraternellement,\n\n{tresorier}, trésorerie de la section"
                ),
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "preparer-election",
        "category": "election",
        "title": "Préparer une élection dans la section",
        "summary": (
            "Ce que la section doit faire pour une élection politique (municipale, "
            "législative, européenne…) : inscriptions sur les listes, assesseur·es et "
            "délégué·es dans chaque bureau de vote, procurations, affichage officiel, "
            "tractage de fin de campagne, soirée électorale. La date visée est le jour du "
            "scrutin (premier tour)."
        ),
        "effort": "Toute la section, trois mois",
        "steps": [
            {
                "title": "Campagne d'inscription sur les listes électorales",
                "offset": -90,
                "office": SECRETARY,
                "instructions": (
                    "Les inscriptions sont possibles jusqu'au sixième vendredi avant le "
                    "scrutin. Tractez sur le sujet, surtout auprès des jeunes et des "
                    "personnes qui ont déménagé."
                ),
                "checklist": [
                    "Tract d'inscription diffusé",
                    "Adhérent·es non inscrit·es relancé·es",
                ],
            },
            {
                "title": "Recenser les bureaux de vote et les volontaires",
                "offset": -60,
                "office": SECRETARY,
                "instructions": (
                    "Un·e assesseur·e titulaire et un·e suppléant·e par bureau de vote, "
                    "inscrit·es sur les listes électorales du département. Faites un "
                    "tableau bureau par bureau."
                ),
                "checklist": ["Liste des bureaux établie", "Volontaires recensé·es"],
            },
            {
                "title": "Transmettre les assesseur·es et délégué·es",
                "offset": -10,
                "office": SECRETARY,
                "instructions": (
                    "Les noms sont transmis à la mairie par le ou la mandataire de la liste "
                    "ou du candidat, au plus tard le troisième jour avant le scrutin à 18 h. "
                    "Envoyez votre tableau à la fédération bien avant."
                ),
                "checklist": ["Tableau envoyé à la fédération", "Confirmation reçue"],
            },
            {
                "title": "Assurer le collage sur les panneaux officiels",
                "offset": -14,
                "office": BUREAU,
                "instructions": (
                    "Pendant la campagne officielle, seuls les panneaux attribués sont "
                    "utilisés. Vérifiez-les deux fois par semaine."
                ),
                "checklist": ["Premier collage fait", "Passages de vérification organisés"],
            },
            {
                "title": "Organiser les procurations",
                "offset": -7,
                "office": BUREAU,
                "instructions": (
                    "Rappelez aux adhérent·es absent·es qu'une procuration s'établit en ligne "
                    "puis se valide au commissariat ou à la gendarmerie ; ne pas attendre la "
                    "dernière semaine."
                ),
                "checklist": ["Rappel envoyé", "Demandes de procuration suivies"],
            },
            {
                "title": "Tractage de fin de campagne",
                "offset": -2,
                "office": BUREAU,
                "instructions": "La campagne se termine le vendredi à minuit : aucun tract le samedi.",
                "checklist": ["Tractages faits"],
            },
            {
                "title": "Tenir les bureaux de vote et remonter les résultats",
                "offset": 0,
                "office": SECRETARY,
                "instructions": (
                    "Assesseur·es présent·es à l'ouverture, relèves organisées, participation "
                    "au dépouillement, résultats bureau par bureau transmis à la fédération "
                    "dès la proclamation."
                ),
                "checklist": ["Tous les bureaux tenus", "Résultats transmis"],
            },
        ],
        "templates": [
            {
                "kind": "tract",
                "title": "Tract d'appel à l'inscription sur les listes",
                "body": (
                    "# Pour voter, il faut être inscrit·e !\n\n"
                    "Vous avez déménagé, vous avez eu 18 ans, vous n'avez jamais voté ? "
                    "Vérifiez votre inscription sur service-public.fr.\n\n"
                    "La section {section} tient une permanence : {lieu}.\n\n"
                    "Contact : {contact}"
                ),
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "creer-section-entreprise",
        "category": "section_entreprise",
        "title": "Créer une section d'entreprise",
        "summary": (
            "Réunir les adhérent·es qui travaillent dans une même entreprise ou une même "
            "administration, et faire reconnaître la section par la fédération. La date "
            "visée est celle de la réunion constitutive."
        ),
        "effort": "Un petit noyau de 3 à 5 salarié·es, deux mois",
        "steps": [
            {
                "title": "Identifier les adhérent·es de l'entreprise",
                "offset": -60,
                "office": SECRETARY,
                "instructions": (
                    "Avec la fédération, repérez les adhérent·es qui ont indiqué cet "
                    "employeur. Contactez-les individuellement, avec discrétion : "
                    "l'appartenance politique est une donnée sensible, ne la révélez "
                    "jamais à des collègues."
                ),
                "checklist": ["Liste établie avec la fédération", "Premiers contacts pris"],
            },
            {
                "title": "Réunir un premier noyau",
                "offset": -45,
                "office": SECRETARY,
                "instructions": (
                    "Une réunion informelle hors du lieu de travail, pour parler des "
                    "conditions de travail, des sites, des horaires, et de ce qu'une section "
                    "pourrait faire."
                ),
                "checklist": ["Réunion tenue", "Noyau constitué"],
            },
            {
                "title": "Demander la création à la fédération",
                "offset": -30,
                "office": SECRETARY,
                "instructions": (
                    "Courrier au secrétariat fédéral : employeur, secteur, sites, nombre "
                    "d'adhérent·es concerné·es, proposition de secrétariat provisoire."
                ),
                "checklist": ["Courrier envoyé", "Accord de la fédération reçu"],
            },
            {
                "title": "Convoquer la réunion constitutive",
                "offset": -15,
                "office": SECRETARY,
                "instructions": "Convocation à tous les adhérent·es concerné·es, à leur adresse personnelle.",
                "checklist": ["Convocation envoyée"],
            },
            {
                "title": "Tenir la réunion constitutive",
                "offset": 0,
                "office": SECRETARY,
                "instructions": "Élection du bureau, choix du lieu de réunion, premières actions.",
                "checklist": ["Bureau élu", "Procès-verbal rédigé"],
            },
            {
                "title": "Transmettre le procès-verbal et organiser les transferts",
                "offset": 10,
                "office": SECRETARY,
                "instructions": (
                    "La fédération crée la section et transfère les adhérent·es qui le "
                    "souhaitent : c'est un choix personnel, certain·es resteront dans leur "
                    "section de quartier."
                ),
                "checklist": ["Procès-verbal transmis", "Transferts demandés"],
            },
        ],
        "templates": [
            {
                "kind": "convocation",
                "title": "Convocation à la réunion constitutive",
                "body": (
                    "# Réunion constitutive\n\n"
                    "Chère camarade, cher camarade,\n\n"
                    "Nous te proposons de constituer ensemble une section d'entreprise. "
                    "Rendez-vous le **{date} à {heure}**, **{lieu}**.\n\n"
                    "Ordre du jour : élection du bureau, lieu et rythme des réunions, "
                    "premières actions.\n\n"
                    "Contact : {secretaire} — {contact}\n\n"
                    "*{federation}*"
                ),
            },
        ],
    },
]
