"""Customers forms, one module per area (validation only; writes go through customers.services)."""
from .accounts import AccountForm, ContactForm

__all__ = ["AccountForm", "ContactForm"]
from .activities import QuickActivityForm, QuickLogForm, QuickLogSubjectForm  # noqa: E402  (activities and tasks)

__all__ += ["QuickActivityForm", "QuickLogForm", "QuickLogSubjectForm"]
