"""Quick add (issue 12, item 4): a small form opened from the header's "+ New" menu.

With JavaScript the form opens in a dialog (static/js/salesops.js fetches the fragment, posts it and
shows the answer); without, the same URL is a page. Each app's view validates its form and calls its
create service (one door), then answers through these two helpers."""
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render

FRAGMENT_HEADER = "HTTP_X_QUICK_ADD"


def wants_fragment(request) -> bool:
    return request.META.get(FRAGMENT_HEADER) == "1"


def quick_form_response(request, form, *, title: str, action: str, kind: str):
    """The form (fresh, or with the posted values and their errors: 400), as a dialog fragment or a page."""
    context = {"form": form, "title": title, "action": action, "kind": kind}
    status = 400 if form.is_bound and form.errors else 200
    template = "includes/_quick_form.html" if wants_fragment(request) else "includes/quick_add_page.html"
    return render(request, template, context, status=status)


def quick_added(request, *, url: str, message: str):
    messages.success(request, message)
    if wants_fragment(request):
        return JsonResponse({"url": url})
    return redirect(url)


def add_service_errors(form, exc) -> None:
    """A service's ValidationError on the form: on the field it names when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
