"""Customers' HTML forms, one module per area (validation only; services write)."""
