"""The interface speaks French by default and English on request; the catalogues are complete."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(__file__).resolve().parent.parent / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
FR_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"

# %(name)s, %(minutes)02d, %s, %d and the escaped %%.
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[a-zA-Z]|%%|%[sd]")
HTML_TAG = re.compile(r"</?(?:a|abbr|b|br|code|em|i|kbd|small|span|strong)\b[^>]*>")


def parse_po(path):
    """Entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr (list).

    Enough of the format for files written by gettext's tools: comments, flags,
    multi-line strings, plural forms. Obsolete entries and the header are left out.
    """
    entries, current, target = [], None, None

    def new_entry():
        return {"flags": set(), "msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}

    def finish():
        if current is not None and current["msgstr"] and current["msgid"]:
            entries.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(target, int):
                current["msgstr"][target] += value
            else:
                current[target] += value
            continue
        keyword, _, rest = line.partition(" ")
        if current is None or (current["msgstr"] and not keyword.startswith("msgstr")):
            finish()
            current, target = new_entry(), None
        if line.startswith("#"):
            if line.startswith("#,"):
                current["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        value = ast.literal_eval(rest)
        plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural_form:
            target = int(plural_form.group(1))
        elif keyword == "msgstr":
            target = 0
        else:
            target = keyword
        if isinstance(target, int):
            current["msgstr"][target] = value
        else:
            current[target] = value
    finish()
    for entry in entries:
        entry["msgstr"] = [entry["msgstr"][form] for form in sorted(entry["msgstr"])]
    return entries


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def tags(text):
    return sorted(HTML_TAG.findall(text))


@pytest.fixture(scope="module")
def english():
    return parse_po(EN_PO)


def test_catalogue_is_parsed(english):
    """The parser sees the whole English catalogue, plural entries included."""
    assert len(english) > 1000
    assert any(e.get("msgid_plural") for e in english)


def test_every_english_entry_is_translated(english):
    """No string of the interface is left without English text, nor marked fuzzy."""
    untranslated = [e["msgid"] for e in english if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [e["msgid"] for e in english if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_forms(english):
    """Every plural entry has a singular and a plural English form."""
    for entry in english:
        if entry.get("msgid_plural"):
            assert len(entry["msgstr"]) == 2, entry["msgid"]


def test_placeholders_and_tags_are_kept(english):
    """Each translation keeps the placeholders and HTML tags of its source string."""
    mismatches = []
    for entry in english:
        sources = [entry["msgid"]]
        if entry.get("msgid_plural"):
            sources.append(entry["msgid_plural"])
        for source, translation in zip(sources, entry["msgstr"], strict=False):
            if placeholders(source) != placeholders(translation):
                mismatches.append((source, translation))
            if tags(source) != tags(translation):
                mismatches.append((source, translation))
    assert mismatches == []


@pytest.mark.parametrize("po_path", [EN_PO, FR_PO], ids=["en", "fr"])
def test_compiled_catalogue_matches_the_po_file(po_path):
    """The committed .mo file was compiled from the current .po file."""
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(po_path):
        if "fuzzy" in entry["flags"] or not entry["msgstr"][0]:
            continue
        prefix = f"{entry['msgctxt']}\x04" if entry.get("msgctxt") else ""
        if entry.get("msgid_plural"):
            got = [
                compiled.ngettext(prefix + entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)
            ]
            if got != entry["msgstr"]:
                stale.append(entry["msgid"])
        elif compiled.gettext(prefix + entry["msgid"]) != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == []


@pytest.mark.django_db
def test_home_page_is_french_by_default(client):
    """Without a language choice, the home page is in French."""
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in content
    assert "Trouver ma section" in content
    assert "Find my section" not in content


@pytest.mark.django_db
def test_home_page_in_english_with_the_language_cookie(client):
    """With the language cookie set to English, the home page is in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Find my section" in content
    assert "Trouver ma section" not in content


@pytest.mark.django_db
def test_footer_switch_turns_the_interface_to_english(client):
    """Choosing English in the footer brings back the page in English."""
    response = client.post("/langue/", {"language": "en", "next": "/compte/login/"}, follow=True)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Forgotten your password?" in content
    assert "Mot de passe oublié" not in content


@pytest.mark.django_db
def test_language_names_are_written_in_their_own_language(client):
    """The footer offers « Français » and « English » whatever the current language."""
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        content = client.get("/").content.decode()
        assert ">Français</option>" in content
        assert ">English</option>" in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label", "absent"),
    [("fr", "Adresse e-mail", "Courriel"), ("en", "Email address", "Courriel")],
)
def test_sign_in_email_label(client, language, label, absent):
    """The e-mail field of the sign-in form reads « Adresse e-mail » / « Email address »."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client.get("/compte/login/").content.decode()
    assert re.search(rf"<label[^>]*>\s*{label}", content)
    assert absent not in content
