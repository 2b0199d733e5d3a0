"""Files sent by users: checked by content, stored under generated names, served privately.

In a form, :class:`CheckedFileField` does everything::

    from fede.core.uploads import CheckedFileField

    class MinutesForm(forms.Form):
        file = CheckedFileField(label=_("Compte rendu"), kinds={"pdf", "document"})

On the model, :func:`generated_upload_to` names the stored file (never after the user's
file name)::

    from fede.core.uploads import generated_upload_to

    class Minutes(TimeStampedModel):
        file = models.FileField(_("fichier"), upload_to=generated_upload_to("comptes-rendus"))
        original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)

In the service, keep the original name for display if useful
(``uploaded.original_name``, set by the check). In the download view, check the
permission on the owner object first, then::

    return protected_file_response(minutes.file, filename=minutes.original_name)

What is checked (:func:`validate_upload`):

- size: at most ``FEDE_UPLOAD_MAX_BYTES`` (10 Mo by default) unless a field asks for less;
  empty files are refused;
- content, not the name: the first bytes are read with ``filetype``; ``kinds`` is a set of
  ``"image"`` (JPEG, PNG, WebP — no SVG, it can carry scripts), ``"pdf"``, ``"document"``
  (DOCX, ODT), ``"spreadsheet"`` (XLSX, ODS), ``"csv"`` (text that decodes as UTF-8 or
  Windows-1252, without NUL bytes and not HTML/XML). A PNG renamed ``.pdf`` is refused;
- errors are ``ValidationError`` with French messages, shown next to the field.

Once checked, the upload's ``name`` becomes ``fichier<ext>`` with the extension of the
detected type, and its former name is kept in ``original_name``. Media files are never
served by the web server directly: downloads go through a view that checks permission
and calls :func:`protected_file_response`.
"""

from __future__ import annotations

import codecs
import mimetypes
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"

# kind -> {detected MIME type: extension used for the stored file}
KINDS: dict[str, dict[str, str]] = {
    "image": {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"},
    "pdf": {"application/pdf": ".pdf"},
    "document": {DOCX: ".docx", ODT: ".odt"},
    "spreadsheet": {XLSX: ".xlsx", ODS: ".ods"},
    "csv": {CSV: ".csv"},
}
KIND_LABELS = {
    "image": _("image (JPEG, PNG, WebP)"),
    "pdf": _("PDF"),
    "document": _("texte (DOCX, ODT)"),
    "spreadsheet": _("tableur (XLSX, ODS)"),
    "csv": _("CSV"),
}
KNOWN_EXTENSIONS = frozenset(ext for types in KINDS.values() for ext in types.values())
# Only these are ever shown in the browser; anything else is downloaded.
INLINE_SAFE_EXTENSIONS = frozenset({".jpg", ".png", ".webp", ".pdf"})

_SNIFF_BYTES = 8192  # what filetype needs to recognise every type above
_TEXT_SNIFF_BYTES = 64 * 1024
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body")


@dataclass(frozen=True)
class DetectedType:
    """What a file really is, from its content."""

    kind: str
    mime: str
    extension: str


def _read_head(file, size: int) -> bytes:
    """The first ``size`` bytes of an upload, leaving the file at its start."""
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _looks_like_text(data: bytes) -> bool:
    if not data or b"\x00" in data:
        return False
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP_STARTS):
        return False
    # Incremental decoding: a multi-byte character cut at the end of the sample is fine.
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False)
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    # Control characters other than tab / line breaks mean a binary file.
    return not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text)


def detect_type(file) -> DetectedType | None:
    """The type of ``file`` among the accepted ones, from its bytes (``None``: unknown)."""
    guess = filetype.guess(_read_head(file, _SNIFF_BYTES))
    if guess is not None:
        for kind, types in KINDS.items():
            if guess.mime in types:
                return DetectedType(kind, guess.mime, types[guess.mime])
        return None
    if _looks_like_text(_read_head(file, _TEXT_SNIFF_BYTES)):
        return DetectedType("csv", CSV, KINDS["csv"][CSV])
    return None


def format_size(num_bytes: int) -> str:
    """A size in French units: ``10 Mo``, ``2,5 Mo``, ``500 Ko``."""
    if num_bytes >= 1024 * 1024:
        value, unit = num_bytes / (1024 * 1024), gettext("Mo")
    else:
        value, unit = num_bytes / 1024, gettext("Ko")
    number = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} {unit}"


def accepted_formats_label(kinds: set[str] | frozenset[str]) -> str:
    """``"PDF ou image (JPEG, PNG, WebP)"`` for the error message and help texts."""
    labels = [str(KIND_LABELS[kind]) for kind in KINDS if kind in kinds]
    return str(get_text_list(labels, gettext("ou")))


