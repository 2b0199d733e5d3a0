"""Demo data of the consultations app: the « Projet fédéral parisien » put to the members
of the Paris federation, with comments, supports, proposed rewordings and answers.

The text lives in ``data/projet_federal_parisien.md``. Runs after the organisation demo
(federation "FED75", its sections and members, the account ``premier.secretaire``).
Idempotent: the consultation is matched by title and federation; when it exists nothing
is added. Deterministic: one seeded generator, dates relative to a ``today`` computed once.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization.models import Mandate, Member, Role, Unit

from . import services
from .models import (
    Answer,
    Comment,
    Consultation,
    Paragraph,
    ParagraphSupport,
    Report,
    Rewording,
    RewordingSupport,
)

SEED = 75_2026
TITLE = "Projet fédéral parisien"
SOURCE = Path(__file__).resolve().parent / "data" / "projet_federal_parisien.md"
SUMMARY = (
    "Le plan fédéral d'action est soumis à tous les adhérent·es de la fédération. "
    "Lisez-le paragraphe par paragraphe : dites ce que vous en pensez, soutenez ce qui "
    "vous paraît juste et proposez une meilleure rédaction quand vous en avez une. "
    "Chaque contribution recevra une réponse avant la version suivante du texte."
)

# Comments written for each paragraph, in text order (chapter, paragraph).
COMMENTS = {
    (1, 1): [
        "Enfin ! Quand on reprend une section, on ne sait même pas comment commander des tracts ou déclarer une réunion publique.",
        "Il faudrait que le kit comprenne un modèle de budget de section et le calendrier des obligations (AG, cotisations, trésorerie).",
        "Un kit papier c'est bien, mais un classeur partagé en ligne et tenu à jour serait plus utile.",
        "Pensez aux sections d'entreprise : nos tâches matérielles ne sont pas celles d'une section d'arrondissement.",
        "Le kit « tractage sur un marché » serait le premier à faire, c'est là qu'on perd le plus de temps.",
        "Attention à ne pas tout uniformiser, chaque section a ses habitudes qui marchent.",
        "Je propose que les secrétaires de section qui ont de l'expérience relisent les kits avant diffusion.",
    ],
    (1, 2): [
        "Le site actuel est illisible sur téléphone, c'est la priorité.",
        "L'espace de mutualisation doit rester réservé aux responsables : on y parlera de choses internes.",
        "Qui va faire vivre cet espace ? Sans animateur ou animatrice, ce sera vide au bout de trois mois.",
        "Il faudrait aussi un agenda commun des réunions publiques des sections, ouvert à tous.",
        "D'accord, mais sans oublier les camarades qui n'utilisent pas Internet : une lettre papier mensuelle reste utile.",
        "On pourrait commencer par recenser les bonnes pratiques qui existent déjà dans le 11e et le 20e.",
    ],
    (1, 3): [
        "Le manuel d'accueil devrait contenir le nom et le téléphone d'un « parrain » ou d'une « marraine » dans la section.",
        "Très bonne idée. Beaucoup de nouveaux adhérents ne reviennent jamais après la première réunion.",
        "La partie personnalisée doit être simple à mettre à jour, sinon elle sera périmée dès la deuxième année.",
        "Ajouter une page sur le fonctionnement des instances : conseil fédéral, commissions, conventions. Personne ne sait comment ça marche.",
        "Pourquoi pas une version numérique envoyée par mail au moment de l'adhésion ?",
    ],
    (1, 4): [
        "Notre section n'a pas de local depuis deux ans, on se réunit dans un café. Cet espace serait précieux.",
        "L'annuaire des salles doit indiquer l'accessibilité en fauteuil roulant, c'est rarement précisé.",
        "Il faut prévoir des créneaux en soirée et le samedi matin, sinon ça ne sert à rien aux actifs.",
        "Les mairies d'arrondissement prêtent des salles : l'annuaire devrait expliquer comment les demander.",
        "Qui gère les clés et le ménage ? À préciser avant d'ouvrir l'espace.",
        "Réserver l'espace en priorité aux sections sans local me paraît juste.",
    ],
    (2, 1): [
        "Trois sujets par an, c'est raisonnable. Mais qui les choisit ? Les sections devraient pouvoir proposer.",
        "Le sujet parisien pourrait être le logement, c'est la première préoccupation dans nos quartiers.",
        "Une Convention annuelle, oui, à condition que ses conclusions servent vraiment au conseil fédéral.",
        "Il faudrait laisser au moins deux mois aux sections pour débattre avant la synthèse.",
        "Le sujet francilien devrait porter sur les transports : Grand Paris Express, tarifs, banlieue.",
        "Je crains que les sections les plus petites n'aient pas les moyens de traiter trois sujets.",
        "Publions les contributions des sections avant la Convention, pour que chacun puisse les lire.",
    ],
    (2, 2): [
        "La formation est le parent pauvre depuis des années. Très bonne proposition.",
        "Les conférences-débats doivent aussi avoir lieu dans les arrondissements périphériques, pas seulement à la fédération.",
        "Une salle de lecture, c'est sympathique, mais qui va l'ouvrir en semaine ?",
        "Proposer des formations courtes aux nouveaux secrétaires de section : trésorerie, animation de réunion, prise de parole.",
        "Filmer les conférences et les mettre en ligne pour ceux qui ne peuvent pas venir le soir.",
        "Invitons aussi des syndicalistes et des responsables associatifs, pas seulement des intellectuels.",
    ],
    (2, 3): [
        "« Plus efficaces », ça veut dire quoi concrètement ? Il manque des propositions précises.",
        "Les commissions devraient rendre un compte rendu public après chaque réunion.",
        "Beaucoup de commissions ne se réunissent plus. Il faut en fermer certaines et en relancer d'autres.",
        "Je siège à la commission logement : le problème, c'est qu'on ne sait jamais ce que deviennent nos travaux.",
        "Ouvrir les commissions aux adhérents qui ne sont pas responsables, sur inscription.",
    ],
    (2, 4): [
        "Indispensable. Aujourd'hui les propositions des sections se perdent entre deux conseils.",
        "Il faut un délai de réponse : une proposition examinée au plus tard au conseil suivant.",
        "Les sections devraient pouvoir venir présenter elles-mêmes leur proposition au conseil.",
        "Publier l'ordre du jour du conseil fédéral à l'avance, avec les propositions reçues.",
        "Ça risque d'allonger des conseils déjà interminables. Fixer un temps précis, 45 minutes par exemple.",
    ],
    (2, 5): [
        "Le journal fédéral ne se lit plus. Une rubrique des sections lui redonnerait de la vie.",
        "Une page par numéro réservée aux sections d'entreprise, pour parler du monde du travail.",
        "Qui choisit les articles ? Il faut des règles claires pour que toutes les sections aient leur tour.",
        "Une version en ligne, plus courte, envoyée par mail chaque mois.",
        "Très bien, à condition de laisser une vraie place au débat, y compris aux désaccords.",
    ],
    (3, 1): [
        "Les moyens supplémentaires doivent être décidés tôt, pas six mois avant l'élection.",
        "On oublie les arrondissements que nous détenons de justesse : il faut aussi les consolider.",
        "Des moyens humains, oui : organiser des week-ends militants où les sections des arrondissements de gauche viennent aider.",
        "Il faudrait publier la répartition des moyens entre arrondissements, par souci de transparence.",
        "Le travail spécifique doit commencer par écouter les habitants, pas par distribuer des tracts.",
        "Dans le 15e, on attend ce soutien depuis longtemps. Merci de le proposer noir sur blanc.",
    ],
    (3, 2): [
        "Les Assises de la Gauche, excellente idée, mais il faut y associer les syndicats dès la préparation.",
        "Au moins une fois, c'est peu. Pourquoi pas chaque année ?",
        "Attention à ce que les Assises ne deviennent pas une tribune pour les seuls dirigeants des partis.",
        "Organisons des assises locales dans les arrondissements avant les assises parisiennes.",
        "Il faudrait des ateliers thématiques ouverts à tous, pas seulement des tables rondes.",
        "D'accord à condition que les associations de quartier soient vraiment invitées, pas seulement les grandes fédérations.",
    ],
    (3, 3): [
        "C'est là que nous sommes le plus attendus et le moins présents. Priorité absolue.",
        "Il faut des militants qui habitent ces quartiers, pas seulement des visites à la veille des élections.",
        "Les associations de la Goutte-d'Or font un travail formidable : commençons par leur demander ce dont elles ont besoin.",
        "« Zones en difficulté », l'expression est maladroite. Parlons des quartiers populaires.",
        "Proposer des permanences régulières (logement, droits sociaux) avec les associations.",
        "Il faudrait suivre ces actions dans la durée, avec un bilan chaque année.",
    ],
    (3, 4): [
        "Les sections d'entreprise sont souvent oubliées par la fédération. Merci de les mettre en avant.",
        "Il faudrait aider à créer des sections dans les hôpitaux et à la Ville de Paris, où nous avons beaucoup d'adhérents.",
        "Attention au lien avec les syndicats : la section d'entreprise ne doit pas les concurrencer.",
        "Prévoir des horaires de réunion compatibles avec le travail en équipe (matin, pause déjeuner).",
        "Organiser une rencontre annuelle des sections d'entreprise à la fédération.",
    ],
}

GENERIC = [
    "Entièrement d'accord avec cette proposition.",
    "Bonne idée, mais avec quels moyens ? Le budget de la fédération n'est pas extensible.",
    "Il faut fixer un calendrier et désigner un responsable, sinon ça restera une intention.",
    "Je soutiens, et ma section est prête à participer à la mise en œuvre.",
    "La proposition est juste, mais la formulation reste vague.",
    "Nous en avons débattu en assemblée générale de section : large accord, avec quelques réserves sur la méthode.",
    "À rapprocher de ce qui est dit plus haut sur le site Internet.",
    "Il manque une évaluation : comment saurons-nous dans deux ans si ça a marché ?",
    "On a déjà essayé quelque chose de semblable il y a quelques années, il faudrait en tirer le bilan.",
    "Oui, mais pensez aux adhérents qui travaillent le soir et le week-end.",
    "C'est une demande ancienne des sections, heureux de la voir enfin écrite.",
    "Pas convaincu : ce n'est pas la priorité du moment.",
]

REPLIES = [
    "Tout à fait d'accord avec toi.",
    "Dans notre section, c'est exactement ce qu'on a constaté.",
    "Je ne suis pas sûre : ça demanderait beaucoup de bénévoles.",
    "Bonne remarque, il faudrait l'ajouter au texte.",
    "On peut en parler à la prochaine réunion des secrétaires de section.",
    "Ça existe déjà en partie, mais personne ne le sait.",
    "Je rejoins ce point, c'est essentiel.",
    "Attention quand même à ne pas disperser nos forces.",
]

REWORDINGS = {
    (1, 1): [
        (
            "Création par la Fédération de « kits » pratiques pour les tâches matérielles des sections (tractage, réunion publique, trésorerie, accueil), mis à jour chaque année avec les secrétaires de section.",
            "Préciser le contenu et associer les sections à la mise à jour.",
        ),
    ],
    (1, 2): [
        (
            "Refonte du site Internet de la Fédération, lisible sur téléphone, avec un espace réservé à la mutualisation des pratiques entre responsables de section et un agenda public des initiatives des sections.",
            "Ajouter l'agenda public et l'usage sur téléphone.",
        ),
    ],
    (1, 4): [
        (
            "Création d'un espace « sections » dans les locaux de la Fédération pour les sections sans local, ouvert en soirée et le samedi. Édition d'un annuaire des salles disponibles pour les réunions, précisant leur accessibilité.",
            "Les horaires et l'accessibilité changent tout pour les sections concernées.",
        ),
        (
            "Création d'un espace « sections » réservé en priorité aux sections sans local, et d'un annuaire des salles accessibles aux personnes à mobilité réduite.",
            "",
        ),
    ],
    (2, 1): [
        (
            "Organiser le travail sur trois sujets (un parisien, un francilien, un national ou international) choisis chaque année par le conseil fédéral sur proposition des sections. Ces sujets seront d'abord traités en section, puis la Fédération, dans le cadre d'une Convention annuelle, synthétisera ces débats.",
            "Dire qui choisit les sujets, et donner la main aux sections.",
        ),
    ],
    (2, 3): [
        (
            "Réformer le travail des commissions fédérales : ouverture à tous les adhérents, compte rendu public de chaque réunion et bilan annuel devant le conseil fédéral.",
            "« Plus efficaces » ne dit rien : voici trois engagements concrets.",
        ),
    ],
    (2, 4): [
        (
            "Consacrer à chaque Conseil fédéral un temps donné à l'examen des propositions des sections et des commissions fédérales, chacune recevant une réponse au plus tard au conseil suivant.",
            "Un délai de réponse pour que les propositions ne se perdent plus.",
        ),
    ],
    (3, 1): [
        (
            "Préparer les prochaines élections par un travail spécifique vers les arrondissements encore détenus par la Droite et ceux gagnés de justesse, en leur accordant des moyens financiers, humains et matériels supplémentaires décidés dès cette année.",
            "Ne pas oublier les arrondissements fragiles, et décider tôt.",
        ),
    ],
    (3, 2): [
        (
            "Un travail de la Fédération avec toute la Gauche, politique, syndicale et associative : organisons chaque année les Assises parisiennes de la Gauche, préparées par des assises locales dans les arrondissements.",
            "Une fois, c'est trop peu.",
        ),
    ],
    (3, 3): [
        (
            "S'implanter durablement dans les quartiers populaires de Paris par des actions communes régulières avec leurs associations (permanences, fêtes de quartier, soutien scolaire), avec un bilan chaque année.",
            "Parler de quartiers populaires, et dire quelles actions.",
        ),
    ],
}

# Answers of the authors to the proposed rewordings (paragraph → answer, reason).
REWORDING_ANSWERS = {
    (1, 1): (
        Answer.ACCEPTED,
        "Nous reprenons cette rédaction : les secrétaires de section relirons chaque kit avant diffusion.",
    ),
    (1, 4): (
        Answer.ACCEPTED,
        "Retenu : l'annuaire indiquera l'accessibilité et l'espace sera ouvert en soirée et le samedi matin.",
    ),
    (2, 3): (
        Answer.CONSIDERED,
        "Le compte rendu public et le bilan annuel sont retenus ; l'ouverture à tous sera discutée avec les responsables des commissions.",
    ),
    (3, 2): (
        Answer.REJECTED,
        "Des Assises chaque année dépassent nos moyens actuels ; nous proposons d'en faire une avant le congrès, puis d'en tirer le bilan.",
    ),
    (2, 4): (
        Answer.ACCEPTED,
        "Retenu : chaque proposition recevra une réponse au plus tard au conseil fédéral suivant.",
    ),
}

COMMENT_ANSWERS = [
    (
        Answer.CONSIDERED,
        "Merci, c'est noté : nous l'ajoutons aux points à préciser dans la mise en œuvre.",
    ),
    (Answer.ACCEPTED, "Bonne remarque, elle sera intégrée dans la prochaine version du texte."),
    (
        Answer.REJECTED,
        "Nous ne le retenons pas pour l'instant : les moyens de la fédération ne le permettent pas cette année.",
    ),
    (Answer.CONSIDERED, "Nous en parlerons à la prochaine réunion des secrétaires de section."),
]


def _members(federation: Unit) -> list[Member]:
    return list(
        Member.objects.filter(
            status=Member.Status.ACTIVE, section__path__startswith=federation.path
        )
        .select_related("section")
        .order_by("membership_number")
    )


def _author_user(federation: Unit):
    mandate = (
        Mandate.objects.current()
        .filter(role=Role.FIRST_SECRETARY, unit=federation, member__user__isnull=False)
        .select_related("member__user")
        .first()
    )
    return mandate.member.user if mandate else None


def load(*, stdout, open_data=None) -> list:
    federation = Unit.objects.filter(code="FED75").first()
    if federation is None:
        stdout.write("Consultations : pas de fédération de démonstration.")
        return []
    if Consultation.objects.filter(unit=federation, title=TITLE).exists():
        stdout.write("Consultations : déjà en place.")
        return []
    members = _members(federation)
    if len(members) < 50:
        stdout.write("Consultations : trop peu d'adhérent·es de démonstration.")
        return []
    with transaction.atomic():
        count = _build(federation, members)
    stdout.write(f"Consultations : « {TITLE} » avec {count} commentaires.")
    return []


def _build(federation: Unit, members: list[Member]) -> int:
    rng = random.Random(SEED)
    now = timezone.now().replace(microsecond=0)
    opens = now - datetime.timedelta(days=20)
    consultation = services.consultation_create(
        actor=SYSTEM,
        unit=federation,
        title=TITLE,
        summary=SUMMARY,
        source=SOURCE.read_text(encoding="utf-8"),
        opens_at=opens,
        closes_at=now + datetime.timedelta(days=25),
        audience=Consultation.Audience.FEDERATION,
    )
    consultation.status = Consultation.Status.PUBLISHED
    consultation.save(update_fields=["status"])
    author = _author_user(federation)
    paragraphs = list(
        Paragraph.objects.filter(chapter__version__consultation=consultation)
        .select_related("chapter")
        .order_by("chapter__position", "position")
    )

    def moment() -> datetime.datetime:
        return opens + datetime.timedelta(minutes=rng.randrange(0, 20 * 24 * 60 - 60))

    comments: list[Comment] = []
    for paragraph in paragraphs:
        key = (paragraph.chapter.position, paragraph.position)
        texts = list(COMMENTS.get(key, [])) + rng.sample(GENERIC, rng.randint(4, 9))
        rng.shuffle(texts)
        for text in texts:
            when = moment()
            comments.append(
                Comment(
                    paragraph=paragraph,
                    author=rng.choice(members),
                    text=text,
                    created_at=when,
                    updated_at=when,
                )
            )
    _create_dated(Comment, comments)
    comments = list(Comment.objects.filter(paragraph__in=paragraphs).order_by("created_at", "pk"))
    replies = []
    for comment in rng.sample(comments, len(comments) // 3):
        for _i in range(rng.randint(1, 3)):
            when = min(now, comment.created_at + datetime.timedelta(hours=rng.randint(1, 72)))
            replies.append(
                Comment(
                    paragraph_id=comment.paragraph_id,
                    parent=comment,
                    author=rng.choice(members),
                    text=rng.choice(REPLIES),
                    created_at=when,
                    updated_at=when,
                )
            )
    _create_dated(Comment, replies)

    # A few answers of the authors, one comment hidden by the moderators after a report.
    for comment in rng.sample(comments, 40):
        answer, reason = rng.choice(COMMENT_ANSWERS)
        comment.answer, comment.answer_text = answer, reason
        comment.answered_at, comment.answered_by = now, author
    Comment.objects.bulk_update(comments, ["answer", "answer_text", "answered_at", "answered_by"])
    rude = Comment.objects.create(
        paragraph=paragraphs[10],
        author=members[7],
        text="Encore des promesses de ceux qui n'ont jamais mis les pieds dans nos quartiers, bande d'incapables.",
    )
    Report.objects.create(comment=rude, member=members[12], reason="Propos insultants")
    Report.objects.create(comment=rude, member=members[21], reason="Attaque personnelle")
    services.comment_hide(
        actor=SYSTEM, comment=rude, reason="Propos injurieux envers des camarades."
    )
    reported = comments[5]
    Report.objects.create(comment=reported, member=members[30], reason="Hors sujet")

    # Proposed rewordings and their supports.
    rewordings = []
    for paragraph in paragraphs:
        key = (paragraph.chapter.position, paragraph.position)
        for text, why in REWORDINGS.get(key, []):
            when = moment()
            rewordings.append(
                Rewording(
                    paragraph=paragraph,
                    author=rng.choice(members),
                    text=text,
                    explanation=why,
                    created_at=when,
                    updated_at=when,
                )
            )
    _create_dated(Rewording, rewordings)
    rewordings = list(
        Rewording.objects.filter(paragraph__in=paragraphs).select_related("paragraph__chapter")
    )
    supports = [
        RewordingSupport(rewording=rewording, member=member, created_at=moment())
        for rewording in rewordings
        for member in rng.sample(members, min(len(members), rng.randint(3, 45)))
    ]
    RewordingSupport.objects.bulk_create(supports, ignore_conflicts=True)
    answered = set()
    for rewording in rewordings:
        key = (rewording.paragraph.chapter.position, rewording.paragraph.position)
        if key in REWORDING_ANSWERS and key not in answered:
            answered.add(key)
            rewording.answer, rewording.answer_text = REWORDING_ANSWERS[key]
            rewording.answered_at, rewording.answered_by = now, author
            rewording.save(update_fields=["answer", "answer_text", "answered_at", "answered_by"])

    paragraph_supports = [
        ParagraphSupport(paragraph=paragraph, member=member, created_at=moment())
        for paragraph in paragraphs
        for member in rng.sample(members, min(len(members), rng.randint(25, 140)))
    ]
    ParagraphSupport.objects.bulk_create(paragraph_supports, ignore_conflicts=True)
    _recount(paragraphs)
    return Comment.objects.filter(paragraph__in=paragraphs).count()


def _create_dated(model, rows) -> None:
    """bulk_create, keeping the dates drawn above (auto_now_add would set them to now)."""
    dates = [(row.created_at, row.updated_at) for row in rows]
    model.objects.bulk_create(rows)
    for row, (created, updated) in zip(rows, dates, strict=True):
        row.created_at, row.updated_at = created, updated
    model.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)


def _recount(paragraphs) -> None:
    """Counters from the rows (the bulk inserts above skipped the services)."""
    ids = [p.pk for p in paragraphs]
    for row in Paragraph.objects.filter(pk__in=ids).annotate(
        s=Count("supports", distinct=True),
        c=Count("comments", filter=Q(comments__hidden_at__isnull=True), distinct=True),
        r=Count("rewordings", filter=Q(rewordings__hidden_at__isnull=True), distinct=True),
    ):
        Paragraph.objects.filter(pk=row.pk).update(
            support_count=row.s, comment_count=row.c, rewording_count=row.r
        )
    for rewording in Rewording.objects.filter(paragraph_id__in=ids).annotate(n=Count("supports")):
        Rewording.objects.filter(pk=rewording.pk).update(support_count=rewording.n)
