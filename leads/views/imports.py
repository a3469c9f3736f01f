"""CSV import pages: upload + mapping -> preview with every error -> confirm (all rows or none).

The uploaded file waits on the server (leads.services.imports.import_stage) between preview and
confirmation; the session remembers its token and the mapping, so only the uploader can confirm."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..models import ImportMapping
from ..services.imports import (
    MAX_BYTES,
    import_mapping_from_json,
    import_mapping_spec,
    import_stage,
    import_staged,
    import_unstage,
    import_upload_read,
    leads_import,
)

SESSION_KEY = "leads_import"


class LeadImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), help_text=format_lazy(
        gettext_lazy("UTF-8, at most {mb} MB; the first row names the columns."), mb=MAX_BYTES // 2**20))
    mapping = forms.ModelChoiceField(ImportMapping.objects.all(), required=False, label=gettext_lazy("Saved mapping"))
    mapping_json = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label=gettext_lazy("Or paste a mapping (JSON)"),
        help_text=gettext_lazy('{"columns": {"name": "Full name", "email": "E-mail"}, '
                               '"values": {"source": {"Google": "paid_search", "*": "other"}}}'))

    def clean(self):
        data = super().clean()
        if bool(data.get("mapping")) == bool(data.get("mapping_json", "").strip()):
            raise ValidationError({"mapping": _("Choose a saved mapping or paste one, not both.")})
        if data.get("mapping"):
            data["spec"] = import_mapping_spec(mapping=data["mapping"])
        else:
            data["spec"] = import_mapping_from_json(text=data["mapping_json"])
        if "file" in data:
            data["data"] = import_upload_read(upload=data["file"])
        return data


def _preview(request, *, result, token=None):
    return render(request, "leads/import_preview.html", {"result": result, "token": token})


@login_required
def lead_import_view(request):
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, spec = form.cleaned_data["data"], form.cleaned_data["spec"]
        try:
            result = leads_import(by=request.user, data=data, mapping=spec, dry_run=True)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            token = import_stage(data=data) if result.ok and result.to_create else None
            request.session[SESSION_KEY] = {"token": token, "mapping": spec.as_dict()}
            return _preview(request, result=result, token=token)
    return render(request, "leads/import_form.html", {"form": form})


@login_required
@require_POST
def lead_import_confirm_view(request):
    staged = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    try:
        if not token or staged.get("token") != token:
            raise ValidationError(_("The uploaded file is no longer available. Upload it again."))
        result = leads_import(by=request.user, data=import_staged(token=token), mapping=staged["mapping"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leads:import")
    if not result.ok:
        return _preview(request, result=result)
    import_unstage(token=token)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("Imported %(created)s leads; skipped %(duplicates)s duplicates.")
                     % {"created": result.created, "duplicates": len(result.duplicates)})
    return redirect("leads:list")
