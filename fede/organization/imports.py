"""Import of the member file from CSV or XLSX: the services of the import.

The columns are documented in ``docs/guide/import.md``. The flow:

1. the file is checked (:func:`fede.core.uploads.validate_upload`) and saved under a
   generated name in the private storage (``private/imports/``): :func:`import_file_save`;
2. a **dry run** reads every row and lists every bad row with its line number and a
   French reason, and counts the rows that would be created, updated or left unchanged;
3. once confirmed (:func:`member_import_confirm`), the import itself runs as a task
   (:data:`member_import_task`) with a progress bar.

:func:`import_members` does steps 2 and 3 and can be called without HTTP (benchmarks,
shell). It always validates the whole file first: if any row is bad, nothing is written.

A CSV is first scanned once as bytes: the encoding is chosen on the whole file (UTF-8, or
Windows-1252 for a CSV saved by a French Excel), and every line holding a NUL byte or
bytes of no encoding is reported with its number. Rows are then read one by one (CSV
through a text stream, keeping physical line numbers: a quoted value running over several
lines is reported, and is an error when it swallowed a delimiter, the mark of a quote left
open; XLSX in openpyxl's read-only mode, any refusal of the XML parser reported as a bad
file). Rows are compared with the member file in batches of 2,000; duplicate numbers are
errors, duplicate e-mails (in the file or against the member file) warnings.

The import is **all or nothing**. What each batch will write is kept in a temporary file
while checking. Once the whole file is known to be correct, the batches are staged (on
PostgreSQL, ``COPY`` into two temporary tables of the session, the progress bar moving
batch after batch), then applied in **one transaction**: one ``INSERT … SELECT``, one
``UPDATE … FROM``, the section moves, and the access-log line with the row count. A
failed, interrupted or killed import leaves the member file exactly as it was, and the
same dry run can be confirmed again.

Rows are matched on the membership number (upsert). A value is compared before it is
written: importing the same file twice changes nothing, not even ``updated_at``. An empty
cell leaves the existing value as it is (a new member gets the default).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import logging
import pickle
import re
import sqlite3
import tempfile
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from fede.core.access import authorize
from fede.core.audit import audit, log_access
from fede.core.models import TaskProgress
from fede.core.tasks import (
    INTERRUPTED,
    progress_finish,
    progress_guard,
    progress_heartbeat,
    progress_start,
    progress_update,
)

from . import memo
from .fields import MEMBER_IMPORT_FIELDS
from .models import Member, Transfer, Unit
from .roles import reach, units_q

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
# The report keeps this many bad rows; beyond that it only counts them.
MAX_LISTED_ERRORS = 10_000
IMPORT_DIR = "private/imports"
# Uploaded files left behind (dry run never confirmed) are removed after this delay.
IMPORT_FILE_RETENTION = datetime.timedelta(days=2)

# Canonical column → model field (declared once, in fields.py).
FIELDS = MEMBER_IMPORT_FIELDS
REQUIRED = ("numero_adherent", "nom", "prenom", "date_adhesion", "section")

# Accepted spellings of each column, once normalised (lower case, no accents, "_").
ALIASES = {
    "numero_adherent": {
        "numero_adherent",
        "numero_d_adherent",
        "n_adherent",
        "no_adherent",
        "num_adherent",
        "numero",
        "membership_number",
    },
    "nom": {"nom", "nom_de_famille", "last_name"},
    "prenom": {"prenom", "first_name"},
    "email": {"email", "e_mail", "courriel", "adresse_e_mail", "adresse_email", "mail"},
    "telephone": {"telephone", "tel", "portable", "phone"},
    "adresse": {"adresse", "adresse_postale", "address"},
    "code_postal": {"code_postal", "cp", "postal_code"},
    "ville": {"ville", "commune", "city"},
    "date_naissance": {"date_naissance", "date_de_naissance", "ne_le", "nee_le", "birth_date"},
    "date_adhesion": {"date_adhesion", "date_d_adhesion", "adhesion", "joined_on"},
    "date_depart": {"date_depart", "date_de_depart", "left_on"},
    "statut": {"statut", "status"},
    "section": {"section", "code_section", "nom_section"},
    "consentement_contact": {
        "consentement_contact",
        "consentement_coordonnees",
        "consent_share_contact",
    },
    "consentement_lettre": {
        "consentement_lettre",
        "consentement_newsletter",
        "lettre",
        "consent_newsletter",
    },
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in ALIASES.items() for alias in aliases}

_STATUSES = {
    Member.Status.ACTIVE: {"active", "actif", "adherent", "adherente", "adherent_e", "a_jour"},
    Member.Status.LAPSED: {
        "lapsed",
        "non_renouvele",
        "non_renouvelee",
        "non_renouvele_e",
        "radie",
        "radiee",
    },
    Member.Status.RESIGNED: {
        "resigned",
        "demissionnaire",
        "demission",
        "demissionne",
        "demissionnee",
    },
    Member.Status.EXCLUDED: {"excluded", "exclu", "exclue", "exclu_e"},
    Member.Status.DECEASED: {"deceased", "decede", "decedee", "decede_e"},
}
_STATUS_BY_WORD = {word: status for status, words in _STATUSES.items() for word in words}
_TRUE = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x"})
_FALSE = frozenset({"non", "n", "no", "faux", "false", "0"})

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
_NON_WORD = re.compile(r"[^a-z0-9]+")

_MAX_LENGTHS = {
    name: Member._meta.get_field(name).max_length
    for name in (
        "membership_number",
        "last_name",
        "first_name",
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
    )
}
_PLAIN_TEXT = frozenset(
    {"numero_adherent", "nom", "prenom", "telephone", "adresse", "code_postal", "ville"}
)
# Compared and written on update (section moves are also recorded as transfers).
_COMPARED = tuple(f for c, f in FIELDS.items() if c != "numero_adherent")


def normalise(text: str) -> str:
    """ "N° d'adhérent " → "n_d_adherent": lower case, no accents, words joined by "_"."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return _NON_WORD.sub("_", text.lower()).strip("_")


