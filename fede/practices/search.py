"""Full-text search of the practices space, in French, accents and case ignored.

PostgreSQL: the ``french_unaccent`` configuration (migration 0002: ``unaccent`` then the
French Snowball stemmer) turns « élections » and « elections » into the same lexeme
``elect``; a trigger keeps ``Post.search_vector`` (title A, tags B, body C) up to date
and a GIN index answers ``@@``. Results are ranked by ``ts_rank`` and the snippets come
from ``ts_headline``.

Elsewhere (the SQLite demo): each word of the query is folded (lower case, no accents) and
cut to a crude stem (plural and feminine endings), then looked for in the folded copies
``search_title`` / ``search_text`` that the services store; a word found in the title
counts double in the ranking. Snippets are cut around the first match in Python.

Snippets are plain text: they are escaped, and only the highlight marks become ``<mark>``.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIG = "french_unaccent"
#: Marks put around matches by ts_headline and the fallback, replaced after escaping.
START, STOP = "⟦", "⟧"
SNIPPET_CHARS = 240
MAX_WORDS = 8

STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "comment",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "est",
        "et",
        "il",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "mes",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "d",
        "l",
        "j",
        "c",
        "s",
        "n",
        "qu",
        "quoi",
        "quel",
        "quelle",
    ]
)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_MARKUP = re.compile(r"[*#`>|~]+|\[|\]\([^)]*\)|\]")


def fold_char(char: str) -> str:
    """One character without its accent, in lower case (always one character long, so
    positions in a folded text are positions in the original)."""
    base = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in base if not unicodedata.combining(c)).lower()
    return kept[:1] if len(kept) >= 1 else char.lower()[:1] or char


def fold(text: str) -> str:
    """Lower case, accents removed, same length as ``text``."""
    return "".join(fold_char(c) for c in text or "")


def stem(word: str) -> str:
    """A crude French stem of a folded word: enough for plurals and feminines."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-2]  # journaux → journa(l), travaux → trava(il)
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def query_stems(text: str) -> list[str]:
    """The stems the fallback looks for, stop words and one-letter words left out."""
    stems: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word in STOPWORDS or len(word) < 2:
            continue
        value = stem(word)
        if value not in stems:
            stems.append(value)
    return stems[:MAX_WORDS]


def folded_fields(*, title: str, body: str, tags: str) -> dict[str, str]:
    """The folded copies the services store with each post (for the fallback search)."""
    return {
        "search_title": fold(title)[:200],
        "search_text": fold(" ".join(t for t in tags.split(",") if t) + "\n" + body),
    }


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search(queryset, text: str):
    """``queryset`` filtered on ``text``, best first, with ``rank``, ``title_snippet``
    and ``body_snippet`` annotated (raw: render them with :func:`render_snippet`)."""
    text = (text or "").strip()[:200]
    if not text:
        return queryset.none()
    if is_postgresql():
        return ranked(queryset, text)
    stems = query_stems(text)
    if not stems:
        return queryset.none()
    condition = Q()
    score = Value(0)
    for value in stems:
        condition &= Q(search_title__contains=value) | Q(search_text__contains=value)
        score = score + Case(
            When(search_title__contains=value, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return (
        queryset.filter(condition)
        .annotate(rank=score, title_snippet=F("title"), body_snippet=Value(""))
        .order_by("-rank", "-last_activity_at", "-pk")
    )


def ranked(queryset, text):
    """PostgreSQL's full-text :func:`search` of ``text`` (a string, or an expression giving
    it: a statement compiled once)."""
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    options = {"config": CONFIG, "start_sel": START, "stop_sel": STOP}
    return (
        queryset.filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            title_snippet=SearchHeadline("title", query, highlight_all=True, **options),
            body_snippet=SearchHeadline(
                "body", query, max_words=40, min_words=20, max_fragments=2, **options
            ),
        )
        .order_by("-rank", "-last_activity_at", "-pk")
    )


def _mark_python(text: str, stems: list[str], *, window: int | None) -> str:
    """``text`` (or a window of it around the first match) with START/STOP around each
    word that begins with one of ``stems``."""
    folded = fold(text)
    spans = [
        (match.start(), match.end())
        for match in _WORD.finditer(folded)
        if any(match.group().startswith(s) for s in stems)
    ]
    begin, end = 0, len(text)
    if window is not None:
        first = spans[0][0] if spans else 0
        begin = max(0, first - window // 3)
        end = min(len(text), begin + window)
        if begin:
            space = text.find(" ", begin)
            begin = space + 1 if 0 <= space < first else begin
        if end < len(text):
            space = text.rfind(" ", begin, end)
            end = space if space > (spans[0][1] if spans else begin) else end
    out, cursor = [], begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out += [text[cursor:start], START, text[start:stop], STOP]
        cursor = stop
    out.append(text[cursor:end])
    snippet = "".join(out)
    if window is not None:
        snippet = ("… " if begin else "") + snippet + (" …" if end < len(text) else "")
    return snippet


def render_snippet(raw: str) -> SafeString:
    """Escape a snippet and turn its marks into ``<mark>``; markdown signs are dropped."""
    cleaned = _MARKUP.sub("", raw or "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    html = escape(cleaned).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above, only our own tags added


def decorate(posts, text: str) -> None:
    """Give each post of a page ``title_html`` and ``snippet_html`` (for the template)."""
    stems = None if is_postgresql() else query_stems(text)
    for post in posts:
        if stems is None:
            title, body = post.title_snippet, post.body_snippet
        else:
            title = _mark_python(post.title, stems, window=None)
            body = _mark_python(_MARKUP.sub("", post.body), stems, window=SNIPPET_CHARS)
        post.title_html = render_snippet(title)
        post.snippet_html = render_snippet(body)
