"""Demo data of the convention: last year's convention, complete (contributions, synthesis
with its sources, amendments and answers, results), and this year's, in the section
debates phase, with the contributions the sections have already deposited.

Texts are assembled from hand-written French fragments with a fixed seed: the same
sections say the same things on every run. Idempotent: a convention that exists for the
year is left alone. Dates are placed relative to today.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from fede.organization.models import Unit

from .models import (
    Amendment,
    Citation,
    Contribution,
    Convention,
    Paragraph,
    SectionDebate,
    Topic,
    VoteResult,
)

SEED = 2021

OPENINGS = [
    "Réunie en assemblée générale, la section a débattu longuement de ce sujet.",
    "Après deux réunions de travail et un débat ouvert aux sympathisant·es, la section adopte le texte suivant.",
    "Le débat a été riche et parfois vif ; il s'est appuyé sur l'expérience de nos militant·es de terrain.",
    "La section a invité des associations du quartier à nourrir sa réflexion.",
    "Nos camarades ont d'abord partagé ce qu'ils voient chaque jour dans l'arrondissement.",
]
CLOSINGS = [
    "La section souhaite que la fédération porte ces propositions dans la campagne à venir.",
    "Ces propositions doivent être chiffrées et discutées avec nos élu·es.",
    "Nous demandons qu'un bilan soit présenté à la prochaine convention.",
    "La section se tient prête à organiser une réunion publique sur ces questions.",
    "",
]

# Per topic: (scope, title, framing, findings, proposals). A contribution takes one or two
# findings and two or three proposals; the synthesis has one paragraph per proposal.
LAST_YEAR = [
    (
        Topic.Scope.PARIS,
        "Paris face aux canicules : adapter la ville",
        "Les étés parisiens seront plus chauds. Quelles priorités pour adapter les écoles, "
        "les logements et l'espace public, et protéger d'abord les plus fragiles ?",
        [
            "Les cours d'école bitumées deviennent des fours dès le mois de juin.",
            "Les personnes âgées isolées des étages élevés souffrent en silence pendant les canicules.",
            "Les logements sous les toits en zinc sont invivables l'été.",
            "Le quartier manque cruellement d'arbres et de fontaines.",
        ],
        [
            "Transformer toutes les cours d'école en cours oasis, ouvertes aux habitant·es le week-end.",
            "Planter des arbres dans chaque rue et désimperméabiliser les places.",
            "Créer un registre des personnes fragiles et un réseau de voisins solidaires l'été.",
            "Aider la rénovation thermique des logements sous les toits, en priorité chez les locataires modestes.",
            "Ouvrir des lieux frais la nuit : parcs, piscines, salles municipales climatisées.",
        ],
    ),
    (
        Topic.Scope.REGION,
        "Le Grand Paris des transports du quotidien",
        "Les Francilien·nes passent des heures dans les transports. Quelles priorités pour "
        "le réseau, les tarifs et les banlieues mal desservies ?",
        [
            "Les lignes de RER sont saturées et les pannes se multiplient.",
            "Les habitant·es de banlieue passent plus de deux heures par jour dans les transports.",
            "Les bus de nuit sont trop rares et peu sûrs.",
            "La hausse du passe Navigo pèse sur les budgets des familles.",
        ],
        [
            "Rendre les transports gratuits pour les moins de vingt-cinq ans et les personnes au chômage.",
            "Donner la priorité à la rénovation des RER plutôt qu'aux grands projets.",
            "Multiplier les bus de nuit et les lignes de rocade entre banlieues.",
            "Financer les transports par une contribution accrue des entreprises.",
            "Développer un réseau express vélo sécurisé à l'échelle régionale.",
        ],
    ),
    (
        Topic.Scope.NATIONAL,
        "Une Europe qui protège les travailleurs",
        "Salaires, délocalisations, travail détaché : que doit porter la gauche au niveau "
        "européen pour protéger celles et ceux qui travaillent ?",
        [
            "Les écarts de salaires entre pays européens nourrissent le dumping social.",
            "Les travailleurs des plateformes restent sans protection.",
            "Les multinationales échappent à l'impôt en jouant des frontières.",
            "Le sentiment d'abandon nourrit le vote d'extrême droite dans les classes populaires.",
        ],
        [
            "Instaurer un salaire minimum européen fixé à soixante pour cent du salaire médian de chaque pays.",
            "Taxer les multinationales là où elles réalisent leurs profits.",
            "Reconnaître le statut de salarié aux travailleurs des plateformes.",
            "Conditionner les aides publiques européennes au maintien de l'emploi.",
            "Renforcer le droit des comités d'entreprise européens face aux délocalisations.",
        ],
    ),
]

THIS_YEAR = [
    (
        Topic.Scope.PARIS,
        "Se loger à Paris : encadrer, construire, réquisitionner",
        "Les loyers parisiens chassent les classes populaires et moyennes. Comment loger "
        "celles et ceux qui font vivre Paris ? Encadrement, logement social, locations "
        "touristiques, logements vacants : la section dit ses priorités.",
        [
            "Les jeunes actifs et les familles quittent l'arrondissement faute de logement abordable.",
            "Les meublés touristiques vident les immeubles de leurs habitant·es.",
            "Des milliers de logements restent vacants pendant que les demandes s'accumulent.",
            "L'encadrement des loyers est trop peu contrôlé et souvent contourné.",
        ],
        [
            "Renforcer les contrôles de l'encadrement des loyers et sanctionner les propriétaires fraudeurs.",
            "Atteindre trente pour cent de logements sociaux dans chaque arrondissement.",
            "Limiter strictement les meublés touristiques à quatre-vingt-dix nuits par an.",
            "Réquisitionner les logements vacants depuis plus de deux ans.",
            "Réserver des logements aux travailleurs essentiels : soignant·es, enseignant·es, agent·es de la Ville.",
        ],
    ),
    (
        Topic.Scope.REGION,
        "L'accès aux soins en Île-de-France",
        "Déserts médicaux en Seine-Saint-Denis, urgences saturées, dépassements d'honoraires : "
        "quelles priorités pour la santé des Francilien·nes ?",
        [
            "Il faut des mois pour obtenir un rendez-vous chez un spécialiste.",
            "Les urgences de l'hôpital sont saturées faute de médecins de ville.",
            "Les dépassements d'honoraires excluent les ménages modestes.",
            "Les soignant·es quittent l'hôpital public, épuisé·es.",
        ],
        [
            "Ouvrir des centres de santé publics avec des médecins salariés dans chaque commune.",
            "Revaloriser les salaires des soignant·es et recruter massivement à l'hôpital.",
            "Encadrer l'installation des médecins dans les zones déjà bien dotées.",
            "Supprimer les dépassements d'honoraires à l'hôpital public.",
            "Développer la santé mentale de proximité, en particulier pour les jeunes.",
        ],
    ),
    (
        Topic.Scope.NATIONAL,
        "Salaires et inflation : vivre de son travail",
        "Les prix ont flambé, les salaires ont suivi de loin. Indexation, partage de la valeur, "
        "égalité salariale : que doit proposer la gauche ?",
        [
            "Les fins de mois sont de plus en plus difficiles, même pour celles et ceux qui travaillent.",
            "Les femmes restent payées un quart de moins que les hommes.",
            "Les dividendes explosent pendant que les salaires stagnent.",
            "Les temps partiels subis enferment des salarié·es dans la pauvreté.",
        ],
        [
            "Indexer les salaires sur l'inflation, à commencer par le SMIC.",
            "Sanctionner réellement les entreprises qui ne respectent pas l'égalité salariale.",
            "Encadrer les écarts de rémunération de un à vingt dans les entreprises.",
            "Conditionner les aides publiques aux entreprises à des hausses de salaires.",
            "Ouvrir des conférences salariales par branche chaque année.",
        ],
    ),
]

MINORITY = [
    "Une minorité de la section juge la proposition trop timide et demande d'aller plus loin.",
    "Quelques camarades craignent que ces mesures soient difficiles à financer.",
    "Une partie de la section aurait souhaité insister davantage sur l'écologie.",
]

NOT_TAKEN = [
    "Proposition intéressante mais qui relève d'un autre sujet de la convention.",
    "Déjà au programme adopté par la fédération ; la synthèse n'y revient pas.",
    "Position minoritaire parmi les contributions ; elle est signalée au conseil fédéral.",
]


def _compose(rnd: random.Random, findings, proposals) -> tuple[str, list[int], str]:
    """A contribution's text, the proposals it makes (indexes) and a minority opinion."""
    chosen = sorted(rnd.sample(range(len(proposals)), rnd.choice([2, 2, 3])))
    parts = [rnd.choice(OPENINGS), " ".join(rnd.sample(findings, rnd.choice([1, 2])))]
    parts.append("La section propose de :")
    parts.append("\n".join(f"- {proposals[i][0].lower()}{proposals[i][1:]}" for i in chosen))
    closing = rnd.choice(CLOSINGS)
    if closing:
        parts.append(closing)
    minority = rnd.choice(MINORITY) if rnd.random() < 0.2 else ""
    return "\n\n".join(parts), chosen, minority


