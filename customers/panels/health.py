"""The health panel of the customer-360 page: score, band, trend, the per-component explanation
adding up to the score, and the history as a chart and a table. Two queries whatever the account holds."""
import json

from django.utils.translation import gettext as _

from salesops.charts import score_history_figure
from salesops.panels import PanelContent

from .. import health as rules
from ..models import HealthBand
from ..selectors import account_health_explained

VALUE_FORMATS = {  # how a component's value reads (the windows are the model's parameters)
    rules.USAGE_FREQUENCY: lambda v: _("%(n)s active days") % {"n": _num(v)},
    rules.SUPPORT_LOAD: lambda v: _("%(n)s tickets (weighted)") % {"n": _num(v)},
    rules.RENEWAL_INTENT: lambda v: _("%(n)s of 100 (contracts)") % {"n": _num(v)},
    rules.NPS: lambda v: _("average %(n)s of 10") % {"n": _num(v)},
    rules.CSAT: lambda v: _("average %(n)s of 5") % {"n": _num(v)},
    rules.ENGAGEMENT_RECENCY: lambda v: _("%(n)s days since the last activity") % {"n": _num(v)},
}
TREND_LABELS = {"up": lambda: _("Improving over 30 days"), "down": lambda: _("Worsening over 30 days"),
                "flat": lambda: _("Stable over 30 days")}


def _num(v) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def render(account, user, request=None) -> PanelContent:
    explained = account_health_explained(account=account)
    context = {"health": explained, "account": account}
    if explained is not None:
        for part in explained["parts"]:
            part["value_text"] = "" if part["left_out"] else VALUE_FORMATS.get(part["code"], _num)(part["value"])
            part["weight_pct"] = round(100 * part["normalised_weight"], 1)
        explained["trend_label"] = TREND_LABELS[explained["trend"]]() if explained["trend"] else ""
        labels = dict(HealthBand.Code.choices)
        for row in explained["history"]:
            row["band_label"] = labels.get(row["band"], "")
        history = [h for h in explained["history"] if h["score"] is not None]
        if len(history) > 1:
            bands = [(b.code, b.min, b.max) for b in explained["model"].bands.all()] if explained["model"] else []
            fig = score_history_figure([h["day"] for h in history], [h["score"] for h in history],
                                       title=_("Health history"), y_title=_("Health score"), bands=bands)
            context["chart"] = json.loads(fig.to_json())
        context["chart_id"] = f"health-history-{account.pk}"
    return PanelContent(template="customers/_health_panel.html", context=context)
