"""The CSV import framework shared by every importer (leads, pipeline): base layer, imports no app.

- `RowError` — one problem of one row (or of the file, row None): row number counting the header
  as row 1, the field and the column it concerns, the file (for multi-file imports) and a
  translated message. Importers that check rows without Django (pipeline.maven) fill `code` and
  `params` and let the importer word the message.
- `ImportResult` — what an import did or would do (a preview): rows read, to create, created,
  moved, unchanged, duplicates, the first row errors and how many there were, preview rows, and
  importer-specific counts (users, accounts, rescored leads…).
- One size limit, `settings.SALESOPS_IMPORT_MAX_BYTES` (20 MB by default), checked before reading
  an upload (`upload_read`) and again on bytes (`csv_decode`).
- `csv_decode` + `csv_read`: UTF-8 (BOM tolerated), no NUL bytes, the dialect sniffed among
  comma, semicolon, tab and pipe; a `CsvTable` of stripped header and numbered rows.
- Staging: an upload waits for its background job in `staging_storage()`, a Django
  FileSystemStorage at `settings.SALESOPS_IMPORT_STAGING_DIR` (not the system temp directory)
  with files 0600 and folders 0700, under random names; files older than a day are purged.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import secrets
from dataclasses import asdict, dataclass
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_ERRORS = 1000  # row errors kept in a result (the count goes on)
STAGED_MAX_AGE = timedelta(days=1)
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
FILE_PERMISSIONS = 0o600
DIRECTORY_PERMISSIONS = 0o700


# --- results ------------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int | None  # spreadsheet row: the header is row 1, the first data row is row 2; None: the file
    message: str = ""
    field: str = ""
    column: str = ""
    file: str = ""
    code: str = ""
    params: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "column": self.column, "file": self.file,
                "message": self.message}


@dataclass
class ImportResult:
    dry_run: bool = False
    fields: list[str] = dataclasses.field(default_factory=list)  # the importer's fields, in column order
    field_labels: list[str] = dataclasses.field(default_factory=list)
    total_rows: int = 0
    to_create: int = 0
    created: int = 0
    moved: int = 0  # known records the file changed (e.g. a deal's stage)
    unchanged: int = 0  # known records the file leaves as they are
    duplicates: list[dict] = dataclasses.field(default_factory=list)  # {"row", "reason"}
    errors: list[RowError] = dataclasses.field(default_factory=list)
    error_count: int = 0
    preview: list[dict] = dataclasses.field(default_factory=list)  # {"row", "status", "values", "cells"}
    ids: list[int] = dataclasses.field(default_factory=list)  # first and last new id
    counts: dict[str, int] = dataclasses.field(default_factory=dict)  # importer-specific: users, accounts, rescored…

    @property
    def ok(self) -> bool:
        return not self.error_count

    def add_errors(self, errors: list[RowError]) -> None:
        """Count every error; keep the first MAX_ERRORS."""
        self.error_count += len(errors)
        room = MAX_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def as_dict(self) -> dict:
        data = asdict(self)
        data["errors"] = [error.as_dict() for error in self.errors]
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> ImportResult:
        data = dict(data or {})
        errors = [RowError(**error) for error in data.pop("errors", [])]
        known = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        return cls(errors=errors, **known)


def failure_summary(result: ImportResult) -> str:
    """The reason a job shows when rows had errors."""
    return _("%(count)s problems found in %(rows)s rows; nothing was imported.") % {
        "count": result.error_count, "rows": result.total_rows}


# --- size limit and reading -----------------------------------------------------------------------
def max_bytes() -> int:
    return int(settings.SALESOPS_IMPORT_MAX_BYTES)


def max_size_label() -> str:
    """The limit for people, e.g. "20.0 MB" (translated units)."""
    return filesizeformat(max_bytes())


def size_error(*, field_name: str = "file") -> ValidationError:
    return ValidationError({field_name: [_("The file is larger than %(size)s.") % {"size": max_size_label()}]})


def upload_read(*, upload, field_name: str = "file") -> bytes:
    """The bytes of an uploaded file, refusing one over the size limit before reading it."""
    if upload is None:
        raise ValidationError({field_name: [_("Choose a CSV file.")]})
    if upload.size is not None and upload.size > max_bytes():
        raise size_error(field_name=field_name)
    return b"".join(upload.chunks())


def csv_decode(data: bytes, *, field_name: str = "file") -> str:
    """UTF-8 text of a CSV file (a BOM is dropped); file-level problems raise ValidationError."""
    if len(data) > max_bytes():
        raise size_error(field_name=field_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        raise ValidationError({field_name: [message]}) from None
    if "\x00" in text:
        raise ValidationError({field_name: [_("This is not a CSV file.")]})
    return text


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)

    def records(self):
        """(row number, {column: stripped value}) for each non-blank row; short rows get blanks."""
        for number, cells in self.rows:
            if not any(cell.strip() for cell in cells):
                continue
            yield number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(self.header)}


def _dialect(text: str):
    """Excel's CSV dialect with the delimiter sniffed from the start of the file (quotes stay `"`)."""
    sample = text[:SNIFF_BYTES]
    first_line = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return csv.excel
    if delimiter == "," or delimiter not in first_line:
        return csv.excel  # a one-column file: the sniffer guessed from the data

    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter
    return Sniffed


