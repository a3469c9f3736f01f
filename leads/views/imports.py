"""CSV import pages: upload + mapping -> a background preview job -> confirm -> a background import job.

Nothing is parsed inside the request beyond the header: the upload is staged (salesops.imports) and
a LeadImportJob checks every row in the background; its page shows progress (refreshing itself)
and then the preview with every problem, or what was imported. Only the uploader sees and confirms
their jobs; who may import at all is `teams.predicates.can_import(user, "leads")`."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.imports import max_size_label, upload_read
from teams.predicates import can_import

from ..models import ImportMapping
from ..selectors import lead_import_job_queryset_for
from ..services.imports import (
    import_mapping_from_json,
    import_mapping_spec,
    lead_import_job_confirm,
    lead_import_job_start,
)


class LeadImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    mapping = forms.ModelChoiceField(ImportMapping.objects.all(), required=False, label=gettext_lazy("Saved mapping"))
    mapping_json = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label=gettext_lazy("Or paste a mapping (JSON)"),
        help_text=gettext_lazy('{"columns": {"name": "Full name", "email": "E-mail"}, '
                               '"values": {"source": {"Google": "paid_search", "*": "other"}}}'))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # the limit is a setting: read it per form
        self.fields["file"].help_text = format_lazy(
            gettext_lazy("UTF-8, at most {size}; the first row names the columns."), size=max_size_label())

    def clean(self):
        data = super().clean()
        if bool(data.get("mapping")) == bool(data.get("mapping_json", "").strip()):
            raise ValidationError({"mapping": _("Choose a saved mapping or paste one, not both.")})
        if data.get("mapping"):
            data["spec"] = import_mapping_spec(mapping=data["mapping"])
        else:
            data["spec"] = import_mapping_from_json(text=data["mapping_json"])
        if "file" in data:
            data["data"] = upload_read(upload=data["file"])
        return data


def _require_import(user) -> None:
    if not can_import(user, "leads"):
        raise PermissionDenied(_("You may not import leads."))


@login_required
def lead_import_view(request):
    _require_import(request.user)
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = lead_import_job_start(by=request.user, data=form.cleaned_data["data"],
                                        file_name=form.cleaned_data["file"].name, mapping=form.cleaned_data["spec"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("leads:import-job", pk=job.pk)
    return render(request, "leads/import_form.html", {"form": form})


@login_required
def lead_import_job_view(request, pk):
    job = get_object_or_404(lead_import_job_queryset_for(user=request.user), pk=pk)
    return render(request, "leads/import_job.html", {"job": job, "result": job.outcome})


@login_required
@require_POST
def lead_import_confirm_view(request, pk):
    preview = get_object_or_404(lead_import_job_queryset_for(user=request.user), pk=pk)
    try:
        job = lead_import_job_confirm(by=request.user, job=preview)
    except PermissionDenied as exc:  # an administrator sees every job; only its uploader imports it
        messages.error(request, str(exc))
        return redirect("leads:import-job", pk=preview.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leads:import-job", pk=preview.pk)
    return redirect("leads:import-job", pk=job.pk)
