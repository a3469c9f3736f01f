"""Customers forms, one module per area (validation only; writes go through customers.services)."""
from .accounts import AccountForm, ContactForm

__all__ = ["AccountForm", "ContactForm"]
