"""PDF documents from Django templates, with WeasyPrint, entirely offline.

Usage in a view (after the permission check)::

    from fede.core.pdf import pdf_response, render_pdf

    pdf = render_pdf("events/attendance_sheet.html", {"event": event}, request=request)
    return pdf_response(pdf, "emargement.pdf")

The template extends ``core/pdf_base.html`` and fills ``{% block content %}`` (and
optionally ``title``, ``doc_header``, ``extra_styles``). The base template loads
``css/print.css``: A4 pages, margins, "Page X / Y" at the foot of each page.

Resources (stylesheets, images, fonts) are resolved by :class:`OfflineURLFetcher`:

- URLs under ``STATIC_URL`` on the document's own origin are read from disk — from the
  collected files (``STATIC_ROOT``, hashed names in production) or else from the static
  finders (development, tests);
- ``data:`` URLs are decoded (e.g. a QR code embedded as a data URI);
- anything else (another host, ``file:``, media of users…) is refused: rendering never
  reaches the network and never reads an arbitrary file. WeasyPrint logs the refusal and
  goes on without the resource.

Rendering a long document takes seconds: for more than a few pages, build it in a task
(see :mod:`fede.core.tasks`) and store the result, rather than in the request.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Origin used to resolve relative URLs when no request is given (tasks, commands).
OFFLINE_BASE_URL = "https://fede.invalid/"


class OfflineURLFetcher(URLFetcher):
    """Serves our static files and ``data:`` URLs to WeasyPrint; refuses everything else."""

    def __init__(self, base_url: str = OFFLINE_BASE_URL):
        super().__init__(timeout=1, allow_redirects=False)
        base = urlsplit(base_url)
        self._origin = (base.scheme, base.netloc)
        self._static_prefix = urlsplit(settings.STATIC_URL).path or "/static/"

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            # urllib's DataHandler decodes data: URLs without any I/O.
            return super().fetch(url, headers)
        if (parts.scheme, parts.netloc) != self._origin:
            raise ValueError(f"Ressource externe refusée : {url}")
        path = unquote(parts.path)
        if not path.startswith(self._static_prefix):
            raise ValueError(f"Ressource refusée (hors des fichiers statiques) : {url}")
        file_path = self._static_file(path.removeprefix(self._static_prefix))
        if file_path is None:
            raise ValueError(f"Fichier statique introuvable : {url}")
        content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=file_path.read_bytes(), headers={"Content-Type": content_type}
        )

    @staticmethod
    def _static_file(relative: str) -> Path | None:
        """The file behind a static path: collected files first, then the finders."""
        try:
            if staticfiles_storage.exists(relative):
                return Path(staticfiles_storage.path(relative))
            found = finders.find(relative)
        except (SuspiciousFileOperation, NotImplementedError, ValueError):
            # "../" tricks end here: both lookups refuse paths outside their roots.
            return None
        return Path(found) if found else None


def render_pdf(template_name: str, context: dict[str, Any] | None = None, *, request=None) -> bytes:
    """Render ``template_name`` with ``context`` and return the bytes of the PDF.

    With ``request``, context processors run and relative links in the PDF point to the
    site; without it (in a task), the site name and the generation time are still given
    to the template (``FEDE_SITE_NAME``, ``generated_at``).
    """
    context = dict(context or {})
    context.setdefault("FEDE_SITE_NAME", settings.FEDE_SITE_NAME)
    context.setdefault("generated_at", timezone.localtime())
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else OFFLINE_BASE_URL
    document = HTML(
        string=html, base_url=base_url, url_fetcher=OfflineURLFetcher(base_url), encoding="utf-8"
    )
    return document.write_pdf()


def pdf_response(pdf_bytes: bytes, filename: str, inline: bool = False) -> HttpResponse:
    """An ``application/pdf`` response: downloaded (default) or shown in the browser."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=filename
    )
    response["Content-Length"] = str(len(pdf_bytes))
    return response