@dataclass
class RowError:
    """One reason why one row cannot be imported."""

    line: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    """What a dry run found, or what an import did."""

    dry_run: bool = True
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    bad_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    moved: int = 0
    # Points to check that do not stop the import (an e-mail given twice…).
    warning_count: int = 0
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    @property
    def errors_not_listed(self) -> int:
        return self.error_count - len(self.errors)

    def add_error(self, line: int, column: str, value: Any, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(
                RowError(line, column, "" if value is None else str(value)[:100], message)
            )

    @property
    def warnings_not_listed(self) -> int:
        return self.warning_count - len(self.warnings)

    def add_warning(self, line: int, column: str, value: Any, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED_ERRORS:
            self.warnings.append(
                RowError(line, column, "" if value is None else str(value)[:100], message)
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        data["warnings"] = [RowError(**e) for e in data.get("warnings", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


# --- Reading the file, row by row --------------------------------------------------------


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


class FileFormatError(Exception):
    """The file is not a readable CSV or XLSX; the message is the French reason."""


class _Row(NamedTuple):
    """One logical row: its first and last physical line, its cells, and the indexes of
    the cells that hold a line break (``merged``: the break sits in a cell that also
    holds the delimiter, the mark of a quote opened on one line and closed further on)."""

    line: int
    last_line: int
    cells: list[str]
    multiline: tuple[int, ...] = ()
    merged: tuple[int, ...] = ()


# UTF-8 sequences of the characters a French member file holds (é, è, à, ç, «, ’…): met
# in a file that is not valid UTF-8, they show a file that mixes two encodings.
_UTF8_ACCENT = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_SCAN_CHUNK = 1 << 20
# Lines reported for one kind of problem found while scanning the bytes.
_SCAN_MAX_LINES = 1000


@dataclass
class _TextScan:
    """What one pass over the bytes of a CSV found: the encoding to read it with, its
    number of physical lines, and the lines that cannot be imported."""

    encoding: str = "utf-8"
    lines: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def _chunks(binary: IO[bytes]) -> Iterator[bytes]:
    """The file in pieces of about 1 MB, each ending with a whole line."""
    rest = b""
    while piece := binary.read(_SCAN_CHUNK):
        piece = rest + piece
        cut = piece.rfind(b"\n") + 1
        if not cut:
            rest = piece
            continue
        rest = piece[cut:]
        yield piece[:cut]
    if rest:
        yield rest


def _bad_byte_lines(encoding: str, chunk: bytes, first_line: int, room: int) -> list[int]:
    """Up to ``room`` physical lines of ``chunk`` (starting at ``first_line``) that
    ``encoding`` cannot decode."""
    if room <= 0:
        return []
    try:
        chunk.decode(encoding)
    except UnicodeDecodeError:
        pass
    else:
        return []
    found = []
    for number, raw in enumerate(chunk.split(b"\n"), start=first_line):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            found.append(number)
            if len(found) >= room:
                break
    return found


def _scan_text(binary: IO[bytes]) -> _TextScan:
    """Read the whole CSV once: choose its encoding, count its lines, find the lines
    that hold a NUL byte or bytes of no encoding.

    UTF-8 (with or without BOM) when the whole file is valid UTF-8; Windows-1252 (a CSV
    saved by a French Excel) when it is not and holds no UTF-8 accent. A file that mixes
    both cannot be read right: each line that is not UTF-8 is reported.
    """
    binary.seek(0)
    scan = _TextScan()
    head = binary.read(3)
    binary.seek(0)
    scan.encoding = "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
    utf8_bad: list[int] = []
    cp1252_bad: list[int] = []
    nul_lines: list[int] = []
    accents = False
    line = 1
    for chunk in _chunks(binary):
        if b"\x00" in chunk:
            position = chunk.find(b"\x00")
            while position >= 0 and len(nul_lines) < _SCAN_MAX_LINES:
                nul_line = line + chunk.count(b"\n", 0, position)
                if not nul_lines or nul_lines[-1] != nul_line:
                    nul_lines.append(nul_line)
                position = chunk.find(b"\x00", position + 1)
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            utf8_bad += _bad_byte_lines("utf-8", chunk, line, _SCAN_MAX_LINES - len(utf8_bad))
            cp1252_bad += _bad_byte_lines("cp1252", chunk, line, _SCAN_MAX_LINES - len(cp1252_bad))
        accents = accents or bool(_UTF8_ACCENT.search(chunk))
        line += chunk.count(b"\n")
        scan.lines += chunk.count(b"\n")
    binary.seek(0)
    bad_lines: list[int] = []
    if utf8_bad and not accents:
        # A CSV saved by a French Excel: Windows-1252 from the first line to the last.
        scan.encoding = "cp1252"
        bad_lines = cp1252_bad
    elif utf8_bad:
        bad_lines = utf8_bad
    message = gettext(
        "caractère illisible : le fichier mélange deux encodages (ou contient des "
        "octets invalides) ; enregistrez-le en CSV UTF-8"
    )
    scan.problems = [(number, message) for number in bad_lines[:_SCAN_MAX_LINES]]
    nul = gettext("caractère nul (octet 0) : cette ligne ne peut pas être enregistrée")
    scan.problems += [(number, nul) for number in nul_lines]
    scan.problems.sort()
    return scan


def _csv_rows(binary: IO[bytes], encoding: str) -> Iterator[_Row]:
    """The rows of a CSV, each with its physical line numbers."""
    binary.seek(0)
    # Undecodable bytes were reported by the scan, with their line: read them replaced.
    text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    try:
        first = text.readline()
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        last = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileFormatError(
                    gettext(
                        "Fichier illisible à partir de la ligne %(line)s : un guillemet "
                        "n'est sans doute pas fermé."
                    )
                    % {"line": last + 1}
                ) from exc
            line, last = last + 1, reader.line_num
            if last > line:
                multiline = tuple(i for i, cell in enumerate(cells) if "\n" in cell or "\r" in cell)
                merged = tuple(i for i in multiline if delimiter in cells[i])
                yield _Row(line, last, cells, multiline, merged)
            else:
                yield _Row(line, last, cells)
    finally:
        text.detach()


def _xlsx_error(exc: Exception) -> FileFormatError:
    logger.info("XLSX refused: %s: %s", type(exc).__name__, exc)
    return FileFormatError(
        gettext(
            "Fichier XLSX invalide ou dangereux : le classeur est illisible ou contient des "
            "définitions refusées (DTD, entités). Enregistrez-le de nouveau en XLSX ou en CSV."
        )
    )


def _xlsx_rows(binary: IO[bytes]) -> Iterator[_Row]:
    """The rows of the first sheet. Anything the parser refuses (a broken archive, a
    DTD with external or exploding entities…) becomes a :class:`FileFormatError`."""
    from openpyxl import load_workbook

    binary.seek(0)
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — every refusal of the parser is reported
        raise _xlsx_error(exc) from exc
    try:
        iterator = workbook.worksheets[0].iter_rows(values_only=True)
        line = 0
        while True:
            try:
                row = next(iterator)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 — same
                raise _xlsx_error(exc) from exc
            line += 1
            yield _Row(line, line, [_cell_text(v) for v in row])
    finally:
        workbook.close()


def _is_xlsx(binary: IO[bytes]) -> bool:
    binary.seek(0)
    magic = binary.read(4)
    binary.seek(0)
    return magic == b"PK\x03\x04"


# --- Validating --------------------------------------------------------------------------


@dataclass
class _Section:
    pk: int
    in_scope: bool
    active: bool


@dataclass
class _Context:
    """What validation needs to know once, before reading the rows."""

    actor: Any
    today: datetime.date
    sections: dict[str, _Section]
    scope_ids: set[int]
    erased_digests: set[str]
    section_cache: dict[str, _Section | None] = field(default_factory=dict)

    @classmethod
    def build(cls, actor) -> _Context:
        from .personal_data import erased_number_digests

        in_scope = set(
            Unit.objects.sections()
            .filter(units_q(actor, "members.import"))
            .values_list("pk", flat=True)
        )
        rows = list(Unit.objects.sections().values_list("pk", "code", "name", "is_active"))
        sections: dict[str, _Section] = {}
        # A code wins over a name when both could match.
        for pk, _code, name, active in rows:
            sections.setdefault(normalise(name), _Section(pk, pk in in_scope, active))
        for pk, code, _name, active in rows:
            sections[normalise(code)] = _Section(pk, pk in in_scope, active)
        return cls(
            actor=actor,
            today=timezone.localdate(),
            sections=sections,
            scope_ids=in_scope,
            erased_digests=erased_number_digests(),
        )

    def section(self, raw: str) -> _Section | None:
        try:
            return self.section_cache[raw]
        except KeyError:
            found = self.sections.get(normalise(raw))
            self.section_cache[raw] = found
            return found


def _map_header(header: list[str], report: ImportReport) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _ALIAS_TO_COLUMN.get(normalise(title))
        if column and column not in columns:
            columns[column] = index
        elif title.strip():
            report.ignored_columns.append(title.strip())
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        report.file_error = gettext(
            "Colonne obligatoire absente de la première ligne : %(columns)s. "
            "Les colonnes attendues sont décrites dans le guide d'import."
        ) % {"columns": ", ".join(missing)}
        return None
    return columns


class _Bad(Exception):
    """A cell that cannot be imported; the message is the French reason."""


def _parse_date(raw: str) -> datetime.date:
    """A date written JJ/MM/AAAA (or AAAA-MM-JJ); raises _Bad with the reason."""
    if len(raw) == 10 and raw[2] == "/" and raw[5] == "/" and raw.replace("/", "").isdigit():
        day, month, year = int(raw[:2]), int(raw[3:5]), int(raw[6:])
    else:
        match = _DMY.match(raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
        else:
            match = _YMD.match(raw)
            if not match:
                raise _Bad(
                    gettext("date illisible « %(value)s » (attendu : JJ/MM/AAAA)") % {"value": raw}
                )
            year, month, day = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _Bad(gettext("date impossible « %(value)s »") % {"value": raw}) from None


# A common subset of what Django's EmailValidator accepts, checked first because it is
# much faster; anything else goes through the validator itself.
_SIMPLE_EMAIL = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def _cell_parsers(ctx: _Context) -> dict[str, Any]:
    """One function per column: raw text → model value (or raise _Bad)."""
    today = ctx.today
    statuses: dict[str, str] = {}
    booleans = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)

    def text(name: str):
        limit = _MAX_LENGTHS[name]

        def parse(raw: str) -> str:
            if len(raw) > limit:
                raise _Bad(
                    gettext("valeur trop longue (%(max)s caractères au plus)") % {"max": limit}
                )
            return raw

        return parse

    def email(raw: str) -> str:
        if len(raw) > _MAX_LENGTHS["email"]:
            raise _Bad(gettext("adresse e-mail invalide « %(value)s »") % {"value": raw})
        if not _SIMPLE_EMAIL.match(raw):
            try:
                validate_email(raw)
            except ValidationError:
                raise _Bad(
                    gettext("adresse e-mail invalide « %(value)s »") % {"value": raw}
                ) from None
        return raw

    def past_date(message: str):
        def parse(raw: str) -> datetime.date:
            value = _parse_date(raw)
            if value > today:
                raise _Bad(message % {"value": raw})
            if value.year < 1900:
                raise _Bad(gettext("date invraisemblable « %(value)s »") % {"value": raw})
            return value

        return parse

    def status(raw: str) -> str:
        try:
            return statuses[raw]
        except KeyError:
            found = _STATUS_BY_WORD.get(normalise(raw))
            if found is None:
                raise _Bad(gettext("statut inconnu « %(value)s »") % {"value": raw}) from None
            statuses[raw] = str(found)
            return statuses[raw]

    def section(raw: str) -> int:
        found = ctx.section(raw)
        if found is None:
            raise _Bad(gettext("section inconnue « %(value)s »") % {"value": raw})
        if not found.in_scope:
            raise _Bad(gettext("section hors de votre périmètre"))
        if not found.active:
            raise _Bad(gettext("section fermée « %(value)s »") % {"value": raw})
        return found.pk

    def boolean(raw: str) -> bool:
        try:
            return booleans[raw.lower()]
        except KeyError:
            raise _Bad(
                gettext("réponse « %(value)s » non reconnue (oui ou non attendu)") % {"value": raw}
            ) from None

    return {
        "numero_adherent": text("membership_number"),
        "nom": text("last_name"),
        "prenom": text("first_name"),
        "email": email,
        "telephone": text("phone"),
        "adresse": text("address"),
        "code_postal": text("postal_code"),
        "ville": text("city"),
        "date_naissance": past_date(gettext("date de naissance dans le futur « %(value)s »")),
        "date_adhesion": past_date(gettext("date d'adhésion dans le futur « %(value)s »")),
        "date_depart": past_date(gettext("date de départ dans le futur « %(value)s »")),
        "statut": status,
        "section": section,
        "consentement_contact": boolean,
        "consentement_lettre": boolean,
    }


class _Validator:
    """Turns the cells of a row into model values, reporting every bad cell."""

    def __init__(self, columns: dict[str, int], ctx: _Context, report: ImportReport):
        parsers = _cell_parsers(ctx)
        # Plain text columns are checked inline (most cells): (column, index, field,
        # max length or 0, parser or None, required).
        self.plan = [
            (
                column,
                index,
                FIELDS[column],
                _MAX_LENGTHS[FIELDS[column]] if column in _PLAIN_TEXT else 0,
                None if column in _PLAIN_TEXT else parsers[column],
                column in REQUIRED,
            )
            for column, index in columns.items()
        ]
        self.report = report

    def __call__(self, cells: list[str], line: int) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        bad = False
        width = len(cells)
        for column, index, name, limit, parse, required in self.plan:
            raw = cells[index].strip() if index < width else ""
            if not raw:
                if required:
                    bad = True
                    self.report.add_error(line, column, "", gettext("champ obligatoire manquant"))
                continue
            if parse is None:
                if len(raw) <= limit:
                    values[name] = raw
                    continue
                bad = True
                message = gettext("valeur trop longue (%(max)s caractères au plus)") % {
                    "max": limit
                }
                self.report.add_error(line, column, raw, message)
                continue
            try:
                values[name] = parse(raw)
            except _Bad as exc:
                bad = True
                self.report.add_error(line, column, raw, str(exc))
        if bad:
            return None
        birth, joined = values.get("birth_date"), values.get("joined_on")
        if birth and joined and birth > joined:
            self.report.add_error(
                line,
                "date_naissance",
                "",
                gettext("date de naissance postérieure à la date d'adhésion"),
            )
            return None
        return values


# --- Comparing with the member file and writing -----------------------------------------


def _existing(numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The compared values of the members with these numbers, by number."""
    names = ("pk", "membership_number", "anonymised_at", *_COMPARED)
    if connection.vendor != "postgresql":
        rows = Member.objects.filter(membership_number__in=numbers).values_list(*names)
        return {row[1]: dict(zip(names, row, strict=True)) for row in rows}
    # One array parameter instead of 2,000 placeholders: much cheaper to send.
    meta = Member._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.pk.column if n == "pk" else meta.get_field(n).column) for n in names
    )
    number_column = quote(meta.get_field("membership_number").column)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {number_column} = ANY(%s)"  # noqa: S608 — names from the model, values as a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [numbers])
        return {row[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


@dataclass
class _Plan:
    """What to write for one batch."""

    create: list[dict[str, Any]] = field(default_factory=list)
    # pk, all compared values, the names of those that changed
    update: list[tuple[int, dict[str, Any], frozenset[str]]] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    moves: list[tuple[int, int, int]] = field(default_factory=list)  # member, from, to
    unchanged: int = 0


def _plan(rows: list[tuple[int, dict[str, Any]]], ctx: _Context, report: ImportReport) -> _Plan:
    """Sort a batch into rows to create, update or leave; report rows out of scope."""
    from .personal_data import erased_number_digest

    plan = _Plan()
    existing = _existing([values["membership_number"] for _line, values in rows])
    for line, values in rows:
        number = values["membership_number"]
        current = existing.get(number)
        if current is None:
            if ctx.erased_digests and erased_number_digest(number) in ctx.erased_digests:
                report.bad_rows += 1
                report.add_error(
                    line,
                    "numero_adherent",
                    number,
                    gettext(
                        "numéro d'une personne dont les données ont été effacées à sa "
                        "demande : retirez cette ligne"
                    ),
                )
                continue
            plan.create.append(values)
            continue
        if current["section_id"] not in ctx.scope_ids:
            report.bad_rows += 1
            report.add_error(
                line,
                "numero_adherent",
                number,
                gettext("adhérent·e d'une section hors de votre périmètre"),
            )
            continue
        if current["anonymised_at"] is not None:
            report.bad_rows += 1
            report.add_error(line, "numero_adherent", number, gettext("fiche anonymisée"))
            continue
        changed = {k for k, v in values.items() if current[k] != v}
        changed.discard("membership_number")
        if not changed:
            plan.unchanged += 1
            continue
        if "section_id" in changed:
            plan.moves.append((current["pk"], current["section_id"], values["section_id"]))
        merged = {k: current[k] for k in _COMPARED}
        merged.update(values)
        del merged["membership_number"]
        plan.update.append((current["pk"], merged, frozenset(changed)))
        plan.update_fields |= changed
    return plan


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in the text format of COPY."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date):  # dates and datetimes
        return value.isoformat()
    return _copy_escape(str(value))


def _copy_escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _copy_converter(field):
    """The function writing a (non-empty) imported value of ``field`` for COPY."""
    if isinstance(field, models.BooleanField):
        return {True: "t", False: "f"}.__getitem__
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return datetime.date.isoformat
    if isinstance(field, models.CharField):
        return _copy_escape
    return _copy_text


def _copy_lines(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(cells) for cells in rows) + "\n"


class _Stage:
    """Where the rows to write wait until the whole file is known to be good, before
    being applied to the member file in one transaction.

    On PostgreSQL, new members and changed members are copied (``COPY``) into two
    temporary tables, batch after batch, outside any transaction (a temporary table
    belongs to this session alone, and disappears with it if the process is killed);
    the apply is then one ``INSERT … SELECT`` and one ``UPDATE … FROM``. Elsewhere the
    batches stay in the spool file and are written one after the other inside the
    apply's transaction. Section moves wait in a spool file in both cases.
    """

    NEW = "import_member_new"
    UPDATE = "import_member_update"

    def __init__(self, stack: ExitStack):
        self.postgresql = connection.vendor == "postgresql"
        self.moves = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 — closed by the stack
        self.move_batches = 0
        self.plans: list[int] = []  # spool offsets of the plans (not PostgreSQL)
        self.created = 0
        self.updated = 0
        self.update_fields: set[str] = set()
        self.now = timezone.now()
        if self.postgresql:
            self._create_tables()
            stack.callback(self._drop_tables)

    # PostgreSQL tables ---------------------------------------------------------------

    def _quote(self, name: str) -> str:
        return connection.ops.quote_name(name)

    def _new_fields(self):
        return [f for f in Member._meta.concrete_fields if not f.primary_key]

    def _update_fields(self):
        return [Member._meta.get_field(name) for name in _COMPARED]

    def _create_tables(self) -> None:
        table = self._quote(Member._meta.db_table)
        pk = self._quote(Member._meta.pk.column)
        new = ", ".join(self._quote(f.column) for f in self._new_fields())
        changed = ", ".join([pk, *(self._quote(f.column) for f in self._update_fields())])
        self._drop_tables()
        with connection.cursor() as cursor:
            # CREATE TABLE AS copies neither NOT NULL nor any index: NULL in the update
            # table means "leave the current value".
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self._quote(self.NEW)} AS "  # noqa: S608 — names from the model
                f"SELECT {new} FROM {table} WITH NO DATA"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self._quote(self.UPDATE)} AS "  # noqa: S608 — names from the model
                f"SELECT {changed} FROM {table} WITH NO DATA"
            )

    def _drop_tables(self) -> None:
        if connection.connection is None or (
            not connection.in_atomic_block and not connection.is_usable()
        ):
            return  # the session is gone, and its temporary tables with it
        with connection.cursor() as cursor:
            for name in (self.NEW, self.UPDATE):
                cursor.execute(f"DROP TABLE IF EXISTS {self._quote(name)}")

    # Staging ---------------------------------------------------------------------------

    def add(self, plan: _Plan, offset: int) -> None:
        """Stage one batch."""
        self.created += len(plan.create)
        self.updated += len(plan.update)
        self.update_fields |= plan.update_fields
        if plan.moves:
            pickle.dump(plan.moves, self.moves, protocol=pickle.HIGHEST_PROTOCOL)
            self.move_batches += 1
        if not self.postgresql:
            self.plans.append(offset)
            return
        if plan.create:
            self._copy(self.NEW, self._new_fields(), self._new_lines(plan.create))
        if plan.update:
            self._copy(
                self.UPDATE,
                [Member._meta.pk, *self._update_fields()],
                self._update_lines(plan.update),
            )

    def _copy(self, table: str, fields, lines: list[list[str]]) -> None:
        columns = ", ".join(self._quote(f.column) for f in fields)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {self._quote(table)} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(_copy_lines(lines))

    def _new_lines(self, rows: list[dict[str, Any]]) -> list[list[str]]:
        spec = [
            (
                f.attname,
                _copy_text(
                    self.now if f.attname in ("created_at", "updated_at") else f.get_default()
                ),
                _copy_converter(f),
            )
            for f in self._new_fields()
        ]
        return [
            [
                convert(values[name]) if name in values else default
                for name, default, convert in spec
            ]
            for values in rows
        ]

    def _update_lines(self, rows: list[tuple[int, dict[str, Any], frozenset]]) -> list[list[str]]:
        spec = [(f.attname, _copy_converter(f)) for f in self._update_fields()]
        # Only the changed values are staged; the others stay NULL (the file never gives a
        # NULL: an empty cell leaves the value as it is).
        return [
            [
                str(pk),
                *(convert(values[name]) if name in changed else "\\N" for name, convert in spec),
            ]
            for pk, values, changed in rows
        ]

    # Applying --------------------------------------------------------------------------

    def apply(self, spool: IO[bytes], actor) -> None:
        """Write everything staged. Must run inside the import's one transaction."""
        if self.postgresql:
            self._apply_postgresql()
        else:
            for offset in self.plans:
                spool.seek(offset)
                plan: _Plan = pickle.load(spool)  # noqa: S301 — our own temporary file
                _write_plan(plan)
        self.moves.seek(0)
        for _batch in range(self.move_batches):
            moves = pickle.load(self.moves)  # noqa: S301 — our own temporary file
            _write_moves(moves, actor)
        memo.clear_all()  # bulk writes send no signal

    def _apply_postgresql(self) -> None:
        meta = Member._meta
        table = self._quote(meta.db_table)
        pk = self._quote(meta.pk.column)
        with connection.cursor() as cursor:
            if self.created:
                new = ", ".join(self._quote(f.column) for f in self._new_fields())
                cursor.execute(
                    f"INSERT INTO {table} ({new}) SELECT {new} FROM {self._quote(self.NEW)}"  # noqa: S608 — names from the model
                )
                if cursor.rowcount != self.created:
                    raise _ConcurrentChange
            if self.updated:
                columns = [
                    self._quote(meta.get_field(name).column) for name in sorted(self.update_fields)
                ]
                assignments = ", ".join(f"{c} = COALESCE(t.{c}, m.{c})" for c in columns)
                stamp = self._quote(meta.get_field("updated_at").column)
                cursor.execute(
                    f"UPDATE {table} AS m SET {assignments}, {stamp} = %s "  # noqa: S608 — names from the model
                    f"FROM {self._quote(self.UPDATE)} AS t WHERE m.{pk} = t.{pk}",
                    [timezone.now()],
                )
                if cursor.rowcount != self.updated:
                    raise _ConcurrentChange


class _ConcurrentChange(Exception):
    """The member file changed between the check and the write (a member deleted)."""


def _write_plan(plan: _Plan) -> None:
    """Write one batch with the ORM (databases other than PostgreSQL)."""
    if plan.create:
        Member.objects.bulk_create([Member(**values) for values in plan.create], batch_size=500)
    if plan.update:
        now = timezone.now()
        members = [Member(pk=pk, updated_at=now, **values) for pk, values, _changed in plan.update]
        fields = sorted(
            f.removesuffix("_id") if f == "section_id" else f for f in plan.update_fields
        )
        Member.objects.bulk_update(members, [*fields, "updated_at"], batch_size=500)


def _write_moves(moves: list[tuple[int, int, int]], actor) -> None:
    """Section changes, recorded as approved transfers (the member's history shows them)."""
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    Transfer.objects.bulk_create(
        [
            Transfer(
                member_id=member_id,
                from_unit_id=from_id,
                to_unit_id=to_id,
                status=Transfer.Status.APPROVED,
                reason=gettext("Import du fichier des adhérents"),
                requested_by=user,
                decided_by=user,
                decided_at=now,
            )
            for member_id, from_id, to_id in moves
        ],
        batch_size=1000,
    )


def _count_sheet_rows(handle) -> int | None:
    """Rows of the first sheet as the workbook declares them (no cell is read)."""
    from openpyxl import load_workbook

    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True)
    except Exception:  # noqa: BLE001 — only an estimate; reading the rows reports errors
        return None
    finally:
        handle.seek(0)
    try:
        rows = workbook.worksheets[0].max_row
    except Exception:  # noqa: BLE001 — same
        rows = None
    finally:
        workbook.close()
    return max(0, rows - 1) if rows else None


def _progress(progress_id: str | None, **changes) -> None:
    if progress_id:
        progress_update(progress_id, **changes)


def import_members(
    path_or_file, *, actor, dry_run: bool, progress_id: str | None = None
) -> ImportReport:
    """Check, then (unless ``dry_run``) import a member file; return the report.

    ``path_or_file``: a path or a binary file object (CSV with ``;`` or ``,``, UTF-8 with
    or without BOM, or Windows-1252; or XLSX). ``actor``: the user importing, who must
    hold ``members.import`` on the sections of the rows. Every row is checked before
    anything is written; if any row is bad (or the file cannot be read), nothing is
    written.

    The import is all or nothing: what each batch will write is spooled while checking,
    staged once the whole file is known to be good, then applied in one transaction
    with its access-log line. If anything fails or the process is killed before the
    commit, the member file is exactly as it was; the same file can be imported again.
    """
    authorize(actor, "members.import")
    report = ImportReport(dry_run=dry_run)
    ctx = _Context.build(actor)
    with ExitStack() as stack:
        if isinstance(path_or_file, str | Path):
            binary = stack.enter_context(open(path_or_file, "rb"))  # noqa: SIM115
        else:
            binary = path_or_file
        bad_lines: set[int] = set()
        try:
            if _is_xlsx(binary):
                estimate = _count_sheet_rows(binary) or 0
                rows = stack.enter_context(closing(_xlsx_rows(binary)))
            else:
                scan = _scan_text(binary)
                estimate = max(0, scan.lines - 1)
                for line, message in scan.problems:
                    report.add_error(line, "", "", message)
                    bad_lines.add(line)
                rows = stack.enter_context(closing(_csv_rows(binary, scan.encoding)))
            _progress(
                progress_id,
                done=0,
                total=estimate if dry_run else estimate * 3,
                message=gettext("Vérification des lignes…"),
            )
            header = next(rows, None)
        except FileFormatError as exc:
            report.file_error = str(exc)
            return report
        if header is None:
            report.file_error = gettext("Le fichier est vide.")
            return report
        columns = _map_header(header.cells, report)
        if columns is None:
            return report
        spool = None if dry_run else stack.enter_context(tempfile.TemporaryFile())
        try:
            offsets = _check(
                rows,
                columns,
                header.cells,
                ctx,
                report,
                spool=spool,
                bad_lines=bad_lines,
                progress_id=progress_id,
            )
        except FileFormatError as exc:
            report.file_error = str(exc)
            return report
        if dry_run or not report.ok:
            return report
        _write(spool, offsets, report, actor, stack, progress_id)
    return report


def _write(spool, offsets: list[int], report: ImportReport, actor, stack, progress_id) -> None:
    """Stage the spooled batches, then apply them and log the import in one transaction."""
    total = report.total
    _progress(
        progress_id,
        total=total * 3,
        done=total,
        message=gettext("Préparation de l'écriture…"),
    )
    stage = _Stage(stack)
    staged = 0
    for offset in offsets:
        spool.seek(offset)
        plan: _Plan = pickle.load(spool)  # noqa: S301 — our own temporary file
        stage.add(plan, offset)
        report.moved += len(plan.moves)
        staged += len(plan.create) + len(plan.update) + plan.unchanged
        _progress(progress_id, done=total + staged)
    _progress(
        progress_id,
        done=total * 2,
        message=gettext(
            "Écriture des %(count)s fiches en une seule transaction… (la barre avance à la fin)"
        )
        % {"count": report.created + report.updated},
    )
    counts = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rows": report.total,
        "moved": report.moved,
    }
    scope = reach(actor, "members.import")
    with progress_heartbeat(progress_id), transaction.atomic():
        stage.apply(spool, actor)
        log_access(
            actor=actor,
            action="import",
            code="organization.member_import",
            params=counts,
            scope=scope,
            row_count=report.created + report.updated,
            detail=counts,
        )
        audit(actor=actor, code="organization.member_import", params=counts, scope=scope)


class _SeenKeys:
    """The keys (membership numbers, e-mails) read so far and their line, to find the
    duplicates.

    Kept in a private temporary SQLite database (on disk past a small cache) rather than
    in a dict, so that memory stays flat even for a file of hundreds of thousands of rows.
    """

    CHUNK = 900  # stays under SQLite's oldest limit of bound parameters

    def __init__(self):
        self.db = sqlite3.connect("")
        self.db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def close(self) -> None:
        self.db.close()

    def duplicates(self, rows: list[tuple[int, str]]) -> dict[int, int]:
        """{line: first line} of the rows whose key was already seen; records the rest."""
        first_lines: dict[str, int] = {}
        keys = [key for _line, key in rows]
        for start in range(0, len(keys), self.CHUNK):
            chunk = keys[start : start + self.CHUNK]
            marks = ",".join("?" * len(chunk))
            first_lines.update(
                self.db.execute(
                    f"SELECT key, line FROM seen WHERE key IN ({marks})",  # noqa: S608 — placeholders only
                    chunk,
                )
            )
        found: dict[int, int] = {}
        new: list[tuple[str, int]] = []
        for line, key in rows:
            first = first_lines.setdefault(key, line)
            if first == line:
                new.append((key, line))
            else:
                found[line] = first
        self.db.executemany("INSERT INTO seen (key, line) VALUES (?, ?)", new)
        return found


def _email_owners(emails: list[str]) -> dict[str, tuple[str, int]]:
    """{lower-case e-mail: (membership number, section id)} of the members already
    holding one of these addresses (as written, or in lower case)."""
    wanted = sorted(set(emails) | {e.lower() for e in emails})
    if connection.vendor == "postgresql":
        meta = Member._meta
        quote = connection.ops.quote_name
        number, email, section = (
            quote(meta.get_field(n).column) for n in ("membership_number", "email", "section")
        )
        sql = (
            f"SELECT {number}, {email}, {section} FROM {quote(meta.db_table)} "  # noqa: S608 — names from the model
            f"WHERE {email} = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [wanted])
            rows = cursor.fetchall()
    else:
        rows = Member.objects.filter(email__in=wanted).values_list(
            "membership_number", "email", "section_id"
        )
    return {
        row_email.lower(): (row_number, section_id) for row_number, row_email, section_id in rows
    }


def _check(rows, columns, header, ctx, report, *, spool, bad_lines, progress_id) -> list[int]:
    """Validate every row; spool each batch's plan while no error was found.

    Returns the offsets of the plans in the spool.
    """
    validate = _Validator(columns, ctx, report)
    names = {index: column for column, index in columns.items()}
    seen = _SeenKeys()
    seen_emails = _SeenKeys()
    batch: list[tuple[int, dict[str, Any]]] = []
    offsets: list[int] = []

    def column_of(index: int) -> str:
        return names.get(index) or (header[index].strip() if index < len(header) else "")

    def flush() -> None:
        duplicates = seen.duplicates([(line, v["membership_number"]) for line, v in batch])
        if duplicates:
            numbers = {line: values["membership_number"] for line, values in batch}
            for line, first in duplicates.items():
                report.bad_rows += 1
                report.add_error(
                    line,
                    "numero_adherent",
                    numbers[line],
                    gettext("numéro en double dans le fichier (déjà ligne %(line)s)")
                    % {"line": first},
                )
            batch[:] = [(line, values) for line, values in batch if line not in duplicates]
        _check_emails(batch, seen_emails, ctx, report)
        plan = _plan(batch, ctx, report)
        report.created += len(plan.create)
        report.updated += len(plan.update)
        report.unchanged += plan.unchanged
        if spool is not None and report.ok:
            offsets.append(spool.tell())
            pickle.dump(plan, spool, protocol=pickle.HIGHEST_PROTOCOL)
        batch.clear()

    try:
        for row in rows:
            cells = row.cells
            if not (cells and cells[0].strip()) and not any(c.strip() for c in cells):
                continue  # empty line
            report.total += 1
            line = row.line
            if bad_lines and any(n in bad_lines for n in range(line, row.last_line + 1)):
                report.bad_rows += 1  # already reported by the scan of the bytes
                continue
            if row.merged:
                report.bad_rows += 1
                for index in row.merged:
                    report.add_error(
                        line,
                        column_of(index),
                        cells[index],
                        gettext(
                            "guillemet non fermé : les lignes %(first)s à %(last)s ont été "
                            "lues comme une seule ligne ; vérifiez les guillemets"
                        )
                        % {"first": line, "last": row.last_line},
                    )
                continue
            for index in row.multiline:
                report.add_warning(
                    line,
                    column_of(index),
                    cells[index],
                    gettext(
                        "la valeur tient sur plusieurs lignes (lignes %(first)s à %(last)s) : "
                        "vérifiez qu'aucun guillemet n'est mal placé"
                    )
                    % {"first": line, "last": row.last_line},
                )
            values = validate(cells, line)
            if values is None:
                report.bad_rows += 1
                continue
            batch.append((line, values))
            if len(batch) >= BATCH_SIZE:
                flush()
                _progress(progress_id, done=report.total)
        if batch:
            flush()
    finally:
        seen.close()
        seen_emails.close()
    report.errors.sort(key=lambda error: error.line)
    report.warnings.sort(key=lambda warning: warning.line)
    return offsets


def _check_emails(batch, seen_emails: _SeenKeys, ctx: _Context, report: ImportReport) -> None:
    """Warn about an e-mail given twice in the file, or held by another member."""
    with_email = [(line, values) for line, values in batch if values.get("email")]
    if not with_email:
        return
    in_file = seen_emails.duplicates([(line, v["email"].lower()) for line, v in with_email])
    owners = _email_owners([values["email"] for _line, values in with_email])
    for line, values in with_email:
        email = values["email"]
        if line in in_file:
            report.add_warning(
                line,
                "email",
                email,
                gettext("adresse e-mail déjà donnée ligne %(line)s du fichier")
                % {"line": in_file[line]},
            )
        owner = owners.get(email.lower())
        if owner and owner[0] != values["membership_number"]:
            if owner[1] in ctx.scope_ids:
                message = gettext("adresse e-mail déjà utilisée par la fiche n° %(number)s") % {
                    "number": owner[0]
                }
            else:
                message = gettext("adresse e-mail déjà utilisée par une fiche d'une autre section")
            report.add_warning(line, "email", email, message)


# --- The uploaded file, the task, the confirmation --------------------------------------


def import_file_save(*, uploaded) -> str:
    """Keep an uploaded (already checked) file in the private storage; return its name.

    The name is generated: nothing of the user's file name is kept. Files left behind by
    a dry run that was never confirmed are removed after two days.
    """
    import_files_purge()
    extension = PurePosixPath(uploaded.name or "").suffix.lower()
    if extension not in (".csv", ".xlsx"):
        extension = ""
    return default_storage.save(f"{IMPORT_DIR}/{uuid.uuid4()}{extension}", uploaded)


def import_files_purge(*, older_than: datetime.timedelta = IMPORT_FILE_RETENTION) -> int:
    """Delete uploaded import files older than ``older_than``; return how many."""
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    limit = timezone.now() - older_than
    deleted = 0
    for name in files:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                deleted += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return deleted


def _file_delete(name: str) -> None:
    if name and name.startswith(f"{IMPORT_DIR}/"):
        default_storage.delete(name)


def _failure_message(exc: BaseException, dry_run: bool) -> str:
    """What the user reads when a dry run or an import stopped on an error."""
    if dry_run:
        return gettext(
            "La vérification a échoué : rien n'a été enregistré. Envoyez le fichier de "
            "nouveau ; si l'erreur se répète, signalez-la à l'équipe technique."
        )
    if isinstance(exc, IntegrityError | _ConcurrentChange):
        return gettext(
            "Le fichier des adhérents a changé pendant l'import (une fiche portant un numéro "
            "du fichier a été créée ou supprimée entre-temps) : rien n'a été enregistré. "
            "Relancez l'import : le fichier sera vérifié de nouveau."
        )
    if isinstance(exc, DatabaseError):
        return gettext(
            "La connexion à la base de données a été perdue pendant l'import : rien n'a été "
            "enregistré. Vous pouvez relancer l'import."
        )
    if not isinstance(exc, Exception):
        return gettext(INTERRUPTED)
    return gettext(
        "L'import a échoué : rien n'a été enregistré. Vous pouvez le relancer ; si l'erreur "
        "se répète, signalez-la à l'équipe technique."
    )


def _record_failure(progress_id: str, result: dict, message: str) -> None:
    """Mark a dry run or import failed, keeping what its report page needs.

    Runs after :func:`~fede.core.tasks.progress_guard` (which blanks the result): the
    page of the failed import must still exist and offer to retry.
    """
    if not connection.in_atomic_block:
        # A connection killed under the import cannot write the failure: open a new one.
        connection.close_if_unusable_or_obsolete()
        if connection.connection is not None and not connection.is_usable():
            connection.close()
    TaskProgress.objects.filter(pk=progress_id).update(
        status=TaskProgress.Status.FAILED,
        message=message,
        result=result,
        result_url=reverse("organization:member_import_report", args=[progress_id]),
        updated_at=timezone.now(),
    )


@task()
def member_import_task(progress_id: str, stored_name: str, actor_id: int, dry_run: bool) -> dict:
    """Dry run or import of a stored file, as a background task with a progress bar."""
    from django.contrib.auth import get_user_model

    previous = dict(
        TaskProgress.objects.filter(pk=progress_id).values_list("result", flat=True).first() or {}
    )
    previous.setdefault("kind", "member_import")
    try:
        with progress_guard(progress_id):
            actor = get_user_model().objects.get(pk=actor_id)
            with default_storage.open(stored_name, "rb") as handle:
                report = import_members(
                    handle, actor=actor, dry_run=dry_run, progress_id=progress_id
                )
    except BaseException as exc:
        # Nothing was written (the write is one transaction): the file stays for a retry.
        _record_failure(progress_id, previous, _failure_message(exc, dry_run))
        raise
    # A dry run keeps its file for the confirmation; a failed import (above) for a retry.
    if not dry_run or not report.ok or not (report.created or report.updated):
        _file_delete(stored_name)  # nothing more will be done with it
    if report.file_error:
        message = report.file_error
    elif not report.ok:
        message = gettext("Le fichier contient des erreurs : rien n'a été enregistré.")
    elif dry_run:
        message = gettext(
            "Vérification terminée : %(total)s lignes correctes. Confirmez pour importer."
        ) % {"total": report.total}
    else:
        message = gettext(
            "Import terminé : %(created)s créé·es, %(updated)s modifié·es, "
            "%(unchanged)s inchangé·es."
        ) % {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
    progress_finish(
        progress_id,
        message=message,
        result_url=reverse("organization:member_import_report", args=[progress_id]),
        result={**previous, "file": stored_name, "report": report.to_dict()},
    )
    return {"ok": report.ok, "created": report.created, "updated": report.updated}


def member_import_start(
    *,
    actor,
    stored_name: str,
    original_name: str,
    dry_run: bool,
    dry_run_progress_id: str = "",
) -> TaskProgress:
    """Create the progress of a dry run or import and enqueue its task after commit.

    The file is read by the task, never inside the request: with the database worker,
    the request only saves the file and queues the task.
    """
    authorize(actor, "members.import")
    label = (
        gettext("Vérification du fichier d'adhérents")
        if dry_run
        else gettext("Import des adhérents")
    )
    progress = progress_start(owner=actor, label=label)
    result = {"kind": "member_import", "file": stored_name, "original_name": original_name[:255]}
    if dry_run_progress_id:
        result["dry_run_progress"] = dry_run_progress_id
    TaskProgress.objects.filter(pk=progress.pk).update(
        result=result,
        result_url=reverse("organization:member_import_report", args=[progress.pk]),
    )
    transaction.on_commit(
        lambda: member_import_task.enqueue(str(progress.pk), stored_name, actor.pk, dry_run)
    )
    return progress


def _import_running(progress: TaskProgress) -> bool:
    """Whether a confirmed import is still queued or running (its worker alive)."""
    if progress.status == TaskProgress.Status.PENDING:
        return True
    return progress.status == TaskProgress.Status.RUNNING and not progress.is_stuck


@transaction.atomic
def member_import_confirm(*, dry_run_progress: TaskProgress, actor) -> TaskProgress:
    """Start the import checked by a dry run.

    A second confirmation while the import is queued, running or done starts nothing new
    and returns it. An import that failed, or whose worker died (no report for longer
    than the lease), wrote nothing: confirming again starts a new run.

    Raises ``ValidationError`` (French message) when the dry run found errors or its file
    is gone.
    """
    authorize(actor, "members.import")
    locked = TaskProgress.objects.select_for_update().get(pk=dry_run_progress.pk)
    result = dict(locked.result or {})
    if result.get("import_progress"):
        previous = (
            TaskProgress.objects.select_for_update().filter(pk=result["import_progress"]).first()
        )
        if previous is not None:
            if _import_running(previous):
                return previous
            if previous.is_stuck:
                _record_failure(str(previous.pk), dict(previous.result or {}), gettext(INTERRUPTED))
            elif previous.status == TaskProgress.Status.DONE:
                done = ImportReport.from_dict((previous.result or {}).get("report") or {})
                if done.ok:
                    return previous
    report = ImportReport.from_dict(result.get("report") or {})
    if result.get("kind") != "member_import" or not report.dry_run or not report.ok:
        raise ValidationError(gettext("Ce fichier ne peut pas être importé : corrigez-le d'abord."))
    stored_name = result.get("file", "")
    if not stored_name or not default_storage.exists(stored_name):
        raise ValidationError(
            gettext("Le fichier vérifié n'est plus disponible : envoyez-le de nouveau.")
        )
    progress = member_import_start(
        actor=actor,
        stored_name=stored_name,
        original_name=result.get("original_name", ""),
        dry_run=False,
        dry_run_progress_id=str(locked.pk),
    )
    result["import_progress"] = str(progress.pk)
    locked.result = result
    locked.save(update_fields=["result", "updated_at"])
    return progress
