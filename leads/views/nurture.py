"""HTML views of nurture: enroll a lead from its detail page; the public click-tracking link."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..selectors import lead_queryset_for
from ..services.nurture import nurture_active_tracks, nurture_enroll, nurture_record_click


class NurtureEnrollForm(forms.Form):
    track = forms.ModelChoiceField(label=gettext_lazy("Nurture track"), queryset=nurture_active_tracks(),
                                   empty_label=None)


@login_required
@require_POST
def nurture_enroll_view(request, pk):
    lead = get_object_or_404(lead_queryset_for(user=request.user), pk=pk)  # others' leads: 404
    form = NurtureEnrollForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an active nurture track."))
    else:
        try:
            enrollment = nurture_enroll(lead=lead, track=form.cleaned_data["track"], by=request.user)
            messages.success(request, _("Enrolled in “%(track)s”.") % {"track": enrollment.track.name})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(reverse("leads:detail", args=[lead.pk]) + "#nurture")


@never_cache
@require_GET
def nurture_click_view(request, token):
    """Public (emails are opened signed out): record the click, then go to the step's content."""
    send = nurture_record_click(token=token)
    if send is None:
        raise Http404(_("Unknown link."))
    if send.step.link_url:
        return HttpResponseRedirect(send.step.link_url)
    return render(request, "leads/nurture_thanks.html", {"step": send.step})
