"""The text of a consultation: markdown in, chapters and paragraphs out, and back.

- A line starting with ``#`` or ``##`` opens a chapter (its title is the rest of the line).
- Paragraphs are the blocks separated by blank lines inside a chapter. Deeper headings
  (``###``…) and list items stay inside their block.
- Text before the first heading goes into a chapter titled "Préambule".

Matching a new version to the previous one: each new paragraph is paired with the most
similar unpaired paragraph of the previous version (difflib ratio ≥ 0.5), so a paragraph
moved or reworded keeps its history; identical text is "same", similar is "changed",
the rest is "new", and unpaired old paragraphs are "removed".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")
MAX_PARAGRAPH = 6000
SIMILAR = 0.5


@dataclass
class ParsedChapter:
    title: str
    paragraphs: list[str] = field(default_factory=list)


def parse(source: str) -> list[ParsedChapter]:
    """Chapters and their paragraphs; empty chapters are kept (a heading alone)."""
    chapters: list[ParsedChapter] = []
    block: list[str] = []

    def flush():
        text = "\n".join(block).strip()
        block.clear()
        if not text:
            return
        if not chapters:
            chapters.append(ParsedChapter(_("Préambule")))
        chapters[-1].paragraphs.append(text)

    for raw in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        match = HEADING.match(line)
        if match:
            flush()
            chapters.append(ParsedChapter(match.group(2).strip()[:300]))
        elif not line.strip():
            flush()
        else:
            block.append(line)
    flush()
    return chapters


def errors(source: str) -> list[str]:
    """What makes ``source`` unusable as the text of a consultation (French messages)."""
    chapters = parse(source)
    problems = []
    if not any(c.paragraphs for c in chapters):
        problems.append(
            _(
                "Le texte ne contient aucun paragraphe : séparez les paragraphes par une ligne "
                "vide et les chapitres par des titres « # » ou « ## »."
            )
        )
    problems.extend(
        _("Un paragraphe du chapitre « %(title)s » dépasse %(max)s caractères.")
        % {"title": chapter.title, "max": MAX_PARAGRAPH}
        for chapter in chapters
        for text in chapter.paragraphs
        if len(text) > MAX_PARAGRAPH
    )
    return problems


def to_markdown(chapters) -> str:
    """The markdown of a list of (title, [paragraph texts]) pairs."""
    parts = []
    for title, paragraphs in chapters:
        parts.append(f"## {title}")
        parts.extend(paragraphs)
    return "\n\n".join(parts) + "\n"


def _normalise(text: str) -> str:
    return " ".join(text.split())


def match(old: list[tuple[int, str]], new: list[str]) -> list[tuple[int | None, str]]:
    """For each new paragraph text: the id of the old paragraph it comes from (or None)
    and its change ("same", "changed", "new"). ``old`` is [(id, text)] in text order."""
    free = {pk: _normalise(text) for pk, text in old}
    result: list[tuple[int | None, str]] = []
    pending: list[int] = []
    # Identical texts first, so a rewording elsewhere never steals an unchanged paragraph.
    for index, text in enumerate(new):
        norm = _normalise(text)
        same = next((pk for pk, t in free.items() if t == norm), None)
        if same is not None:
            del free[same]
            result.append((same, "same"))
        else:
            result.append((None, "new"))
            pending.append(index)
    for index in pending:
        norm = _normalise(new[index])
        best, score = None, SIMILAR
        for pk, text in free.items():
            ratio = difflib.SequenceMatcher(None, text, norm, autojunk=False).ratio()
            if ratio >= score:
                best, score = pk, ratio
        if best is not None:
            del free[best]
            result[index] = (best, "changed")
    return result


def word_diff(old: str, new: str):
    """HTML of the change from ``old`` to ``new`` word by word (<del> / <ins>), escaped."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))  # noqa: S308 — every piece is escaped above
