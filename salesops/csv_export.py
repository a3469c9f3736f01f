"""Tables as a CSV download: one table, or several each after its title (the figure pages' export)."""
import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def tables_csv_response(filename: str, tables: Iterable[tuple[str, Sequence, Iterable[Sequence]]], *,
                        titled: bool) -> HttpResponse:
    """`tables` are (title, columns, rows of plain values); with `titled`, each table follows its
    title and a blank line separates them (a whole page), otherwise only columns and rows (one table)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheet apps read UTF-8 (Chinese names) with a BOM
    writer = csv.writer(response)
    for index, (title, columns, rows) in enumerate(tables):
        if titled:
            if index:
                writer.writerow([])
            writer.writerow([title])
        writer.writerow(columns)
        writer.writerows(rows)
    return response
