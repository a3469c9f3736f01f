import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops import charts
from salesops.db_router import reads_from_replica

from . import selectors


@login_required
@reads_from_replica
def home_view(request):
    user = request.user
    by_source = selectors.leads_by_source(user=user)
    figure = charts.bar_figure(by_source, title=_("Leads by source"), x_title=_("Source"), y_title=_("Leads"))
    return render(request, "dashboards/home.html", {
        "summary": selectors.lead_summary(user=user),
        "quotas": selectors.current_quotas(user=user, today=timezone.localdate()),
        "leads_by_source": json.loads(figure.to_json()),
        "has_leads": bool(by_source),
    })
