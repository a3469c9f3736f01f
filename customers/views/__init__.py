"""Customers' pages, one module per area; customers/urls.py lists their paths."""
