"""Customers demo data, one module per area (registered in customers/registry.py)."""
