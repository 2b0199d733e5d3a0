"""Demo data of the practices space: a lively space of the Paris federation.

Forty-odd posts and questions written as section officers would write them (permanences,
porte-à-porte, welcoming new members, dues, rooms, tracts, social networks, general
assemblies…), answers, accepted answers, « utile » votes, follows, a few posts put
forward by the federation and a proposal to improve a kit.

Runs after the organisation and kits demos (federation "FED75"). The authors are the demo
accounts and about ten section officers of the demo, who are given a login without a
password (they cannot log in; their names sign their posts). Idempotent: a post whose
title exists in the federation is left alone. Deterministic: fixed seed, dates relative
to one ``today``.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.kits.models import Kit
from fede.organization.models import Mandate, Role, Unit

from . import services
from .models import Comment, KitProposal, Post

SEED = 1905
Q, P = Post.Kind.QUESTION, Post.Kind.PRACTICE

# (kind, category, title, tags, body, [answers], accepted answer index or None, highlighted)
POSTS = [
    (
        P,
        "organisation",
        "Tenir une permanence chaque samedi au marché",
        "permanence, marchés",
        "Depuis septembre, nous tenons une permanence **tous les samedis de 10 h à 12 h** devant le "
        "marché couvert. Deux camarades suffisent : une table pliante, la banderole de la section, "
        "les tracts du mois et un cahier pour noter les contacts.\n\n- un planning partagé sur trois "
        "mois ;\n- un binôme toujours mixte ancien / nouvel adhérent ;\n- les contacts saisis le "
        "soir même.\n\nRésultat : 14 nouveaux contacts en deux mois, dont 3 adhésions.",
        [
            "On fait pareil le dimanche, la fréquentation est meilleure que le samedi chez nous.",
            "Le cahier de contacts, pensez à faire signer la mention RGPD : on a eu la remarque.",
        ],
        None,
        True,
    ),
    (
        Q,
        "organisation",
        "Comment organiser une permanence quand on n'a pas de local ?",
        "permanence, local",
        "Notre section n'a plus de local depuis juin. Où tenez-vous vos permanences ? Café, "
        "maison des associations, espace sections de la fédération ?",
        [
            "L'espace sections de la fédération, le mardi soir : il suffit de réserver dans « Salles ».",
            "Nous utilisons l'arrière-salle d'un café associatif, contre une participation aux boissons.",
            "Attention aux cafés : pas de confidentialité pour les adhérents qui viennent parler "
            "de leur situation. La salle de la fédération reste le mieux.",
        ],
        0,
        False,
    ),
    (
        P,
        "mobilisation",
        "Organiser un porte-à-porte en binômes",
        "porte-à-porte, terrain",
        "Nous avons fait trois samedis de porte-à-porte dans le quartier Belleville. Ce qui a "
        "marché : des **binômes** (un ancien, un nouveau), des immeubles choisis à l'avance sur la "
        "carte des bureaux de vote, un argumentaire d'une page et un débrief d'un quart d'heure "
        "au café après.",
        [
            "Vous passiez à quelle heure ? Chez nous le samedi matin on trouve peu de monde.",
            "Entre 11 h et 13 h, c'est le meilleur créneau d'après notre expérience.",
        ],
        None,
        True,
    ),
    (
        Q,
        "mobilisation",
        "Porte-à-porte : quels immeubles cibler en premier ?",
        "porte-à-porte, élections",
        "Nous préparons les municipales. Faut-il commencer par les bureaux où la participation "
        "est la plus faible ou par ceux où nous avons le plus progressé ?",
        [
            "Les bureaux où l'abstention est forte et où la gauche est majoritaire parmi les votants : "
            "c'est là qu'un porte-à-porte fait bouger le plus de voix.",
            "Regardez les résultats par bureau dans l'outil de la fédération, c'est très parlant.",
        ],
        0,
        False,
    ),
    (
        P,
        "accueil",
        "Accueillir les nouveaux adhérents : notre soirée mensuelle",
        "accueil, nouveaux adhérents",
        "Chaque premier jeudi du mois, une soirée d'accueil : présentation de la section, de la "
        "fédération, tour de table sur les envies de chacun. Un « parrain » ou une « marraine » "
        "est désigné pour chaque nouvel adhérent pendant trois mois.",
        [
            "Le parrainage change tout, on a divisé par deux les départs la première année.",
            "Vous donnez un livret d'accueil ? On cherche un modèle.",
        ],
        None,
        True,
    ),
    (
        Q,
        "accueil",
        "Un nouvel adhérent ne vient jamais aux réunions : que faire ?",
        "accueil, fidélisation",
        "Adhésion en ligne il y a trois mois, aucune réponse aux mails d'invitation. Faut-il "
        "l'appeler ? Quelle fréquence sans être insistant ?",
        [
            "Un appel, pas un mail : « on voulait juste faire connaissance ». Ça marche presque toujours.",
            "Proposez-lui une tâche précise et courte (tenir la table d'émargement), c'est plus "
            "engageant qu'une réunion.",
        ],
        0,
        False,
    ),
    (
        P,
        "finances",
        "Trésorerie : relancer les cotisations sans fâcher",
        "cotisations, trésorerie",
        "Notre méthode : un premier mail en janvier, un appel en mars pour ceux qui n'ont pas "
        "réglé, et une proposition systématique de **prélèvement mensuel**. Le taux de "
        "cotisations à jour est passé de 62 % à 81 %.",
        ["Le prélèvement mensuel, c'est la clé. Merci pour les chiffres."],
        None,
        False,
    ),
    (
        Q,
        "finances",
        "Peut-on encaisser une cotisation en espèces lors d'une réunion ?",
        "cotisations, trésorerie",
        "Un adhérent âgé veut payer en espèces. Quelle procédure, quel reçu ?",
        [
            "Oui, avec un reçu du carnet à souches de la section, et un dépôt sous huit jours. "
            "Saisissez le paiement le jour même.",
            "Le trésorier fédéral peut vous fournir des carnets de reçus.",
        ],
        0,
        False,
    ),
    (
        Q,
        "finances",
        "Comment présenter les comptes à l'assemblée générale ?",
        "assemblée générale, trésorerie",
        "Premier exercice comme trésorière. Faut-il un document écrit ? Qui vérifie les comptes ?",
        [
            "Une page recettes / dépenses, le solde, et une personne hors du bureau qui vérifie "
            "les pièces avant l'AG.",
            "Le kit « Assemblée générale » a une étape pour ça, avec un modèle.",
        ],
        1,
        False,
    ),
    (
        P,
        "salles",
        "Réserver une salle municipale : les délais réels",
        "salles, mairie",
        "Notre mairie d'arrondissement annonce trois semaines ; dans les faits il faut compter "
        "**cinq semaines** et relancer deux fois. Depuis, nous réservons par la fédération "
        "quand c'est possible.",
        ["Même constat dans le 18e. La salle de la fédération est souvent plus simple."],
        None,
        False,
    ),
    (
        Q,
        "salles",
        "Quelle salle pour une réunion publique de 80 personnes ?",
        "salles, réunion publique",
        "Nous organisons une réunion publique sur le logement. Des idées de salles accessibles "
        "en fauteuil, avec sono, dans l'est parisien ?",
        [
            "La salle des fêtes de la mairie du 20e, accessible et sonorisée.",
            "Cherchez dans l'annuaire des salles avec le filtre « accessible » et la capacité.",
        ],
        1,
        False,
    ),
    (
        P,
        "communication",
        "Des tracts qui se lisent en dix secondes",
        "tracts, communication",
        "Notre règle : un titre en question, trois puces, une date, un QR code vers l'événement. "
        "Pas plus de 80 mots. Nous imprimons en noir sur papier couleur, c'est moins cher.",
        [
            "Le papier couleur, excellente idée, ça se voit sur les pare-brise.",
            "Attention : pas de tracts sur les pare-brise dans certains arrondissements.",
        ],
        None,
        False,
    ),
    (
        Q,
        "communication",
        "Combien de tracts imprimer pour un marché ?",
        "tracts, marchés",
        "Pour un marché moyen un dimanche matin, combien de tracts prévoyez-vous ?",
        [
            "300 pour deux heures à quatre personnes, on en rapporte rarement.",
            "Ça dépend du marché : 200 à Aligre, 400 à Belleville.",
        ],
        None,
        False,
    ),
    (
        P,
        "communication",
        "Réseaux sociaux : une publication par semaine, pas plus",
        "réseaux sociaux, communication",
        "Nous avons arrêté de publier tous les jours. Une publication par semaine, préparée le "
        "lundi, avec une photo des militants sur le terrain : l'audience a augmenté.",
        [
            "Les photos de terrain marchent beaucoup mieux que les visuels nationaux chez nous aussi."
        ],
        None,
        True,
    ),
    (
        Q,
        "communication",
        "Qui gère les réseaux sociaux de la section ?",
        "réseaux sociaux",
        "Un seul administrateur ou plusieurs ? Comment éviter qu'un compte reste aux mains d'un "
        "ancien responsable ?",
        [
            "Deux administrateurs dont le secrétaire de section, et les codes dans le coffre de la "
            "section.",
            "La fédération recommande que le compte soit rattaché à l'adresse de la section, jamais "
            "à une adresse personnelle.",
        ],
        1,
        False,
    ),
    (
        P,
        "organisation",
        "Préparer une AG de section en six semaines",
        "assemblée générale",
        "Notre rétroplanning : J-42 date et salle, J-30 appel à candidatures, J-21 convocation, "
        "J-7 relance téléphonique, J-0 émargement et vote. Le kit de la fédération suit presque "
        "le même calendrier.",
        ["La relance téléphonique à J-7 nous a donné le quorum, merci."],
        None,
        False,
    ),
    (
        Q,
        "organisation",
        "Quorum non atteint à l'AG : que faire ?",
        "assemblée générale, statuts",
        "Nous étions 11 sur 40 adhérents à jour. Peut-on délibérer quand même ?",
        [
            "D'après les statuts types, une seconde AG peut être convoquée sans condition de quorum, "
            "au moins huit jours après.",
            "Appelez la fédération avant : il faut une convocation en bonne et due forme.",
        ],
        0,
        False,
    ),
    (
        P,
        "formation",
        "Former les nouveaux à la prise de parole",
        "formation, prise de parole",
        "Un atelier de deux heures : chacun prépare une intervention de deux minutes sur un "
        "sujet local, on filme avec un téléphone, on débriefe avec bienveillance.",
        ["On aimerait l'organiser aussi : la fédération pourrait-elle prêter un formateur ?"],
        None,
        False,
    ),
    (
        Q,
        "formation",
        "Existe-t-il une formation trésorier·e ?",
        "formation, trésorerie",
        "Je viens d'être élue trésorière de section. Y a-t-il une formation à la fédération ?",
        [
            "Oui, deux sessions par an, la prochaine en mars. Inscription auprès du trésorier fédéral."
        ],
        0,
        False,
    ),
    (
        P,
        "elections",
        "Tenir les bureaux de vote : notre tableau de présence",
        "élections, bureaux de vote",
        "Pour les dernières élections, un tableau partagé par bureau de vote et par créneau de "
        "deux heures. Chaque assesseur reçoit la veille un mail avec l'adresse et le nom du "
        "président de bureau.",
        [
            "Pensez aux délégués suppléants, on en a manqué à 18 h.",
            "Le mail de la veille, indispensable. Merci.",
        ],
        None,
        True,
    ),
    (
        Q,
        "elections",
        "Comment recruter des assesseurs pour les élections ?",
        "élections, assesseurs",
        "Il nous manque une dizaine d'assesseurs pour les municipales. Vos astuces ?",
        [
            "Demandez aux sympathisants, pas seulement aux adhérents : beaucoup acceptent un créneau.",
            "Un créneau de deux heures, pas la journée : c'est ce qui débloque.",
        ],
        1,
        False,
    ),
    (
        P,
        "mobilisation",
        "Le collage d'affiches en toute sécurité",
        "collage, terrain",
        "Toujours à trois, gilets fluorescents, colle préparée à l'avance, panneaux d'expression "
        "libre repérés de jour. Et un message dans la boucle à la fin de chaque tournée.",
        [],
        None,
        False,
    ),
    (
        Q,
        "mobilisation",
        "Mobiliser pour une manifestation un jour de semaine",
        "manifestation, mobilisation",
        "Comment faire venir du monde un mardi à 14 h ? Les actifs ne peuvent pas.",
        [
            "Visez les retraités et les étudiants, et proposez un point de rendez-vous de section "
            "pour y aller ensemble.",
            "Un message personnel vaut dix mails collectifs.",
        ],
        None,
        False,
    ),
    (
        P,
        "accueil",
        "Un livret d'accueil d'une page",
        "accueil, livret",
        "Recto : qui est qui dans la section, quand on se réunit, où. Verso : les trois prochaines "
        "dates et comment participer. Remis en main propre à la première réunion.",
        ["Partagez le modèle ?", "Le manuel d'accueil de la fédération peut servir de base."],
        None,
        False,
    ),
    (
        Q,
        "organisation",
        "Réunion de section : quelle durée idéale ?",
        "réunions, organisation",
        "Nos réunions durent trois heures et les gens partent avant la fin. Vous faites comment ?",
        [
            "Une heure et demie, ordre du jour envoyé avant, et un minuteur visible.",
            "Un point d'actualité de 20 minutes maximum, le reste en décisions concrètes.",
        ],
        0,
        False,
    ),
    (
        P,
        "organisation",
        "Des réunions de section en visio une fois sur trois",
        "réunions, visio",
        "Pour les parents et ceux qui travaillent tard, une réunion sur trois en visioconférence. "
        "La participation globale a augmenté de 30 %.",
        ["Et les votes ? Chez nous ça complique les décisions."],
        None,
        False,
    ),
    (
        Q,
        "finances",
        "Financer une fête de section sans se ruiner",
        "fête, trésorerie",
        "Budget serré : comment financer une fête de quartier ?",
        [
            "Buvette et tombola couvrent en général la location et la sono.",
            "Demandez une subvention de la fédération pour l'action de quartier.",
        ],
        None,
        False,
    ),
    (
        P,
        "finances",
        "Un tableau de trésorerie partagé avec le bureau",
        "trésorerie, transparence",
        "Chaque mois, le tableau recettes / dépenses est présenté au bureau. Fini les questions "
        "à l'AG : tout le monde a suivi l'année.",
        [],
        None,
        False,
    ),
    (
        Q,
        "communication",
        "Faut-il un site web pour la section ?",
        "communication, site",
        "Le site de la section n'est plus mis à jour depuis deux ans. Le garder ou le fermer ?",
        [
            "La page de la section sur le site de la fédération suffit, et elle est tenue à jour "
            "automatiquement avec les réunions."
        ],
        0,
        False,
    ),
    (
        P,
        "mobilisation",
        "Une action devant l'école pour la rentrée",
        "école, quartier",
        "Distribution d'un tract sur les moyens de l'école devant trois écoles du quartier, avec "
        "l'accord des parents d'élèves. Très bon accueil, 40 signatures de la pétition.",
        ["Avec les parents d'élèves, c'est la bonne approche."],
        None,
        False,
    ),
    (
        Q,
        "salles",
        "Le matériel de sono de la fédération peut-il être prêté ?",
        "salles, matériel",
        "Nous avons besoin d'une sono pour une réunion en plein air.",
        ["Oui, sur demande auprès des permanents, une semaine avant."],
        0,
        False,
    ),
    (
        P,
        "formation",
        "Un café-débat pour les nouveaux sur l'histoire du parti",
        "formation, histoire",
        "Une fois par trimestre, un ancien de la section raconte une période de l'histoire du "
        "parti. Les nouveaux adorent, les anciens aussi.",
        [],
        None,
        False,
    ),
    (
        Q,
        "elections",
        "Procuration : comment aider les électeurs ?",
        "élections, procurations",
        "Beaucoup d'habitants ne savent pas faire une procuration en ligne.",
        [
            "Une permanence « procurations » au marché avec un téléphone et le site officiel ouvert.",
            "Rappelez qu'il faut encore passer au commissariat ou à la gendarmerie pour valider.",
        ],
        None,
        False,
    ),
    (
        P,
        "organisation",
        "Répartir les tâches du bureau : notre tableau",
        "bureau, organisation",
        "Chaque membre du bureau a un domaine (accueil, trésorerie, communication, terrain) et un "
        "suppléant. Nous utilisons les kits de la fédération pour le détail des tâches.",
        ["Les kits, on commence à s'y mettre aussi : la liste datée aide vraiment."],
        None,
        False,
    ),
    (
        Q,
        "accueil",
        "Comment intégrer les adhérents d'une autre section après un déménagement ?",
        "accueil, transfert",
        "Nous recevons plusieurs transferts. Une démarche particulière ?",
        [
            "Un appel de bienvenue et une invitation personnelle à la prochaine réunion, comme pour "
            "un nouvel adhérent."
        ],
        0,
        False,
    ),
    (
        P,
        "communication",
        "Une lettre d'information mensuelle de la section",
        "lettre d'information, communication",
        "Une lettre courte le premier lundi du mois : les dates, une action réussie, une "
        "demande d'aide. Taux d'ouverture : 58 %.",
        ["58 %, impressionnant. Vous envoyez à quelle heure ?", "Le lundi à 7 h."],
        None,
        False,
    ),
    (
        Q,
        "mobilisation",
        "Tractage au métro : faut-il une autorisation ?",
        "tracts, métro",
        "Peut-on tracter à la sortie d'une station de métro ?",
        [
            "Sur la voie publique devant la station, oui ; dans l'enceinte de la station, non.",
            "Restez à quelques mètres de la sortie pour ne pas gêner le passage.",
        ],
        0,
        False,
    ),
    (
        P,
        "elections",
        "Préparer l'élection : un rétroplanning sur six mois",
        "élections, rétroplanning",
        "Six mois avant : cartographie des bureaux. Quatre mois : équipes de terrain. Deux mois : "
        "porte-à-porte intensif. Le dernier mois : procurations et assesseurs. Le kit « Préparer "
        "une élection » suit ce calendrier.",
        ["Le kit mériterait une étape « procurations » dédiée, d'ailleurs."],
        None,
        False,
    ),
    (
        Q,
        "organisation",
        "Qui peut consulter le fichier des adhérents de la section ?",
        "fichier, données personnelles",
        "Un membre du bureau me demande la liste complète avec les téléphones.",
        [
            "Seuls les responsables de section, avec la double authentification. Les données sont "
            "sensibles : ne les exportez pas dans un tableur partagé.",
            "Chaque export est tracé dans le journal d'accès, c'est rassurant pour les adhérents.",
        ],
        0,
        False,
    ),
    (
        P,
        "mobilisation",
        "Les marchés du dimanche : une présence régulière paie",
        "marchés, permanence",
        "Un an de présence chaque dimanche au même endroit : les commerçants nous connaissent, "
        "les habitants viennent nous parler d'eux-mêmes.",
        ["La régularité, c'est tout. Merci pour ce retour."],
        None,
        False,
    ),
    (
        Q,
        "formation",
        "Des ressources pour animer un débat en section ?",
        "formation, débat",
        "Je dois animer le débat sur le sujet de la convention. Des conseils ?",
        [
            "Un tour de table court, des questions préparées, et quelqu'un qui prend les notes pour "
            "la contribution de la section."
        ],
        None,
        False,
    ),
    (
        P,
        "salles",
        "L'espace sections de la fédération : mode d'emploi",
        "salles, fédération",
        "L'espace sections est ouvert du lundi au samedi. Réservation dans « Salles », validation "
        "par les permanents sous 48 h. Clés à l'accueil, pensez à remettre la salle en ordre.",
        [],
        None,
        False,
    ),
]

KIT_PROPOSAL = (
    "Préparer l'élection : un rétroplanning sur six mois",
    "preparer-election",
    "Ajouter une étape « procurations » un mois avant le scrutin, comme le suggère "
    "le retour de la section.",
)


def _officer_users(federation: Unit) -> list:
    """Officers of the federation's sections with a login (the demo accounts), and about
    ten more section officers given a login without a password."""
    user_model = get_user_model()
    mandates = list(
        Mandate.objects.current()
        .filter(unit__path__startswith=federation.path, role__in=list(Role.values))
        .select_related("member", "member__user", "unit")
        .order_by("unit__path", "role", "pk")
    )
    with_login = [m.member.user for m in mandates if m.member.user_id]
    extra = [
        m
        for m in mandates
        if not m.member.user_id
        and m.role in (Role.SECTION_SECRETARY, Role.SECTION_BUREAU)
        and m.member.email
        and m.unit.code != "S75-11-1"
    ]
    existing = set(
        user_model.objects.filter(email__in=[m.member.email for m in extra]).values_list(
            "email", flat=True
        )
    )
    given = 0
    for mandate in extra[::3]:
        if given >= 10 or mandate.member.email in existing:
            continue
        user = user_model.objects.create_user(
            email=mandate.member.email,
            password=None,
            first_name=mandate.member.first_name,
            last_name=mandate.member.last_name,
        )
        mandate.member.user = user
        mandate.member.save(update_fields=["user"])
        existing.add(user.email)
        with_login.append(user)
        given += 1
    seen, people = set(), []
    for user in with_login:
        if user.pk not in seen:
            seen.add(user.pk)
            people.append(user)
    return people


@transaction.atomic
def load(*, stdout, open_data=None) -> list:
    federation = Unit.objects.filter(code="FED75").first()
    if federation is None:
        stdout.write("Pratiques : pas de fédération FED75, rien à charger.")
        return []
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    existing = set(Post.objects.filter(federation=federation).values_list("title", flat=True))
    if all(title in existing for _k, _c, title, *_rest in POSTS):
        stdout.write("Pratiques : déjà chargées.")
        return []
    people = _officer_users(federation)
    leaders = [
        m.member.user
        for m in Mandate.objects.current()
        .filter(unit=federation, role=Role.FIRST_SECRETARY, member__user__isnull=False)
        .select_related("member__user")
    ]
    if len(people) < 3:
        stdout.write("Pratiques : pas assez de responsables avec un compte.")
        return []
    now = timezone.now()
    created = 0
    for n, (kind, category, title, tags, body, answers, accepted, highlighted) in enumerate(POSTS):
        if title in existing:
            continue
        author = people[rng.randrange(len(people))]
        when = now - datetime.timedelta(days=120 - n * 2.5, hours=rng.randint(0, 10))
        post = services.post_create(
            actor=author,
            federation=federation,
            kind=kind,
            category=category,
            title=title,
            body=body,
            tags=tags,
            created_at=when,
        )
        others = [p for p in people if p != author]
        comments: list[Comment] = []
        for i, text in enumerate(answers):
            comments.append(
                services.comment_create(
                    actor=others[rng.randrange(len(others))],
                    post=post,
                    body=text,
                    created_at=when + datetime.timedelta(hours=5 + 19 * i),
                    notify=False,
                )
            )
        if accepted is not None and comments:
            services.answer_accept(actor=author, comment=comments[accepted])
        for voter in rng.sample(others, k=min(len(others), rng.randint(0, 6))):
            services.vote_set(actor=voter, post=post, useful=True)
        if highlighted:
            services.post_highlight(
                actor=leaders[0] if leaders else SYSTEM, post=post, highlighted=True
            )
        created += 1
    _kit_proposal(federation, people)
    stdout.write(f"Pratiques : {created} publications et questions créées.")
    return []


def _kit_proposal(federation: Unit, people: list) -> None:
    title, slug, note = KIT_PROPOSAL
    post = Post.objects.filter(federation=federation, title=title).first()
    kit = Kit.objects.published().filter(slug=slug).first()
    if post is None or kit is None or KitProposal.objects.filter(post=post, kit=kit).exists():
        return
    proposer = next((p for p in people if p.pk != post.author_id), people[0])
    services.kit_propose(actor=proposer, post=post, kit=kit, note=note)