@dataclass
class CsvStream:
    """A CSV file read lazily: the header now, the numbered rows as they are iterated (one row in
    memory at a time). `line_count` counts the text's lines after the header: the row count unless
    quoted cells span lines (enough for a progress bar; the exact count comes with the rows)."""
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    line_count: int


def csv_stream(text: str, *, field_name: str = "file") -> CsvStream:
    """The header (stripped, trailing empty columns dropped) and an iterator of the numbered rows of
    CSV text; a CSV error found while iterating raises ValidationError naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))

    def invalid(exc: csv.Error) -> ValidationError:
        return ValidationError({field_name: [_("The file is not valid CSV near line %(line)s: %(error)s")
                                             % {"line": reader.line_num, "error": exc}]})

    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise invalid(exc) from None
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError({field_name: [_("The file is empty: the first row must name the columns.")]})
    header = [cell.strip() for cell in header]
    while header and not header[-1]:
        header.pop()  # a trailing empty column (every line ends with a comma)

    def rows():
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise invalid(exc) from None
            number += 1
            yield number, cells

    lines = text.count("\n") - (0 if text.endswith("\n") else -1)
    return CsvStream(header=header, rows=rows(), line_count=max(0, lines - 1))


def csv_read(text: str, *, field_name: str = "file", header_only: bool = False) -> CsvTable:
    """The header (stripped, trailing empty columns dropped) and the numbered rows of CSV text, all
    in memory (importers of big files iterate `csv_stream` instead)."""
    stream = csv_stream(text, field_name=field_name)
    return CsvTable(header=stream.header, rows=[] if header_only else list(stream.rows))


# --- staging uploads for background jobs -----------------------------------------------------------
def staging_storage() -> FileSystemStorage:
    location = settings.SALESOPS_IMPORT_STAGING_DIR
    os.makedirs(location, mode=DIRECTORY_PERMISSIONS, exist_ok=True)
    os.chmod(location, DIRECTORY_PERMISSIONS)  # also when it existed with wider rights
    return FileSystemStorage(location=location, file_permissions_mode=FILE_PERMISSIONS,
                             directory_permissions_mode=DIRECTORY_PERMISSIONS)


def _valid_name(name) -> bool:
    stem, _dot, suffix = str(name).partition(".")
    return suffix == "csv" and len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)


def stage(*, data: bytes) -> str:
    """Keep an uploaded file (0600) until its job runs; returns its name. Purges day-old files."""
    storage = staging_storage()
    staged_purge(storage=storage)
    return storage.save(f"{secrets.token_hex(16)}.csv", ContentFile(data))


def staged_read(*, name: str) -> bytes:
    storage = staging_storage()
    if not _valid_name(name) or not storage.exists(name):
        raise ValidationError(_("The uploaded file is no longer available. Upload it again."))
    with storage.open(name, "rb") as handle:
        return handle.read()


def staged_delete(*, names) -> None:
    storage = staging_storage()
    for name in names:
        if _valid_name(name):
            storage.delete(name)


def staged_purge(*, storage: FileSystemStorage | None = None) -> int:
    storage = storage or staging_storage()
    cutoff = timezone.now() - STAGED_MAX_AGE
    removed = 0
    for name in storage.listdir("")[1]:
        try:
            if _valid_name(name) and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
        except OSError:
            continue
    return removed
