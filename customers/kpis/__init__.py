"""Customers' metrics for the registry (salesops.metrics), one module per area; registered in
customers/registry.py, which reads them from here (`kpis.renewals_due`)."""
from .activities import late, logged, logged_url, logged_within_24h, logged_within_24h_rows
from .contracts import as_of, mrr, mrr_records, mrr_url, renewals_due, renewals_due_records, renewals_due_url

__all__ = ["late", "logged", "logged_url", "logged_within_24h", "logged_within_24h_rows", "as_of", "mrr",
           "mrr_records", "mrr_url", "renewals_due", "renewals_due_records", "renewals_due_url"]
