"""PDF documents are rendered offline from templates and carry the print layout."""

import io
from pathlib import Path

import pypdf
import pytest

from fede.core.pdf import OFFLINE_BASE_URL, OfflineURLFetcher, pdf_response, render_pdf

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def sample_templates(settings):
    """Lets the tests render their own template, core_tests/pdf_sample.html."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = [engine]


def _pages_text(pdf_bytes):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return [page.extract_text() for page in reader.pages]


def test_render_pdf_produces_readable_french_text_with_page_numbers(sample_templates, settings):
    """The PDF holds the text, the site name and "Page X / Y" from the print stylesheet."""
    settings.FEDE_SITE_NAME = "Fédération de Paris"
    names = [f"Adhérent n° {i}" for i in range(80)]
    pdf = render_pdf(
        "core_tests/pdf_sample.html", {"meeting": "Assemblée générale", "names": names}
    )

    assert pdf.startswith(b"%PDF-")
    pages = _pages_text(pdf)
    assert len(pages) >= 2, "80 rows do not fit on one A4 page"
    text = "\n".join(pages)
    assert "Feuille d'émargement — Assemblée générale" in text
    assert "Adhérent n° 0" in text and "Adhérent n° 79" in text
    assert "Fédération de Paris" in text
    # The margin boxes of print.css: the stylesheet was found offline.
    assert f"Page 1 / {len(pages)}" in pages[0]
    assert f"Page {len(pages)} / {len(pages)}" in pages[-1]


def test_render_pdf_with_request_uses_the_site_origin(sample_templates, rf):
    """With a request, static files still resolve (on the request's own origin)."""
    request = rf.get("/")
    pdf = render_pdf(
        "core_tests/pdf_sample.html", {"meeting": "CA", "names": ["Louise"]}, request=request
    )
    text = "\n".join(_pages_text(pdf))
    assert "Louise" in text
    assert "Page 1 / 1" in text


def test_pdf_is_a4(sample_templates):
    pdf = render_pdf("core_tests/pdf_sample.html", {"meeting": "CA", "names": []})
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    # A4 = 595.28 × 841.89 points.
    assert round(float(box.width)) == 595
    assert round(float(box.height)) == 842


def test_fetcher_serves_static_files():
    fetcher = OfflineURLFetcher(OFFLINE_BASE_URL)
    response = fetcher.fetch(OFFLINE_BASE_URL + "static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_fetcher_decodes_data_urls():
    response = OfflineURLFetcher().fetch("data:text/plain;base64,Qm9uam91cg==")
    assert response.read() == b"Bonjour"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/pixel.png",  # the network
        "http://fede.invalid/static/css/print.css",  # another origin (scheme differs)
        "file:///etc/passwd",  # local files
        OFFLINE_BASE_URL + "media/secret.pdf",  # user files are not static files
        OFFLINE_BASE_URL + "static/../../manage.py",  # path traversal
        OFFLINE_BASE_URL + "static/%2e%2e/%2e%2e/manage.py",
        OFFLINE_BASE_URL + "static/css/does-not-exist.css",
    ],
)
def test_fetcher_refuses_everything_else(url):
    """No network, no arbitrary file: WeasyPrint gets an error and goes on without it."""
    with pytest.raises(ValueError, match="(refusée|introuvable)"):
        OfflineURLFetcher(OFFLINE_BASE_URL).fetch(url)


def test_external_resource_does_not_break_rendering(sample_templates, monkeypatch):
    """The refused external image is skipped; the document is still produced, offline."""
    import urllib.request

    opened = []

    def record(self, url, *args, **kwargs):
        # WeasyPrint swallows fetch errors, so record the attempt instead of raising.
        opened.append(getattr(url, "full_url", url))
        raise OSError("network disabled in tests")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", record)
    pdf = render_pdf("core_tests/pdf_sample.html", {"meeting": "CA", "names": ["Louise"]})
    assert "Louise" in "\n".join(_pages_text(pdf))
    assert opened == []


def test_pdf_response_download_and_inline():
    """Downloads by default; inline on request; the file name survives accents."""
    response = pdf_response(b"%PDF-1.7 test", "Émargement AG.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%C3%89margement%20AG.pdf" in response["Content-Disposition"]
    assert response.content == b"%PDF-1.7 test"

    inline = pdf_response(b"%PDF-1.7 test", "ag.pdf", inline=True)
    assert inline["Content-Disposition"] == 'inline; filename="ag.pdf"'
