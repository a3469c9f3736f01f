"""Customers' pages, one module per area (accounts and the customer-360 page, contacts)."""
from .accounts import AccountCreateView, AccountDetailView, AccountListView, AccountUpdateView
from .contacts import ContactCreateView, ContactListView, ContactUpdateView, contact_delete_view

__all__ = ["AccountCreateView", "AccountDetailView", "AccountListView", "AccountUpdateView", "ContactCreateView",
           "ContactListView", "ContactUpdateView", "contact_delete_view"]
