"""Filter building blocks shared by the apps' FilterSets."""
import django_filters
from django import forms

MAX_ID = 2**63 - 1  # PostgreSQL bigint


class IdFilter(django_filters.Filter):
    """An integer id (e.g. `owner=12`) without a <select> listing every row; bad values are a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BoundedIntegerFilter(django_filters.Filter):
    """An integer bound (e.g. company size at least N) limited to what the database can compare."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)