def validate_upload(
    uploaded_file, *, kinds: set[str] | frozenset[str], max_bytes: int | None = None
) -> DetectedType:
    """Refuse a file that is too big, empty or not of one of ``kinds``; else rename it.

    Returns the detected type. Sets ``uploaded_file.original_name`` (the user's file name,
    for display only) and renames the upload ``fichier<ext>`` so that the stored name gets
    the extension of its real type. Raises ``ValidationError`` with a French message.
    """
    unknown = set(kinds) - KINDS.keys()
    if unknown or not kinds:
        raise ValueError(f"Unknown upload kinds: {sorted(unknown) or 'none given'}")
    if max_bytes is None:
        max_bytes = settings.FEDE_UPLOAD_MAX_BYTES
    size = uploaded_file.size
    if size is not None and size > max_bytes:
        raise ValidationError(
            gettext("Le fichier dépasse la taille maximale de %(size)s.")
            % {"size": format_size(max_bytes)},
            code="file_too_large",
        )
    if not size:
        raise ValidationError(gettext("Le fichier est vide."), code="empty_file")
    detected = detect_type(uploaded_file)
    if detected is None or detected.kind not in kinds:
        raise ValidationError(
            gettext("Ce type de fichier n'est pas accepté : choisissez un fichier %(formats)s.")
            % {"formats": accepted_formats_label(kinds)},
            code="file_type",
        )
    if not hasattr(uploaded_file, "original_name"):
        uploaded_file.original_name = PurePosixPath(
            str(uploaded_file.name or "").replace("\\", "/")
        ).name[:255]
    uploaded_file.name = f"fichier{detected.extension}"
    return detected


@deconstructible
class GeneratedUploadTo:
    """``upload_to`` that stores files as ``<prefix>/<yyyy>/<mm>/<uuid4><ext>``.

    The extension is kept only if it is one of the types uploads may have (after
    :func:`validate_upload` it is the detected one); nothing else of the user's file name
    is kept. Deconstructible, so migrations can serialise it.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        extension = PurePosixPath(str(filename)).suffix.lower()
        if extension not in KNOWN_EXTENSIONS:
            extension = ""
        now = timezone.localtime()
        return f"{self.prefix}/{now:%Y}/{now:%m}/{uuid.uuid4()}{extension}"

    def __eq__(self, other):
        return isinstance(other, GeneratedUploadTo) and other.prefix == self.prefix

    def __hash__(self):
        return hash(self.prefix)


def generated_upload_to(prefix: str) -> GeneratedUploadTo:
    """The ``upload_to`` of every user-uploaded file: ``<prefix>/<yyyy>/<mm>/<uuid4><ext>``."""
    return GeneratedUploadTo(prefix)


class CheckedFileField(forms.FileField):
    """A form file field that runs :func:`validate_upload` (size and content).

    ``kinds`` as for :func:`validate_upload`; ``max_bytes`` defaults to
    ``FEDE_UPLOAD_MAX_BYTES``. The input gets an ``accept`` attribute so the browser's
    file picker proposes the right files, and a French help text unless one is given.
    """

    def __init__(self, *, kinds: set[str], max_bytes: int | None = None, **kwargs):
        self.kinds = frozenset(kinds)
        self.max_bytes = max_bytes
        unknown = self.kinds - KINDS.keys()
        if unknown or not self.kinds:
            raise ValueError(f"Unknown upload kinds: {sorted(unknown) or 'none given'}")
        kwargs.setdefault("help_text", _lazy_help_text(self.kinds, max_bytes))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        accept = sorted(
            {ext for kind in self.kinds for ext in KINDS[kind].values()}
            | {mime for kind in self.kinds for mime in KINDS[kind]}
        )
        attrs["accept"] = ",".join(accept)
        return attrs

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            validate_upload(value, kinds=self.kinds, max_bytes=self.max_bytes)
        return value


def _help_text(kinds, max_bytes) -> str:
    return gettext("Fichier %(formats)s, %(size)s au plus.") % {
        "formats": accepted_formats_label(kinds),
        "size": format_size(max_bytes or settings.FEDE_UPLOAD_MAX_BYTES),
    }


# Computed when shown: in the language of the request, with the settings of the moment.
_lazy_help_text = lazy(_help_text, str)


def protected_file_response(
    fieldfile: FieldFile, *, filename: str | None = None, inline: bool = False
) -> FileResponse:
    """Serve a stored file to a user the calling view has already authorised.

    ``filename`` is the name proposed to the browser (the stored extension is added if it
    is missing); by default, the stored name. ``inline=True`` shows images and PDFs in the
    browser; other types are always downloaded. Answers 404 when the file is missing.
    """
    if not fieldfile:
        raise Http404
    stored = PurePosixPath(fieldfile.name)
    extension = stored.suffix.lower()
    download_name = (filename or stored.name).replace("/", "_").replace("\\", "_")
    if extension and not download_name.lower().endswith(extension):
        download_name += extension
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not (inline and extension in INLINE_SAFE_EXTENSIONS),
        filename=download_name,
        content_type=content_type,
    )
    # Member files may hold personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response
