"""User Markdown becomes sanitised HTML: formatting kept, anything active removed."""

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from fede.core.markdown import render_markdown


def test_allowed_markup_is_kept():
    """Paragraphs, emphasis, lists, headings, quotes, code and tables survive."""
    html = render_markdown(
        "## Ordre du jour\n\n"
        "Texte **important** et *souligné*.\n\n"
        "- premier point\n- second point\n\n"
        "1. un\n2. deux\n\n"
        "> Une citation\n\n"
        "`code` en ligne\n\n"
        "```\nbloc de code\n```\n\n"
        "| Nom | Voix |\n|:--|--:|\n| Motion A | 12 |\n\n"
        "---\n"
    )
    assert isinstance(html, SafeString)
    for fragment in (
        "<h2>Ordre du jour</h2>",
        "<strong>important</strong>",
        "<em>souligné</em>",
        "<ul>",
        "<li>premier point</li>",
        "<ol>",
        "<blockquote>",
        "<code>code</code>",
        "<pre><code>bloc de code",
        "<table>",
        '<th align="left">Nom</th>',
        '<td align="right">12</td>',
        "<hr>",
    ):
        assert fragment in html


def test_links_keep_href_and_get_safe_rel():
    """A link keeps its address and title and gets rel="noopener noreferrer nofollow"."""
    html = render_markdown('[Le site](https://example.org/page "Titre")')
    assert 'href="https://example.org/page"' in html
    assert 'title="Titre"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('xss')</script>Bonjour",
        "<img src=x onerror=\"alert('xss')\">Bonjour",
        '<a href="#" onclick="alert(\'xss\')">Bonjour</a>',
        "[Bonjour](javascript:alert('xss'))",
        "<a href=\"JaVaScRiPt:alert('xss')\">Bonjour</a>",
        "<a href=\"&#106;avascript:alert('xss')\">Bonjour</a>",
        "<p style=\"background:url(javascript:alert('xss'))\">Bonjour</p>",
        '<iframe src="https://evil.example"></iframe>Bonjour',
        "<style>body{display:none}</style>Bonjour",
        "<svg><script>alert('xss')</script></svg>Bonjour",
    ],
)
def test_active_content_is_stripped(source):
    """Scripts, on* handlers, javascript: URLs, styles and frames never reach the page."""
    html = render_markdown(source).lower()
    assert "bonjour" in html
    for forbidden in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "javascript:",
        "style",
        "<iframe",
        "<svg",
        "<img",
    ):
        assert forbidden not in html


def test_first_level_title_becomes_h2():
    """A "# Titre" does not add a second <h1> to the page."""
    html = render_markdown("# Titre")
    assert html == "<h2>Titre</h2>"


def test_single_line_breaks_are_kept_by_default():
    """People who do not know Markdown get the line breaks they typed."""
    assert "<br>" in render_markdown("ligne 1\nligne 2")
    assert "<br>" not in render_markdown("ligne 1\nligne 2", nl2br=False)


def test_empty_text_gives_empty_string():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_template_filter_renders_sanitised_html():
    """{% load fede %}{{ text|markdown }} renders formatting and drops scripts."""
    template = Template("{% load fede %}<div>{{ text|markdown }}</div>")
    html = template.render(Context({"text": "**gras** <script>alert(1)</script>"}))
    assert "<strong>gras</strong>" in html
    assert "<script" not in html
    assert "&lt;strong&gt;" not in html
