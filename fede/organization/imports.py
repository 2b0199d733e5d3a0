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
The file is read once, row by row (CSV through a text stream, XLSX in openpyxl's
read-only mode); rows are compared with the member file in batches of 2,000 and what each
batch will write is kept in a temporary file. Once the whole file is known to be correct,
the batches are written (:func:`members_upsert`: on PostgreSQL ``COPY``, into the table
for new members and into a temporary table for changed ones; ``bulk_create`` and
``bulk_update`` elsewhere), each in its own transaction, so that the progress bar moves
and memory stays flat however long the file. An interrupted import is finished by
importing the same file again.

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
import pickle
import re
import sqlite3
import tempfile
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from fede.core.access import authorize
from fede.core.audit import audit, log_access
from fede.core.models import TaskProgress
from fede.core.tasks import progress_finish, progress_guard, progress_start, progress_update

from .fields import MEMBER_IMPORT_FIELDS
from .models import Member, Transfer, Unit
from .roles import reach, units_q

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
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


def _text_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        # A spreadsheet saved as "CSV" by a French Excel: Windows-1252.
        return "cp1252"
    return "utf-8"


def _csv_rows(binary: IO[bytes]) -> Iterator[list[str]]:
    head = binary.read(64 * 1024)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=_text_encoding(head), newline="")
    try:
        first = text.readline()
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
        yield from csv.reader(itertools.chain([first], text), delimiter=delimiter)
    finally:
        text.detach()


class FileFormatError(Exception):
    """The file is not a readable CSV or XLSX."""


def _xlsx_rows(binary: IO[bytes]) -> Iterator[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    broken = (KeyError, ValueError, OSError, TypeError, BadZipFile)
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except broken as exc:
        raise FileFormatError(str(exc)) from exc
    try:
        iterator = workbook.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                row = next(iterator)
            except StopIteration:
                return
            except broken as exc:
                raise FileFormatError(str(exc)) from exc
            yield [_cell_text(v) for v in row]
    finally:
        workbook.close()


@contextmanager
def _open_rows(source) -> Iterator[Iterator[list[str]]]:
    """Rows of a CSV or XLSX file (path or binary file object), each a list of strings."""
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            binary = stack.enter_context(open(source, "rb"))  # noqa: SIM115
        else:
            binary = source
            binary.seek(0)
        magic = binary.read(4)
        binary.seek(0)
        rows = _xlsx_rows(binary) if magic == b"PK\x03\x04" else _csv_rows(binary)
        try:
            yield rows
        finally:
            rows.close()


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
    update: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # pk, values
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
        plan.update.append((current["pk"], merged))
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


def _copy_insert(rows: list[dict[str, Any]]) -> None:
    """INSERT through PostgreSQL's COPY: several times faster than bulk_create.

    Lines are written in COPY's text format directly (values escaped here), which is much
    cheaper than adapting each value one by one.
    """
    now = timezone.now()
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    spec = [
        (
            f.attname,
            _copy_text(now if f.attname in ("created_at", "updated_at") else f.get_default()),
            _copy_converter(f),
        )
        for f in fields
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Member._meta.db_table)
    lines = [
        "\t".join(
            [
                convert(values[name]) if name in values else default
                for name, default, convert in spec
            ]
        )
        for values in rows
    ]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write("\n".join(lines) + "\n")


def _copy_update(rows: list[tuple[int, dict[str, Any]]], fields: set[str]) -> None:
    """UPDATE through PostgreSQL's COPY: the changed rows go into a temporary table, then
    one ``UPDATE … FROM`` writes them (``bulk_update``'s CASE WHEN costs far more).

    Only ``fields`` are written, with ``updated_at``; the temporary table is dropped at
    once (and at commit at the latest).
    """
    meta = Member._meta
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in sorted(fields)]
    spec = [(f.attname, _copy_converter(f)) for f in model_fields]
    pk = quote(meta.pk.column)
    columns = [quote(f.column) for f in model_fields]
    table = quote(meta.db_table)
    temporary = quote("import_member_update")
    lines = [
        "\t".join(
            [
                str(member_pk),
                *(
                    "\\N" if values[name] is None else convert(values[name])
                    for name, convert in spec
                ),
            ]
        )
        for member_pk, values in rows
    ]
    names = ", ".join([pk, *columns])
    assignments = ", ".join(f"{c} = t.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "  # noqa: S608 — names from the model
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temporary} ({names}) FROM STDIN") as copy:
            copy.write("\n".join(lines) + "\n")
        cursor.execute(
            f"UPDATE {table} AS m SET {assignments}, {quote(meta.get_field('updated_at').column)}"  # noqa: S608 — names from the model
            f" = %s FROM {temporary} AS t WHERE m.{pk} = t.{pk}",
            [timezone.now()],
        )
        cursor.execute(f"DROP TABLE {temporary}")