def _vote(rnd: random.Random) -> dict:
    present = rnd.randint(9, 42)
    against = rnd.randint(0, present // 6)
    abstain = rnd.randint(0, present // 8)
    return {
        "members_present": present,
        "votes_for": present - against - abstain - rnd.randint(0, 2) * (present > 20),
        "votes_against": against,
        "votes_abstain": abstain,
    }


def _topics(convention, specs) -> list[Topic]:
    return [
        Topic.objects.create(convention=convention, scope=scope, title=title, framing=framing)
        for scope, title, framing, _f, _p in specs
    ]


def _contributions(rnd, topics, specs, sections, share: float, skip=()) -> dict:
    """Contributions of the sections; returns {topic pk: [(contribution, proposals)]}."""
    made: dict[int, list] = {}
    rows = []
    for topic, (_s, _t, _fr, findings, proposals) in zip(topics, specs, strict=True):
        for section in sections:
            if rnd.random() > share or (topic.scope, section.code) in skip:
                continue
            text, chosen, minority = _compose(rnd, findings, proposals)
            contribution = Contribution(
                topic=topic,
                section=section,
                text=text,
                minority_opinion=minority,
                **_vote(rnd),
            )
            rows.append((contribution, chosen))
    Contribution.objects.bulk_create([c for c, _ in rows])
    for contribution, chosen in rows:
        made.setdefault(contribution.topic_id, []).append((contribution, chosen))
    return made


def _last_year(federation, sections, today, rnd, stdout) -> None:
    year = today.year - 1
    if Convention.objects.filter(federation=federation, year=year).exists():
        return
    day = today - datetime.timedelta(days=300)
    evening = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))
    convention = Convention.objects.create(
        federation=federation,
        year=year,
        title=f"Convention fédérale {year}",
        presentation=(
            "Trois sujets débattus dans toutes les sections de Paris, une synthèse votée "
            "par les délégué·es à la Bourse du travail."
        ),
        topics_published_on=day - datetime.timedelta(days=150),
        debates_start=day - datetime.timedelta(days=140),
        contributions_deadline=evening - datetime.timedelta(days=80),
        amendments_open=day - datetime.timedelta(days=40),
        amendments_deadline=evening - datetime.timedelta(days=10),
        convention_day=day,
        place="Bourse du travail, 3 rue du Château-d'Eau, Paris 10e",
        results_published_at=evening + datetime.timedelta(hours=3),
    )
    topics = _topics(convention, LAST_YEAR)
    made = _contributions(rnd, topics, LAST_YEAR, sections, share=0.8)
    published = evening - datetime.timedelta(days=45)
    amendments = []
    for topic, (_s, _t, _fr, _findings, proposals) in zip(topics, LAST_YEAR, strict=True):
        topic.synthesis_introduction = (
            f"{len(made.get(topic.pk, []))} sections ont contribué sur ce sujet. "
            "Voici ce qu'elles proposent ensemble."
        )
        topic.synthesis_published_at = published
        topic.save()
        contributions = made.get(topic.pk, [])
        for position, proposal in enumerate(proposals, start=1):
            backers = [c for c, chosen in contributions if position - 1 in chosen]
            paragraph = Paragraph.objects.create(
                topic=topic,
                position=position,
                heading=proposal.split(",")[0].split(" : ")[0][:80],
                text=(
                    f"De nombreuses sections ({len(backers)}) le demandent : "
                    f"{proposal[0].lower()}{proposal[1:]} La fédération en fait une priorité "
                    "et demande à ses élu·es d'en rendre compte chaque année."
                ),
            )
            Citation.objects.bulk_create(
                Citation(
                    paragraph=paragraph,
                    contribution=c,
                    extent=Citation.Extent.FULL if n % 4 else Citation.Extent.PARTIAL,
                )
                for n, c in enumerate(backers)
            )
            if position in (2, 4) and contributions:
                amendments.append(paragraph)
        # Contributions that no paragraph takes up get the rapporteurs' reason.
        cited = set(
            Citation.objects.filter(paragraph__topic=topic).values_list("contribution", flat=True)
        )
        for contribution, _chosen in contributions:
            if contribution.pk not in cited:
                contribution.rapporteur_note = rnd.choice(NOT_TAKEN)
                contribution.save(update_fields=["rapporteur_note"])
    statuses = [Amendment.Status.ACCEPTED, Amendment.Status.MERGED, Amendment.Status.REJECTED]
    for n, paragraph in enumerate(amendments):
        for section in rnd.sample(sections, 2):
            status = statuses[(n + section.pk) % 3]
            amendment = Amendment.objects.create(
                paragraph=paragraph,
                section=section,
                base_text=paragraph.text,
                proposed_text=paragraph.text.replace(
                    "La fédération en fait une priorité",
                    "La fédération en fait une priorité dès la première année du mandat",
                ),
                rationale="La section souhaite un calendrier précis plutôt qu'une intention.",
                status=status,
                answer={
                    Amendment.Status.ACCEPTED: "Accepté : la précision renforce le texte.",
                    Amendment.Status.MERGED: "Intégré avec une rédaction plus courte.",
                    Amendment.Status.REJECTED: (
                        "Les rapporteur·es préfèrent laisser le calendrier aux élu·es ; "
                        "l'amendement est soumis au vote de la convention."
                    ),
                }[status],
                answered_at=evening - datetime.timedelta(days=5),
                **_vote(rnd),
            )
            if status == Amendment.Status.REJECTED:
                adopted = rnd.random() < 0.4
                VoteResult.objects.create(
                    convention=convention,
                    amendment=amendment,
                    votes_for=180 if adopted else 95,
                    votes_against=110 if adopted else 201,
                    votes_abstain=rnd.randint(8, 30),
                )
    for topic in topics:
        VoteResult.objects.create(
            convention=convention,
            topic=topic,
            votes_for=rnd.randint(250, 320),
            votes_against=rnd.randint(10, 40),
            votes_abstain=rnd.randint(5, 25),
        )
    count = sum(len(v) for v in made.values())
    stdout.write(f"Convention {year} : {count} contributions, synthèse, amendements et résultats.")


