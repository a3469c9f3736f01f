"""Type-ahead lookups of the quick-add forms (issue 12): accounts and "what is it about" (a lead or an
account), scoped to what the user may see."""
from django.db.models import Q

from leads.selectors import lead_queryset_for

from .accounts import account_queryset_for

LIMIT = 10


def _terms(q: str) -> list[str]:
    return [term for term in q.replace("\x00", "").split()[:4] if term]  # PostgreSQL text holds no NUL


def account_lookup(*, user, q: str) -> list[dict]:
    accounts = account_queryset_for(user=user)
    for term in _terms(q):
        accounts = accounts.filter(Q(name__icontains=term) | Q(domain__icontains=term))
    return [{"id": pk, "label": name} for pk, name in accounts.order_by("name", "pk").values_list("pk", "name")[:LIMIT]]


def record_lookup(*, user, q: str) -> list[dict]:
    """Accounts and leads whose name (or company) has every word of `q`: ids are "account:7", "lead:12"."""
    from django.utils.translation import gettext as _

    leads = lead_queryset_for(user=user)
    for term in _terms(q):
        leads = leads.filter(Q(name__icontains=term) | Q(company__icontains=term))
    rows = [{"id": f"account:{a['id']}", "label": _("Account: %(name)s") % {"name": a["label"]}}
            for a in account_lookup(user=user, q=q)[:LIMIT // 2]]
    rows += [{"id": f"lead:{pk}", "label": _("Lead: %(name)s") % {"name": f"{name} ({company})" if company else name}}
             for pk, name, company in leads.order_by("name", "pk").values_list("pk", "name", "company")[:LIMIT - len(rows)]]
    return rows


def parse_record(value: str) -> tuple[str, int]:
    """("account" | "lead", id) from "account:7"; ValueError otherwise."""
    kind, _sep, pk = str(value).partition(":")
    if kind not in ("account", "lead") or not pk.isdecimal() or len(pk) > 18:
        raise ValueError(value)
    return kind, int(pk)


def record_for(*, user, value: str):
    """The lead or account `value` names if `user` may see it, else None."""
    try:
        kind, pk = parse_record(value)
    except ValueError:
        return None
    queryset = account_queryset_for(user=user) if kind == "account" else lead_queryset_for(user=user)
    return queryset.filter(pk=pk).first()


def record_labels(*, user, values) -> dict:
    labels = {}
    for value in values:
        record = record_for(user=user, value=value)
        if record is not None:
            labels[value] = str(record)
    return labels


def account_labels(*, user, ids) -> dict:
    return dict(account_queryset_for(user=user).filter(pk__in=list(ids)).values_list("pk", "name"))
