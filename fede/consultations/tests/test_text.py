from fede.consultations import text


def test_headings_open_chapters_and_blank_lines_separate_paragraphs():
    """# and ## open chapters; ### stays in its block; text before a heading is a preamble."""
    chapters = text.parse(
        "Intro.\n\n# Un\n\nPremier.\nsuite\n\n### Sous-titre\nTexte\n\n## Deux\n\nSecond.\n"
    )
    assert [c.title for c in chapters] == ["Préambule", "Un", "Deux"]
    assert chapters[1].paragraphs == ["Premier.\nsuite", "### Sous-titre\nTexte"]
    assert chapters[2].paragraphs == ["Second."]


def test_a_text_without_paragraph_is_refused():
    assert text.errors("# Titre seul\n")
    assert not text.errors("# Titre\n\nUn paragraphe.")


def test_matching_keeps_identical_and_similar_paragraphs_and_marks_new_ones():
    old = [(1, "Création de kits pour les sections."), (2, "Refonte du site.")]
    new = [
        "Création de kits pratiques pour les sections.",
        "Un tout autre paragraphe sur le journal fédéral.",
        "Refonte du site.",
    ]
    assert text.match(old, new) == [(1, "changed"), (None, "new"), (2, "same")]


def test_word_diff_escapes_and_marks_changes():
    html = text.word_diff("les <b>kits</b> de section", "les kits pratiques de section")
    assert "<del>&lt;b&gt;kits&lt;/b&gt;</del>" in html
    assert "<ins>kits pratiques</ins>" in html
