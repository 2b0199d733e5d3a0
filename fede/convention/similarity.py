"""Group similar contributions: TF-IDF over French text, pure Python and deterministic.

No model, no download, no dependency: a small French stemmer and stop-word list, TF-IDF
vectors (sublinear term frequency, smoothed idf, L2 norm) over stems and stem pairs,
then a leader clustering refined by two passes of centroid reassignment. Ties are broken by
id, so the same input always gives the same groups. Each group carries the key phrases its
contributions share (surface words as the sections wrote them).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STOP_WORDS = frozenset(
    [
        "a",
        "à",
        "afin",
        "ai",
        "aie",
        "aient",
        "aies",
        "ait",
        "alors",
        "après",
        "as",
        "au",
        "aucun",
        "aucune",
        "aujourd",
        "auprès",
        "aussi",
        "autant",
        "autre",
        "autres",
        "aux",
        "avait",
        "avaient",
        "avant",
        "avec",
        "avez",
        "avions",
        "avoir",
        "avons",
        "ayant",
        "beaucoup",
        "bien",
        "c",
        "ça",
        "car",
        "ce",
        "ceci",
        "cela",
        "celle",
        "celles",
        "celui",
        "cependant",
        "certain",
        "certaine",
        "certaines",
        "certains",
        "ces",
        "cet",
        "cette",
        "ceux",
        "chacun",
        "chaque",
        "chez",
        "ci",
        "comme",
        "comment",
        "d",
        "dans",
        "de",
        "des",
        "depuis",
        "deux",
        "devant",
        "devons",
        "doit",
        "doivent",
        "donc",
        "dont",
        "du",
        "durant",
        "elle",
        "elles",
        "en",
        "encore",
        "entre",
        "es",
        "est",
        "et",
        "étaient",
        "était",
        "étant",
        "été",
        "être",
        "eu",
        "eux",
        "faire",
        "fait",
        "faut",
        "font",
        "ici",
        "il",
        "ils",
        "j",
        "je",
        "jusqu",
        "l",
        "la",
        "là",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "même",
        "mêmes",
        "mes",
        "moi",
        "moins",
        "mon",
        "n",
        "ne",
        "ni",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "où",
        "par",
        "parce",
        "pas",
        "peu",
        "peut",
        "peuvent",
        "plus",
        "plusieurs",
        "pour",
        "pourquoi",
        "pourrait",
        "qu",
        "quand",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "quoi",
        "s",
        "sa",
        "sans",
        "se",
        "selon",
        "ses",
        "si",
        "sien",
        "soit",
        "son",
        "sont",
        "sous",
        "souvent",
        "sur",
        "t",
        "ta",
        "te",
        "tel",
        "telle",
        "telles",
        "tels",
        "tes",
        "toi",
        "ton",
        "tous",
        "tout",
        "toute",
        "toutes",
        "très",
        "tu",
        "un",
        "une",
        "unes",
        "uns",
        "v",
        "vers",
        "via",
        "voire",
        "vos",
        "votre",
        "vous",
        "y",
        "section",
        "sections",
        "fédération",
        "proposons",
        "proposer",
        "propose",
        "demandons",
        "demande",
        "souhaitons",
        "souhaite",
        "estimons",
        "estime",
        "considère",
        "considérons",
        "rappelons",
        "faudrait",
        "doit",
        "devrait",
        "également",
        "notamment",
        "ainsi",
        "toujours",
        "enfin",
        "déjà",
        "plutôt",
        "davantage",
        "afin",
        "lors",
    ]
)

# Longest first: the first suffix that leaves a stem of at least three letters is removed.
SUFFIXES = sorted(
    [
        "issements",
        "issement",
        "atrices",
        "ateurs",
        "ations",
        "ements",
        "amment",
        "emment",
        "ances",
        "ences",
        "ements",
        "ement",
        "ments",
        "ment",
        "atrice",
        "ateur",
        "ation",
        "ution",
        "usion",
        "ition",
        "ismes",
        "isme",
        "istes",
        "iste",
        "ités",
        "ité",
        "ables",
        "able",
        "ibles",
        "ible",
        "iques",
        "ique",
        "euses",
        "euse",
        "eux",
        "ances",
        "ance",
        "ences",
        "ence",
        "ives",
        "ive",
        "ifs",
        "if",
        "elles",
        "elle",
        "aux",
        "al",
        "ales",
        "ale",
        "iers",
        "ière",
        "ières",
        "ier",
        "és",
        "ées",
        "ée",
        "er",
        "ez",
        "es",
        "e",
        "s",
        "x",
    ],
    key=len,
    reverse=True,
)

WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ]+(?:-[a-zàâäçéèêëîïôöùûüÿœæ]+)*")
ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def stem(word: str) -> str:
    """A light French stem: accents off, one derivational or inflectional suffix off."""
    word = strip_accents(word.lower()).replace("œ", "oe").replace("æ", "ae")
    for suffix in SUFFIXES:
        suffix = strip_accents(suffix)
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    # "européenne" → "europeenn" → "europeen", like "européen".
    if len(word) > 4 and word[-1] == word[-2] and word[-1] in "nlt":
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Content words of ``text``, lower-cased, elisions and stop words removed."""
    text = ELISION.sub(" ", text.lower())
    return [w for w in WORD.findall(text) if w not in STOP_WORDS and len(w) > 2]