def _this_year(federation, sections, today, rnd, stdout) -> None:
    year = today.year
    if Convention.objects.filter(federation=federation, year=year).exists():
        return
    deadline = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=21), datetime.time(23, 59))
    )
    convention = Convention.objects.create(
        federation=federation,
        year=year,
        title=f"Convention fédérale {year}",
        presentation=(
            "Les sections débattent jusqu'à la date limite des contributions. La fédération "
            "en fera la synthèse, que les sections pourront amender avant le vote."
        ),
        topics_published_on=today - datetime.timedelta(days=35),
        debates_start=today - datetime.timedelta(days=28),
        contributions_deadline=deadline,
        amendments_open=today + datetime.timedelta(days=45),
        amendments_deadline=deadline + datetime.timedelta(days=44),
        convention_day=today + datetime.timedelta(days=75),
        place="Bourse du travail, 3 rue du Château-d'Eau, Paris 10e",
    )
    topics = _topics(convention, THIS_YEAR)
    # Paris 11 (a demo account's section) has not deposited on housing yet: try it.
    made = _contributions(
        rnd, topics, THIS_YEAR, sections, share=0.55, skip={(Topic.Scope.PARIS, "S75-11-1")}
    )
    debates = []
    for section in sections:
        if rnd.random() < 0.85:
            offset = rnd.randint(-25, 18)
            moment = timezone.make_aware(
                datetime.datetime.combine(
                    today + datetime.timedelta(days=offset), datetime.time(19, 30)
                )
            )
            debates.append(
                SectionDebate(
                    convention=convention,
                    section=section,
                    starts_at=moment,
                    place=section.meeting_place,
                    notes="Débat sur les trois sujets de la convention, ouvert à tous les adhérent·es.",
                )
            )
    SectionDebate.objects.bulk_create(debates)
    count = sum(len(v) for v in made.values())
    stdout.write(f"Convention {year} : débats en section, {count} contributions déjà déposées.")


@transaction.atomic
def load(*, stdout, open_data=None) -> list:
    federation = Unit.objects.filter(code="FED75").first()
    if federation is None:
        stdout.write("Convention : pas de fédération de démonstration.")
        return []
    sections = list(
        Unit.objects.sections().active().filter(path__startswith=federation.path).order_by("code")
    )
    if not sections:
        return []
    today = timezone.localdate()
    _last_year(federation, sections, today, random.Random(SEED), stdout)
    _this_year(federation, sections, today, random.Random(SEED + 1), stdout)
    return []
