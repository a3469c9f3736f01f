"""Customer-360 sections contributed by contracts, usage and tickets (registered in customers/registry.py).

Each costs a fixed number of queries (3 each) whatever the account holds. The 360 page shows a
panel only to users who may see the account, and so its contracts, usage and tickets."""
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.charts import weekly_bar_figure
from salesops.panels import PanelContent
from teams.selectors import CHANGE

from ..selectors import account_queryset_for, contract_panel_data, usage_panel_data


def contracts_panel(account, user, request=None) -> PanelContent:
    data = contract_panel_data(account=account, today=timezone.localdate())
    may_change = account_queryset_for(user=user, action=CHANGE).filter(pk=account.pk).exists()
    return PanelContent("customers/_panel_contracts.html", {**data, "account": account, "may_change": may_change})


def usage_panel(account, user, request=None) -> PanelContent:
    data = usage_panel_data(account=account, today=timezone.localdate())
    weeks = [monday.isoformat() for monday, _total in data["usage_weeks"]]
    figure = weekly_bar_figure(weeks, [total for _monday, total in data["usage_weeks"]],
                               title=_("Usage per week"), y_title=_("Quantity"))
    return PanelContent("customers/_panel_usage.html", {
        **data, "account": account, "chart_id": f"usage-chart-{account.pk}",
        "usage_figure": json.loads(figure.to_json())})
