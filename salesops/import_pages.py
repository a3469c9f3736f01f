"""What every import job page shares (base layer): the small JSON status its progress bar polls
(static/js/import_progress.js) and the error report as CSV (row number, column, message)."""
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .csv_export import tables_csv_response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def job_status_response(job) -> JsonResponse:
    """{status, label, percent, processed, total, finished} of an import job."""
    return JsonResponse({"status": job.status, "label": str(job.get_status_display()), "percent": job.percent,
                         "processed": job.processed, "total": job.total, "finished": job.is_finished})


def spreadsheet_safe(text) -> str:
    """A text a spreadsheet must not read as a formula (e.g. a column named "=HYPERLINK(...)")."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def job_errors_csv_response(job, *, with_file: bool = False):
    """The job's row errors (the first salesops.imports.MAX_ERRORS) as a CSV download."""
    columns = [_("Row"), _("Column"), _("Problem")]
    if with_file:
        columns.insert(0, _("File"))
    rows = []
    for error in job.outcome.errors:
        row = ["" if error.row is None else error.row, spreadsheet_safe(error.column), spreadsheet_safe(error.message)]
        rows.append([spreadsheet_safe(error.file), *row] if with_file else row)
    return tables_csv_response(f"import-{job.pk}-errors.csv", [("", columns, rows)], titled=False)
