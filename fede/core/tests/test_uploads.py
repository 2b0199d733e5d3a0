"""Uploads are checked by content and size, stored under generated names, served privately."""

import io
import re
import zipfile

import openpyxl
import pypdf
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import Http404
from PIL import Image

from fede.core.uploads import (
    CheckedFileField,
    GeneratedUploadTo,
    generated_upload_to,
    protected_file_response,
    validate_upload,
)

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def image_bytes(fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (196, 18, 47)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Nom"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes():
    """The smallest zip Word would recognise: content types first, then word/…"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- content checks -------------------------------------------------------------------


def test_real_pdf_is_accepted_and_renamed_after_its_type():
    """A PDF is accepted as a PDF; its name becomes neutral, the original is kept aside."""
    file = upload("Compte rendu AG <script>.pdf", pdf_bytes(), "application/pdf")
    detected = validate_upload(file, kinds={"pdf"})
    assert (detected.kind, detected.mime, detected.extension) == ("pdf", "application/pdf", ".pdf")
    assert file.name == "fichier.pdf"
    assert file.original_name == "Compte rendu AG <script>.pdf"
    assert file.read(5) == b"%PDF-", "the check leaves the file at its start"


def test_png_renamed_pdf_is_refused_for_pdf():
    """The name and the browser's content type do not matter: the bytes do."""
    file = upload("rapport.pdf", image_bytes("PNG"), "application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(file, kinds={"pdf"})
    assert excinfo.value.code == "file_type"
    assert excinfo.value.messages == [
        "Ce type de fichier n'est pas accepté : choisissez un fichier PDF."
    ]
    assert file.name == "rapport.pdf", "a refused file is left untouched"


def test_refusal_lists_accepted_formats():
    file = upload("x.exe", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(file, kinds={"image", "pdf"})
    assert excinfo.value.messages == [
        "Ce type de fichier n'est pas accepté : choisissez un fichier "
        "image (JPEG, PNG, WebP) ou PDF."
    ]


def test_oversize_file_is_refused_with_the_limit_in_french(settings):
    settings.FEDE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    file = upload("gros.pdf", pdf_bytes())
    file.size = 10 * 1024 * 1024 + 1  # as Django reports it, without writing 10 Mo here
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(file, kinds={"pdf"})
    assert excinfo.value.code == "file_too_large"
    assert excinfo.value.messages == ["Le fichier dépasse la taille maximale de 10 Mo."]


def test_field_limit_overrides_the_setting():
    file = upload("photo.png", image_bytes() + b"\x00" * 3000)
    with pytest.raises(ValidationError, match="2,5 Ko"):
        validate_upload(file, kinds={"image"}, max_bytes=2560)


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="vide"):
        validate_upload(upload("vide.csv", b""), kinds={"csv"})


@pytest.mark.parametrize(
    ("content", "kinds", "extension"),
    [
        (image_bytes("PNG"), {"image"}, ".png"),
        (image_bytes("JPEG"), {"image"}, ".jpg"),
        (image_bytes("WEBP"), {"image"}, ".webp"),
        (xlsx_bytes(), {"spreadsheet"}, ".xlsx"),
        (docx_bytes(), {"document"}, ".docx"),
        ("Nom;Prénom\nDupont;Élise\n".encode(), {"csv"}, ".csv"),
        ("\ufeffNom;Prénom\r\n".encode(), {"csv"}, ".csv"),
        ("Nom;Prénom\r\nDupont;Élise\r\n".encode("cp1252"), {"csv"}, ".csv"),
    ],
)
def test_accepted_types(content, kinds, extension):
    file = upload("whatever.bin", content)
    assert validate_upload(file, kinds=kinds).extension == extension
    assert file.name == "fichier" + extension


@pytest.mark.parametrize(
    ("content", "kinds"),
    [
        (xlsx_bytes(), {"document"}),  # a spreadsheet is not a text document
        (docx_bytes(), {"spreadsheet"}),
        (image_bytes("GIF"), {"image"}),  # not in the list
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            {"image", "csv"},
        ),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", {"csv"}),
        (bytes(range(256)) * 4, {"csv"}),  # binary
        (pdf_bytes(), {"csv"}),
    ],
)
def test_refused_types(content, kinds):
    with pytest.raises(ValidationError):
        validate_upload(upload("x.csv", content), kinds=kinds)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown upload kinds"):
        validate_upload(upload("x.pdf", pdf_bytes()), kinds={"video"})


# --- generated names -----------------------------------------------------------------


def test_generated_name_never_contains_the_original_name():
    """Stored as <prefix>/<yyyy>/<mm>/<uuid4><ext>, the extension from the detected type."""
    file = upload("Liste des adhérents - confidentiel.pdf", pdf_bytes())
    validate_upload(file, kinds={"pdf"})
    name = generated_upload_to("comptes-rendus")(None, file.name)
    assert re.fullmatch(rf"comptes-rendus/\d{{4}}/\d{{2}}/{UUID_RE}\.pdf", name), name
    assert "adh" not in name and "confidentiel" not in name
    assert generated_upload_to("x")(None, file.name) != generated_upload_to("x")(None, file.name)


@pytest.mark.parametrize(
    ("filename", "suffix"),
    [
        ("evil.php", ""),
        ("photo.PNG", ".png"),
        ("archive.tar.gz", ""),
        ("noext", ""),
        ("../../etc/passwd", ""),
    ],
)
def test_generated_name_keeps_only_known_extensions(filename, suffix):
    """Even a file that skipped the check cannot choose its extension or its folder."""
    name = GeneratedUploadTo("docs/")(None, filename)
    assert re.fullmatch(rf"docs/\d{{4}}/\d{{2}}/{UUID_RE}{re.escape(suffix)}", name), name


def test_upload_to_is_serialisable_for_migrations():
    path, args, kwargs = generated_upload_to("photos").deconstruct()
    assert path == "fede.core.uploads.GeneratedUploadTo"
    assert args == ("photos",)
    assert GeneratedUploadTo("photos") == generated_upload_to("photos")


def test_generated_name_is_used_by_a_file_field():
    field = models.FileField(upload_to=generated_upload_to("pieces"))
    file = upload("Mon CV.pdf", pdf_bytes())
    validate_upload(file, kinds={"pdf"})
    assert re.fullmatch(
        rf"pieces/\d{{4}}/\d{{2}}/{UUID_RE}\.pdf", field.generate_filename(None, file.name)
    )


# --- form field ---------------------------------------------------------------------


class MinutesForm(forms.Form):
    file = CheckedFileField(label="Compte rendu", kinds={"pdf", "document"}, max_bytes=1024 * 1024)


def test_form_field_shows_french_error_next_to_the_field():
    form = MinutesForm(data={}, files={"file": upload("cr.pdf", image_bytes())})
    assert not form.is_valid()
    assert form.errors["file"] == [
        "Ce type de fichier n'est pas accepté : choisissez un fichier PDF ou texte (DOCX, ODT)."
    ]


def test_form_field_accepts_a_good_file_and_guides_the_picker():
    form = MinutesForm(data={}, files={"file": upload("cr.pdf", pdf_bytes())})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"].name == "fichier.pdf"
    assert form.cleaned_data["file"].original_name == "cr.pdf"
    html = str(form["file"])
    assert 'accept="' in html and ".pdf" in html and ".docx" in html
    assert str(form.fields["file"].help_text) == "Fichier PDF ou texte (DOCX, ODT), 1 Mo au plus."


def test_form_field_is_still_required():
    form = MinutesForm(data={}, files={})
    assert not form.is_valid()
    assert "file" in form.errors


# --- serving -------------------------------------------------------------------------


def _stored(name, content):
    field = models.FileField(upload_to=generated_upload_to("tests"))
    stored_name = default_storage.save(name, ContentFile(content))
    return FieldFile(None, field, stored_name)


def test_protected_file_response_downloads_with_the_given_name():
    content = pdf_bytes()
    fieldfile = _stored("tests/2025/03/abc.pdf", content)
    response = protected_file_response(fieldfile, filename="Compte rendu AG")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"] == 'attachment; filename="Compte rendu AG.pdf"'
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content
    response.file_to_stream.close()


def test_protected_file_response_inline_only_for_safe_types():
    pdf = protected_file_response(_stored("tests/a.pdf", pdf_bytes()), inline=True)
    assert pdf["Content-Disposition"].startswith("inline;")
    pdf.file_to_stream.close()
    csv_file = protected_file_response(_stored("tests/a.csv", b"a;b\n"), inline=True)
    assert csv_file["Content-Disposition"].startswith("attachment;")
    assert csv_file["Content-Type"] == "text/csv"
    csv_file.file_to_stream.close()


def test_protected_file_response_missing_file_is_404():
    field = models.FileField()
    with pytest.raises(Http404):
        protected_file_response(FieldFile(None, field, "tests/missing.pdf"))
    with pytest.raises(Http404):
        protected_file_response(FieldFile(None, field, None))
