"""Pages of web-to-lead forms (marketing and administrators): list, create and edit, and each
form's page with its embeddable HTML snippet."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from teams.models import User
from teams.predicates import can_manage_web_forms

from ..models import WebForm
from ..services.web_forms import EDIT_FIELDS, HONEYPOT_FIELD, web_form_save


class WebFormForm(forms.ModelForm):
    class Meta:
        model = WebForm
        fields = list(EDIT_FIELDS)
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = User.objects.filter(is_active=True).order_by("username")
        self.fields["posted_as"].queryset = active
        self.fields["owner"].queryset = active


def _check(user) -> None:
    if not can_manage_web_forms(user):
        raise PermissionDenied(_("Only marketing and administrators manage web forms."))


def snippet(request, form: WebForm) -> str:
    """The HTML a website pastes: a plain form (works without JavaScript) with a hidden honeypot."""
    action = request.build_absolute_uri(reverse("leads-api:public-form", kwargs={"key": form.key}))
    labels = {"name": _("Name"), "email": _("Email"), "company": _("Company"), "phone": _("Phone")}
    rows = "\n".join(
        f'  <label>{label} <input name="{name}" type="{"email" if name == "email" else "text"}"'
        f'{" required" if name == "email" else ""}></label>' for name, label in labels.items())
    return (f'<form method="post" action="{action}">\n{rows}\n'
            f'  <!-- leave this hidden field empty: it catches spam robots -->\n'
            f'  <input name="{HONEYPOT_FIELD}" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px">\n'
            '  <!-- optional campaign fields: utm_source, utm_medium, utm_campaign, utm_term, utm_content -->\n'
            f'  <button type="submit">{_("Send")}</button>\n</form>')


@login_required
def web_form_list_view(request):
    _check(request.user)
    return render(request, "leads/web_form_list.html", {"forms": WebForm.objects.select_related("owner")})


@login_required
def web_form_edit_view(request, pk=None):
    _check(request.user)
    instance = get_object_or_404(WebForm, pk=pk) if pk else None
    form = WebFormForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = web_form_save(by=request.user, form=instance,
                                  **{name: form.cleaned_data[name] for name in EDIT_FIELDS})
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The web form was saved."))
            return redirect("leads:web-form", pk=saved.pk)
    return render(request, "leads/web_form_edit.html", {"form": form, "web_form": instance})


@login_required
def web_form_detail_view(request, pk):
    _check(request.user)
    web_form = get_object_or_404(WebForm.objects.select_related("owner", "posted_as"), pk=pk)
    endpoint = request.build_absolute_uri(reverse("leads-api:public-form", kwargs={"key": web_form.key}))
    return render(request, "leads/web_form_detail.html",
                  {"web_form": web_form, "snippet": snippet(request, web_form), "endpoint": endpoint})
