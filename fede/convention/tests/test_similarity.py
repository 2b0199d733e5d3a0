"""The French TF-IDF grouping: stems, stop words, determinism."""

import random

from fede.convention import similarity

FRAGMENTS = [
    "encadrer les loyers",
    "construire des logements sociaux",
    "lutter contre les meublés touristiques",
    "développer le vélo",
    "des pistes cyclables sécurisées",
    "la gratuité des transports pour les jeunes",
    "un salaire minimum européen",
    "l'harmonisation fiscale en Europe",
    "la taxation des multinationales",
]


def corpus(seed=7, n=60):
    rnd = random.Random(seed)
    return [(i, " et ".join(rnd.sample(FRAGMENTS, 2)) + ".") for i in range(1, n + 1)]


def test_stemmer_joins_plural_and_feminine_forms():
    assert similarity.stem("logements") == similarity.stem("logement")
    assert similarity.stem("sociales") == similarity.stem("social")
    assert similarity.stem("européenne") == similarity.stem("européen")


def test_stop_words_and_elisions_are_dropped():
    assert similarity.tokens("L'Europe et la fédération d'abord") == ["europe", "abord"]


def test_grouping_is_deterministic_for_a_fixed_input():
    items = corpus()
    first = [g.as_dict() for g in similarity.group_texts(items)]
    second = [g.as_dict() for g in similarity.group_texts(list(reversed(items)))]
    assert first == second
    assert sorted(pk for g in first for pk in g["contributions"]) == list(range(1, 61))


def test_similar_texts_share_a_group_and_its_key_phrases():
    items = [
        (1, "Encadrer les loyers et construire des logements sociaux."),
        (2, "Il faut construire des logements sociaux et encadrer les loyers."),
        (3, "Un salaire minimum européen et la taxation des multinationales."),
        (4, "La taxation des multinationales et un salaire minimum européen."),
    ]
    groups = similarity.group_texts(items)
    assert sorted(sorted(g.contributions) for g in groups) == [[1, 2], [3, 4]]
    housing = next(g for g in groups if 1 in g.contributions)
    assert "logements sociaux" in housing.phrases
