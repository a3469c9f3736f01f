"""The review pack's pages: the printable month page and its PDF (thin: predicate, selector, render)."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from salesops.db_router import reads_from_replica
from teams.predicates import can_see_review_pack

from .pdf import PdfUnavailable
from .selectors import parse_month, previous_month, review_pack
from .services import review_pack_pdf


def _month_or_error(request, month: str):
    if not can_see_review_pack(request.user):
        raise PermissionDenied(_("The review pack is for managers, marketing and administrators."))
    first_day = parse_month(month)
    if first_day is None:
        return None, render(request, "dashboards/review_pack_error.html",
                            {"error": _("“%(month)s” is not a month: use YYYY-MM, e.g. 2026-11.") % {"month": month}},
                            status=400)
    return first_day, None


@login_required
def review_latest_view(request):
    return redirect("dashboards:review", month=f"{previous_month():%Y-%m}")


@login_required
@reads_from_replica
def review_pack_view(request, month: str):
    first_day, error = _month_or_error(request, month)
    if error:
        return error
    return render(request, "dashboards/review_pack.html", {"pack": review_pack(user=request.user, month=first_day)})


@login_required
@reads_from_replica
def review_pack_pdf_view(request, month: str):
    first_day, error = _month_or_error(request, month)
    if error:
        return error
    try:
        pdf = review_pack_pdf(user=request.user, month=first_day)
    except PdfUnavailable as exc:
        return render(request, "dashboards/review_pack_error.html", {"error": str(exc)}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="review-{first_day:%Y-%m}.pdf"'
    return response