@transaction.atomic
def members_upsert(
    *,
    create: list[dict[str, Any]],
    update: list[tuple[int, dict[str, Any]]],
    update_fields: set[str],
    moves: list[tuple[int, int, int]],
    actor,
) -> None:
    """Write one batch of the import: new members, changed members, section moves.

    ``create``: model values of new members; ``update``: (pk, all compared values) of
    changed members, ``update_fields`` the fields that changed in the batch. Section
    changes are recorded as approved transfers, so the member's history shows the move.

    Most of the time goes to PostgreSQL maintaining the member table's indexes, above
    all the trigram (GIN) ones. They keep ``fastupdate`` on: turned off, the writes are
    about four times slower; a longer pending list only moves its merging to later.
    """
    if create:
        if connection.vendor == "postgresql":
            _copy_insert(create)
        else:
            Member.objects.bulk_create([Member(**values) for values in create], batch_size=500)
    if update and connection.vendor == "postgresql":
        _copy_update(update, update_fields)
    elif update:
        now = timezone.now()
        members = [Member(pk=pk, updated_at=now, **values) for pk, values in update]
        fields = sorted(f.removesuffix("_id") if f == "section_id" else f for f in update_fields)
        Member.objects.bulk_update(members, [*fields, "updated_at"], batch_size=500)
    if moves:
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
            ]
        )


def _count_rows(source) -> int | None:
    """A quick estimate of the number of data rows of a CSV, for the progress bar."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return _count_lines(handle)
    source.seek(0)
    try:
        return _count_lines(source)
    finally:
        source.seek(0)


def _count_lines(handle) -> int | None:
    if handle.read(4) == b"PK\x03\x04":
        handle.seek(0)
        return _count_sheet_rows(handle)
    handle.seek(0)
    lines = 0
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
    return max(0, lines - 1)


def _count_sheet_rows(handle) -> int | None:
    """Rows of the first sheet as the workbook declares them (no cell is read)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True)
    except Exception:  # noqa: BLE001 — only an estimate; reading the rows reports errors
        return None
    try:
        rows = workbook.worksheets[0].max_row
    finally:
        workbook.close()
    return max(0, rows - 1) if rows else None


def import_members(
    path_or_file, *, actor, dry_run: bool, progress_id: str | None = None
) -> ImportReport:
    """Check, then (unless ``dry_run``) import a member file; return the report.

    ``path_or_file``: a path or a binary file object (CSV with ``;`` or ``,``, UTF-8 with
    or without BOM; or XLSX). ``actor``: the user importing, who must hold
    ``members.import`` on the sections of the rows. Every row is checked before anything
    is written; if any row is bad (or the file cannot be read), nothing is written.

    The file is read once. While checking, what each batch will write is kept in a
    temporary file; only when the whole file is correct is it replayed, batch by batch.
    """
    authorize(actor, "members.import")
    report = ImportReport(dry_run=dry_run)
    ctx = _Context.build(actor)
    if progress_id:
        estimate = _count_rows(path_or_file) or 0
        progress_update(
            progress_id,
            done=0,
            total=estimate if dry_run else estimate * 2,
            message=gettext("Vérification des lignes…"),
        )
    with ExitStack() as stack:
        try:
            rows = stack.enter_context(_open_rows(path_or_file))
            header = next(rows, None)
        except (FileFormatError, UnicodeDecodeError, csv.Error) as exc:
            report.file_error = _unreadable(exc)
            return report
        if header is None:
            report.file_error = gettext("Le fichier est vide.")
            return report
        columns = _map_header(header, report)
        if columns is None:
            return report
        spool = None if dry_run else stack.enter_context(tempfile.TemporaryFile())
        try:
            batches = _check(rows, columns, ctx, report, spool=spool, progress_id=progress_id)
        except (FileFormatError, UnicodeDecodeError, csv.Error) as exc:
            report.file_error = _unreadable(exc)
            return report
        if dry_run or not report.ok:
            return report
        if progress_id:
            progress_update(
                progress_id,
                total=report.total * 2,
                done=report.total,
                message=gettext("Enregistrement des adhérents…"),
            )
        spool.seek(0)
        for number in range(batches):
            plan: _Plan = pickle.load(spool)  # noqa: S301 — our own temporary file
            members_upsert(
                create=plan.create,
                update=plan.update,
                update_fields=plan.update_fields,
                moves=plan.moves,
                actor=actor,
            )
            report.moved += len(plan.moves)
            if progress_id:
                progress_update(
                    progress_id, done=report.total + min(report.total, (number + 1) * BATCH_SIZE)
                )
    counts = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rows": report.total,
        "moved": report.moved,
    }
    scope = reach(actor, "members.import")
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
    return report


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return gettext("Le fichier n'est pas un texte UTF-8 lisible : enregistrez-le en CSV UTF-8.")
    return gettext("Le fichier est illisible : enregistrez-le en CSV (UTF-8) ou en XLSX.")


