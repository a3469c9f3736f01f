"""CSV import pages: upload -> the file is kept -> map its columns on a screen (guessed from the
headers, or a saved mapping; save it by name) -> a background check (dry run) with its summary ->
confirm -> the background import with a progress bar (polling a small JSON status) -> the error
report as CSV.

Nothing is parsed inside the request beyond the header and the first rows: every row is checked by
a LeadImportJob in the background. Only the uploader sees their uploads and jobs (administrators
follow every job); who may import at all is `teams.predicates.can_import(user, "leads")`. A quick
path stays: a file with a saved (or pasted) mapping goes straight to the check."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.import_pages import job_errors_csv_response, job_status_response
from salesops.imports import max_size_label, upload_read
from teams.predicates import can_import

from ..import_mapping import REQUIRED_TARGETS
from ..models import ImportMapping, LeadImportUpload
from ..selectors import lead_import_job_queryset_for
from ..services.import_uploads import (
    import_mapping_save,
    initial_choices,
    lead_import_upload_create,
    lead_import_upload_start,
    mapping_from_choices,
    target_choices,
)
from ..services.imports import (
    import_mapping_from_json,
    import_mapping_spec,
    lead_import_job_confirm,
    lead_import_job_start,
)


class LeadImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    mapping = forms.ModelChoiceField(
        ImportMapping.objects.all(), required=False, label=gettext_lazy("Saved mapping"),
        help_text=gettext_lazy("Leave empty to map the file's columns on the next screen."))
    mapping_json = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=gettext_lazy("Or paste a mapping (JSON)"),
        help_text=gettext_lazy('For integrators: {"columns": {"name": "Full name", "email": "E-mail"}, '
                               '"values": {"source": {"Google": "paid_search", "*": "other"}}}'))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # the limit is a setting: read it per form
        self.fields["file"].help_text = format_lazy(
            gettext_lazy("UTF-8, at most {size}; the first row names the columns."), size=max_size_label())

    def clean(self):
        data = super().clean()
        if data.get("mapping") and data.get("mapping_json", "").strip():
            raise ValidationError({"mapping": _("Choose a saved mapping or paste one, not both.")})
        if data.get("mapping"):
            data["spec"] = import_mapping_spec(mapping=data["mapping"])
        elif data.get("mapping_json", "").strip():
            data["spec"] = import_mapping_from_json(text=data["mapping_json"])
        return data


def _require_import(user) -> None:
    if not can_import(user, "leads"):
        raise PermissionDenied(_("You may not import leads."))


def _keep(request, upload_file):
    """The uploaded file kept for the mapping screen, or None when the file itself is unusable."""
    try:
        upload_file.seek(0)
        return lead_import_upload_create(by=request.user, upload=upload_file)
    except (ValidationError, OSError, ValueError):
        return None


@login_required
def lead_import_view(request):
    _require_import(request.user)
    form = LeadImportForm(request.POST or None, request.FILES or None)
    kept = None
    if request.method == "POST" and "file" in request.FILES:
        if form.is_valid() and "spec" not in form.cleaned_data:
            try:
                upload = lead_import_upload_create(by=request.user, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("leads:import-map", pk=upload.pk)
        elif form.is_valid():
            try:
                data = upload_read(upload=form.cleaned_data["file"])
                job = lead_import_job_start(by=request.user, data=data, file_name=form.cleaned_data["file"].name,
                                            mapping=form.cleaned_data["spec"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("leads:import-job", pk=job.pk)
        if form.errors and "file" not in form.errors:
            kept = _keep(request, request.FILES["file"])  # a mapping mistake never loses the file
    return render(request, "leads/import_form.html", {"form": form, "kept": kept})


class MappingForm(forms.Form):
    """One select per file column (`col-<n>`), a saved mapping applied first, a name to save under."""

    base_mapping = forms.ModelChoiceField(ImportMapping.objects.all(), required=False, widget=forms.HiddenInput)
    save_as = forms.CharField(label=gettext_lazy("Save this mapping as"), max_length=100, required=False,
                              help_text=gettext_lazy("A name such as “Trade fair 2026”; the same name replaces "
                                                     "that saved mapping."))

    def __init__(self, *args, upload, initial_targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload = upload
        choices = [("", _("— ignore this column —")), *target_choices()]
        for index, column in enumerate(upload.header):
            self.fields[f"col-{index}"] = forms.ChoiceField(
                label=column, choices=choices, required=False, initial=initial_targets.get(column, ""))

    def column_rows(self):
        """(column name, bound select, preview values) for each column of the file."""
        for index, column in enumerate(self.upload.header):
            preview = [row[index] if index < len(row) else "" for row in self.upload.sample]
            yield column, self[f"col-{index}"], preview

    def choices(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(f"col-{index}", "") for index, column in enumerate(self.upload.header)}


def _own_upload(request, pk) -> LeadImportUpload:
    _require_import(request.user)
    return get_object_or_404(LeadImportUpload.objects.filter(created_by=request.user), pk=pk)


@login_required
def lead_import_map_view(request, pk):
    upload = _own_upload(request, pk)
    base = None
    if request.method == "GET" and request.GET.get("mapping"):
        base = ImportMapping.objects.filter(pk=request.GET["mapping"]).first() if request.GET["mapping"].isdigit() else None
    form = MappingForm(request.POST or None, upload=upload, initial_targets=initial_choices(upload=upload, mapping=base),
                       initial={"base_mapping": base.pk if base else None, "save_as": base.name if base else ""})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        base = form.cleaned_data.get("base_mapping")
        name = form.cleaned_data.get("save_as", "").strip()
        try:
            mapping = mapping_from_choices(upload=upload, choices=form.choices(), base=base,
                                           name=name or (base.name if base else ""))
            if name:
                import_mapping_save(by=request.user, name=name, mapping=mapping)
                messages.success(request, _("Mapping “%(name)s” saved.") % {"name": name})
            if request.POST.get("action") == "save":
                return redirect(f"{reverse('leads:import-map', args=[upload.pk])}?mapping="
                                f"{ImportMapping.objects.get(name=name).pk}" if name else
                                reverse("leads:import-map", args=[upload.pk]))
            job = lead_import_upload_start(by=request.user, upload=upload, mapping=mapping)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("leads:import-job", pk=job.pk)
    return render(request, "leads/import_map.html", {
        "upload": upload, "form": form, "errors": errors, "saved_mappings": ImportMapping.objects.all(),
        "base": base, "required": REQUIRED_TARGETS,
    }, status=400 if request.method == "POST" else 200)


def _job(request, pk):
    return get_object_or_404(lead_import_job_queryset_for(user=request.user), pk=pk)


def _job_upload(job):
    upload_id = (job.options or {}).get("upload")
    return LeadImportUpload.objects.filter(pk=upload_id, created_by_id=job.created_by_id).first() if upload_id else None


@login_required
def lead_import_job_view(request, pk):
    job = _job(request, pk)
    result = job.outcome
    error_rows = len({e.row for e in result.errors if e.row is not None})
    return render(request, "leads/import_job.html", {
        "job": job, "result": result, "upload": _job_upload(job),
        "error_rows": error_rows, "ok_rows": max(result.total_rows - error_rows, 0),
        "status_url": reverse("leads:import-job-status", args=[job.pk]),
    })


@login_required
def lead_import_job_status_view(request, pk):
    """{status, label, percent, processed, total, finished}: what the job page's progress bar polls."""
    return job_status_response(_job(request, pk))


@login_required
def lead_import_job_errors_view(request, pk):
    """The job's row errors as CSV: row number, column, message (the first 1,000 problems)."""
    return job_errors_csv_response(_job(request, pk))


@login_required
@require_POST
def lead_import_confirm_view(request, pk):
    preview = _job(request, pk)
    try:
        job = lead_import_job_confirm(by=request.user, job=preview)
    except PermissionDenied as exc:  # an administrator sees every job; only its uploader imports it
        messages.error(request, str(exc))
        return redirect("leads:import-job", pk=preview.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leads:import-job", pk=preview.pk)
    return redirect("leads:import-job", pk=job.pk)
