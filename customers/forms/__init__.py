"""Customers forms, one module per area (validation only; writes go through customers.services)."""