class _SeenNumbers:
    """The membership numbers read so far and their line, to find the duplicates.

    Kept in a private temporary SQLite database (on disk past a small cache) rather than
    in a dict, so that memory stays flat even for a file of hundreds of thousands of rows.
    """

    CHUNK = 900  # stays under SQLite's oldest limit of bound parameters

    def __init__(self):
        self.db = sqlite3.connect("")
        self.db.execute("CREATE TABLE seen (number TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def close(self) -> None:
        self.db.close()

    def duplicates(self, rows: list[tuple[int, dict[str, Any]]]) -> dict[int, int]:
        """{line: first line} of the rows whose number was already seen; records the rest."""
        first_lines: dict[str, int] = {}
        numbers = [values["membership_number"] for _line, values in rows]
        for start in range(0, len(numbers), self.CHUNK):
            chunk = numbers[start : start + self.CHUNK]
            marks = ",".join("?" * len(chunk))
            first_lines.update(
                self.db.execute(
                    f"SELECT number, line FROM seen WHERE number IN ({marks})",  # noqa: S608 — placeholders only
                    chunk,
                )
            )
        found: dict[int, int] = {}
        new: list[tuple[str, int]] = []
        for line, values in rows:
            number = values["membership_number"]
            first = first_lines.setdefault(number, line)
            if first == line:
                new.append((number, line))
            else:
                found[line] = first
        self.db.executemany("INSERT INTO seen (number, line) VALUES (?, ?)", new)
        return found


def _check(rows, columns, ctx, report, *, spool, progress_id) -> int:
    """Validate every row; spool each batch's plan while no error was found.

    Returns the number of batches spooled.
    """
    validate = _Validator(columns, ctx, report)
    seen = _SeenNumbers()
    batch: list[tuple[int, dict[str, Any]]] = []
    spooled = 0

    def flush() -> None:
        nonlocal spooled
        duplicates = seen.duplicates(batch)
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
        plan = _plan(batch, ctx, report)
        report.created += len(plan.create)
        report.updated += len(plan.update)
        report.unchanged += plan.unchanged
        if spool is not None and report.ok:
            pickle.dump(plan, spool, protocol=pickle.HIGHEST_PROTOCOL)
            spooled += 1
        batch.clear()

    try:
        for line, cells in enumerate(rows, start=2):
            if not (cells and cells[0].strip()) and not any(c.strip() for c in cells):
                continue  # empty line
            report.total += 1
            values = validate(cells, line)
            if values is None:
                report.bad_rows += 1
                continue
            batch.append((line, values))
            if len(batch) >= BATCH_SIZE:
                flush()
                if progress_id:
                    progress_update(progress_id, done=report.total)
        if batch:
            flush()
    finally:
        seen.close()
    report.errors.sort(key=lambda error: error.line)
    return spooled


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


@task()
def member_import_task(progress_id: str, stored_name: str, actor_id: int, dry_run: bool) -> dict:
    """Dry run or import of a stored file, as a background task with a progress bar."""
    from django.contrib.auth import get_user_model

    with progress_guard(progress_id):
        actor = get_user_model().objects.get(pk=actor_id)
        progress = TaskProgress.objects.get(pk=progress_id)
        previous = dict(progress.result or {})
        with default_storage.open(stored_name, "rb") as handle:
            report = import_members(handle, actor=actor, dry_run=dry_run, progress_id=progress_id)
        if not dry_run or not report.ok or not (report.created or report.updated):
            _file_delete(stored_name)  # nothing more will be done with it
        if not report.ok:
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
            result={
                "kind": "member_import",
                "file": stored_name,
                "original_name": previous.get("original_name", ""),
                "report": report.to_dict(),
            },
        )
        return {"ok": report.ok, "created": report.created, "updated": report.updated}


def member_import_start(
    *, actor, stored_name: str, original_name: str, dry_run: bool
) -> TaskProgress:
    """Create the progress of a dry run or import and enqueue its task after commit."""
    authorize(actor, "members.import")
    label = (
        gettext("Vérification du fichier d'adhérents")
        if dry_run
        else gettext("Import des adhérents")
    )
    progress = progress_start(owner=actor, label=label)
    TaskProgress.objects.filter(pk=progress.pk).update(
        result={"kind": "member_import", "file": stored_name, "original_name": original_name[:255]}
    )
    transaction.on_commit(
        lambda: member_import_task.enqueue(str(progress.pk), stored_name, actor.pk, dry_run)
    )
    return progress


@transaction.atomic
def member_import_confirm(*, dry_run_progress: TaskProgress, actor) -> TaskProgress:
    """Start the import checked by a dry run. A second confirmation starts nothing new.

    Raises ``ValidationError`` (French message) when the dry run found errors or its file
    is gone.
    """
    authorize(actor, "members.import")
    locked = TaskProgress.objects.select_for_update().get(pk=dry_run_progress.pk)
    result = dict(locked.result or {})
    if result.get("import_progress"):
        return TaskProgress.objects.get(pk=result["import_progress"])
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
    )
    result["import_progress"] = str(progress.pk)
    locked.result = result
    locked.save(update_fields=["result", "updated_at"])
    return progress
