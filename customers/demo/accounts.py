"""Demo accounts get a success owner (the demo "success" user) and a web domain, through the service.

Idempotent: only accounts that lack them are changed; the accounts themselves come from pipeline's
demo loader (matched by external_ref "demo:account:…")."""
import re

from django.db import transaction

from ..models import Account
from ..services import account_update


def _domain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] + ".example.com"


@transaction.atomic
def seed_account_owners(*, users: dict) -> int:
    success, admin = users.get("success"), users.get("admin")
    if success is None or admin is None:
        return 0
    changed = 0
    for account in Account.objects.filter(external_ref__startswith="demo:account:").order_by("pk"):
        fields = {}
        if account.success_owner_id is None:
            fields["success_owner"] = success
        if not account.domain:
            fields["domain"] = _domain(account.name)
        if fields:
            account_update(account=account, by=admin, **fields)
            changed += "success_owner" in fields
    return changed
