"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_account_pages()


# --- account panels and demo data for the accounts pages (h1) ------------------------------------
CONTACTS_PANEL_ORDER = 10  # first on the 360 page: who we talk to (pipeline's "Deals" is 20)
CONTACTS_SHOWN = 10
ACCOUNTS_DEMO_ORDER = 45  # after pipeline (40), which seeds the demo accounts


def contacts_panel(account, user, request):
    """The account's contacts (the first CONTACTS_SHOWN, with a link to all): one query."""
    from salesops.panels import PanelContent
    from teams.predicates import can_change_account

    from .selectors import account_contacts_preview

    contacts, total = account_contacts_preview(account=account, limit=CONTACTS_SHOWN)
    return PanelContent("customers/_contacts_panel.html", {
        "contacts": contacts, "more": total > len(contacts), "total": total,
        "can_change": can_change_account(user, account)})


def load_accounts_demo(today) -> str:
    from django.utils.translation import gettext as _

    from teams.demo import demo_users

    from .demo.accounts import seed_account_owners

    changed = seed_account_owners(users=demo_users())
    return _("%(count)d accounts given a success owner") % {"count": changed}


def register_account_pages() -> None:
    from django.utils.translation import gettext as _

    from salesops import demo, panels

    panels.register("contacts", order=CONTACTS_PANEL_ORDER, title=lambda: _("Contacts"), render=contacts_panel)
    demo.register(ACCOUNTS_DEMO_ORDER, "customers-accounts", load_accounts_demo)
