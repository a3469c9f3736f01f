"""HTML -> PDF with WeasyPrint (it lays out the same print CSS the browser uses; CJK text through
the system's fonts). WeasyPrint needs Pango from the operating system: where it is missing,
`PdfUnavailable` says so instead of failing the page or the monthly email."""
from django.utils.translation import gettext as _


class PdfUnavailable(RuntimeError):
    pass


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are not installed
        raise PdfUnavailable(_("PDF output is not available on this server (WeasyPrint or Pango missing).")) from exc
    return HTML(string=html).write_pdf()
