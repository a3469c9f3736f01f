"""Customers pages, one module per area; paths in customers/urls.py."""
