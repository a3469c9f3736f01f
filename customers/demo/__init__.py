"""Customers' demo data for `manage.py seed_demo`, one module per area (loaded from customers.registry)."""
