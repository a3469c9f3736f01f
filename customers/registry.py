"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_retention()  # h6


# --- h6: retention metrics and the public Telco data set ----------------------------------------------
def register_retention_metrics() -> None:
    """Churn, GRR/NRR, LTV, CAC and LTV:CAC in the metric registry (definitions: customers.retention)."""
    from decimal import Decimal

    from django.urls import reverse
    from django.utils.http import urlencode
    from django.utils.translation import gettext_lazy as _

    from salesops.metrics import DOWN, MONEY, PERCENT, RATIO, UP, Metric, MetricResult, MetricRow, register

    from . import retention_selectors as rs
    from .models import Account

    def report(scope, period, months=False):
        if period.start is None or period.end is None:
            return None
        return rs.retention_report(scope=scope, start=period.start, end=period.end, months=months)

    def percent(value):
        return None if value is None else round(value * 100, 2)

    def rate(attribute):
        def compute(scope, period):
            rep = report(scope, period)
            if rep is None:
                return MetricResult(None)
            return MetricResult(percent(getattr(rep.total, attribute)), count=rep.total.movement.accounts,
                                extra={"currency": rep.currency})

        def breakdown(scope, period, group_by):
            rep = report(scope, period)
            if rep is None:
                return []
            return [MetricRow(f.key, f.label, percent(getattr(f, attribute)), f.movement.accounts)
                    for f in rep.by_contract_type]
        return compute, breakdown

    def records_of(kind):
        def records(scope, period, group_by=None, key=None):
            if period.start is None or period.end is None:
                return Account.objects.none()
            term = key if group_by == rs.TERM_KEY and key else ""
            return rs.retention_accounts(scope=scope, start=period.start, end=period.end, kind=kind, term=term)
        return records

    def drilldown_of(kind):
        def drilldown(scope, period, group_by=None, key=None):
            query = {k: v for k, v in (("start", period.start), ("end", period.end), ("team", scope.team_id),
                                       ("owner", scope.owner_id)) if v}
            query["set"] = kind
            if group_by == rs.TERM_KEY and key:
                query["contract_type"] = key
            return reverse("customers:retention-accounts") + "?" + urlencode(query)
        return drilldown

    records = records_of(rs.COHORT)
    drilldown = drilldown_of(rs.COHORT)

    def money(attribute, *, cac=False):
        def compute(scope, period):
            rep = report(scope, period, months=True)
            value = None if rep is None else getattr(rep, attribute)
            if value is None:
                return MetricResult(None, count=None if rep is None else rep.total.movement.accounts)
            return MetricResult(None, count=rep.new_customers if cac else rep.total.movement.accounts,
                                per_currency={rep.currency: round(Decimal(str(value)), 2)})
        return compute

    def ratio(scope, period):
        rep = report(scope, period, months=True)
        value = None if rep is None or rep.ltv_cac is None else round(rep.ltv_cac, 2)
        return MetricResult(value, count=None if rep is None else rep.new_customers)

    rates = [
        ("logo_churn_rate", _("Logo churn rate"), "logo_churn", DOWN,
         _("Accounts of the period's starting cohort left with no contract at its end, as a share of the cohort.")),
        ("revenue_churn_rate", _("Revenue churn rate"), "revenue_churn", DOWN,
         _("(Churned MRR + contraction) ÷ the starting cohort's MRR, over the period (one currency).")),
        ("grr", _("Gross revenue retention"), "grr", UP,
         _("(Start MRR − contraction − churned MRR) ÷ start MRR of the period's starting cohort; at most 100 %.")),
        ("nrr", _("Net revenue retention"), "nrr", UP,
         _("(Start MRR + expansion − contraction − churned MRR) ÷ start MRR of the period's starting cohort.")),
    ]
    for code, name, attribute, better, description in rates:
        compute, breakdown = rate(attribute)
        register(Metric(code=code, name=name, unit=PERCENT, better=better, compute=compute, records=records,
                        breakdown=breakdown, group_by=(rs.TERM_KEY,), description=description, app="customers",
                        drilldown_url=drilldown))
    register(Metric(code="ltv", name=_("Customer lifetime value (LTV)"), unit=MONEY, better=UP, compute=money("ltv"),
                    records=records, description=_(
                        "ARPA × gross margin ÷ monthly revenue churn (the mean of the period's months; lifetime "
                        "capped at 120 months, also when churn is 0). Gross margin: CUSTOMERS_GROSS_MARGIN."),
                    app="customers", drilldown_url=drilldown))
    register(Metric(code="cac", name=_("Customer acquisition cost (CAC)"), unit=MONEY, better=DOWN,
                    compute=money("cac", cac=True), records=records_of(rs.NEW), description=_(
                        "Sales and marketing spend of the period's months ÷ new customers (accounts whose first "
                        "contract started in the period). An organisation figure."),
                    app="customers", drilldown_url=drilldown_of(rs.NEW)))
    register(Metric(code="ltv_cac", name=_("LTV:CAC"), unit=RATIO, better=UP, compute=ratio,
                    records=records_of(rs.NEW), description=_("LTV ÷ CAC over the same period and currency."),
                    app="customers", drilldown_url=drilldown_of(rs.NEW)))


def register_public_datasets() -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _

    from salesops.importers import PublicDataset, register

    def load(folder, owner) -> str:
        from .services.customer_import import summary_message, telco_public_dataset_load

        result = telco_public_dataset_load(folder=folder, owner=owner)
        if not result.ok:
            raise ValidationError([f"row {e.row}: {e.message}" for e in result.errors[:20]])
        return summary_message(result)

    register(PublicDataset(code="ibm-telco", name=_("IBM Telco customer churn"),
                           path=("ibm-telco-customer-churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"),
                           load=load, order=30, app="customers"))


def load_retention_demo(today) -> str:
    from django.utils.translation import gettext as _

    from teams.demo import demo_users

    from .retention_demo import seed_retention

    contracts, spends = seed_retention(users=demo_users(), today=today)
    return _("%(contracts)d new retention demo contracts, %(spends)d spend entries") % {
        "contracts": contracts, "spends": spends}



def register_retention() -> None:
    """h6: retention metrics, the public Telco data set and the retention demo (after pipeline's accounts)."""
    from salesops import demo

    register_retention_metrics()
    register_public_datasets()
    demo.register(45, "customers-retention", load_retention_demo)