@dataclass
class Document:
    id: int
    terms: Counter  # stem or "stem stem" → count
    surfaces: dict  # term → Counter of the surface forms that produced it


def analyse(doc_id: int, text: str) -> Document:
    words = tokens(text)
    stems = [stem(w) for w in words]
    terms: Counter = Counter()
    surfaces: dict = defaultdict(Counter)
    for i, s in enumerate(stems):
        terms[s] += 1
        surfaces[s][words[i]] += 1
        if i + 1 < len(stems):
            pair = f"{s} {stems[i + 1]}"
            terms[pair] += 1
            surfaces[pair][f"{words[i]} {words[i + 1]}"] += 1
    return Document(doc_id, terms, dict(surfaces))


def tfidf(documents: Sequence[Document]) -> tuple[list[dict[str, float]], dict[str, float]]:
    """L2-normalised TF-IDF vectors (sublinear tf, smoothed idf) and the idf table."""
    n = len(documents)
    df: Counter = Counter()
    for doc in documents:
        df.update(doc.terms.keys())
    idf = {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}
    vectors = []
    for doc in documents:
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in doc.terms.items() if df[t] > 1 or n < 3}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors, idf


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _centroid(vectors: Iterable[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for vec in vectors:
        for t, v in vec.items():
            total[t] += v
    norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
    return {t: v / norm for t, v in total.items()}


@dataclass
class Group:
    contributions: list[int]
    phrases: list[str]

    def as_dict(self) -> dict:
        return {"contributions": self.contributions, "phrases": self.phrases}


def group_texts(
    items: Sequence[tuple[int, str]],
    *,
    threshold: float = 0.18,
    max_phrases: int = 6,
    progress=None,
) -> list[Group]:
    """Groups of similar texts among ``items`` (``(id, text)``), largest groups first.

    Deterministic: items are taken in id order, ties go to the group created first.
    ``progress(done, total)`` is called as items are placed (for a task's progress bar).
    Texts that resemble no other stay alone, in a final group of their own each.
    """
    ordered = sorted(items, key=lambda item: item[0])
    documents = [analyse(i, text) for i, text in ordered]
    vectors, idf = tfidf(documents)
    total = len(documents)

    # Leader pass: each text joins the closest group above the threshold, or starts one.
    members: list[list[int]] = []
    centroids: list[dict[str, float]] = []
    for index, vec in enumerate(vectors):
        best, best_sim = -1, threshold
        for g, centre in enumerate(centroids):
            sim = cosine(vec, centre)
            if sim > best_sim:
                best, best_sim = g, sim
        if best < 0:
            members.append([index])
            centroids.append(dict(vec))
        else:
            members[best].append(index)
            centroids[best] = _centroid(vectors[i] for i in members[best])
        if progress is not None and (index + 1) % 50 == 0:
            progress(index + 1, total)

    # Two refinement passes: reassign each text to its closest centroid.
    for _round in range(2):
        assignment: list[list[int]] = [[] for _ in centroids]
        for index, vec in enumerate(vectors):
            sims = [cosine(vec, c) for c in centroids]
            best = max(range(len(sims)), key=lambda g: (sims[g], -g)) if sims else 0
            if sims and sims[best] < threshold:
                # Stays where the leader pass put it.
                best = next(g for g, m in enumerate(members) if index in m)
            assignment[best].append(index)
        members = [m for m in assignment if m]
        centroids = [_centroid(vectors[i] for i in m) for m in members]

    groups = [
        Group(
            contributions=[documents[i].id for i in m],
            phrases=_shared_phrases([documents[i] for i in m], idf, max_phrases),
        )
        for m in members
    ]
    groups.sort(key=lambda g: (-len(g.contributions), g.contributions[0]))
    if progress is not None:
        progress(total, total)
    return groups


def _shared_phrases(documents: Sequence[Document], idf: dict[str, float], limit: int) -> list[str]:
    """Key phrases of a group: terms found in at least two of its texts (or in its only
    text), ranked by how many texts share them × their rarity; pairs of words first when
    they are as shared as their single words."""
    need = 2 if len(documents) > 1 else 1
    doc_freq: Counter = Counter()
    surfaces: dict[str, Counter] = defaultdict(Counter)
    for doc in documents:
        doc_freq.update(doc.terms.keys())
        for term, forms in doc.surfaces.items():
            surfaces[term].update(forms)
    scored = [
        (count * idf.get(term, 1.0) * (1.6 if " " in term else 1.0), term)
        for term, count in doc_freq.items()
        if count >= need
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    phrases: list[str] = []
    covered: set[str] = set()
    for _score, term in scored:
        parts = term.split(" ")
        if " " not in term and term in covered:
            continue
        form = min(surfaces[term].items(), key=lambda item: (-item[1], item[0]))[0]
        if form in phrases:
            continue
        phrases.append(form)
        covered.update(parts)
        if len(phrases) >= limit:
            break
    return phrases
