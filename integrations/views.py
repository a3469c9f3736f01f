"""The integrations settings page (administrators): integration keys (create, rotate, revoke; a new
key is shown once, on the answer to its creation) and webhook deliveries (log and redelivery)."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from teams.models import User
from teams.predicates import can_manage_integrations

from . import keys, services
from .models import Delivery
from .selectors import delivery_queryset, key_queryset, subscription_queryset


class KeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    user = forms.ModelChoiceField(label=gettext_lazy("Acts as"), queryset=User.objects.filter(is_active=True)
                                  .order_by("username"))
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), choices=[(s, s) for s in keys.SCOPES],
                                       widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label=gettext_lazy("Expires at"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    rate_limit_per_minute = forms.IntegerField(label=gettext_lazy("Requests per minute"), min_value=1,
                                               max_value=100000, initial=600)


def _check(user) -> None:
    if not can_manage_integrations(user):
        raise PermissionDenied(_("Only administrators manage integrations."))


@login_required
def integrations_view(request):
    _check(request.user)
    form = KeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_key = services.key_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = KeyForm()
    return render(request, "integrations/settings.html", {
        "form": form, "new_key": new_key, "keys": key_queryset(), "subscriptions": subscription_queryset(),
        "deliveries": delivery_queryset()[:50],
    })


@login_required
@require_POST
def key_action_view(request, pk, action):
    _check(request.user)
    key = get_object_or_404(key_queryset(), pk=pk)
    new_key = None
    try:
        if action == "revoke":
            services.key_revoke(key=key, by=request.user)
            messages.success(request, _("Keys revoked."))
        else:
            _row, new_key = services.key_rotate(key=key, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if new_key is None:
        return redirect("integrations:settings")
    return render(request, "integrations/settings.html", {
        "form": KeyForm(), "new_key": new_key, "keys": key_queryset(), "subscriptions": subscription_queryset(),
        "deliveries": delivery_queryset()[:50],
    })


@login_required
@require_POST
def redeliver_view(request, pk):
    _check(request.user)
    delivery = get_object_or_404(Delivery, pk=pk)
    services.delivery_redeliver(delivery=delivery, by=request.user)
    messages.success(request, _("%(n)s deliveries queued again.") % {"n": 1})
    return redirect("integrations:settings")
