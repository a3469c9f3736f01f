"""Filter building blocks shared by the apps' FilterSets."""
import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

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


class StrictFilterBackend(DjangoFilterBackend):
    """The API's filter backend: query parameters are checked as strictly as the schema states them.

    A FilterSet serves the HTML list too, where a blank field of the filter form is "no filter", and
    django-filter reads an unknown boolean (`is_open=-1`) as "no filter" and a repeated parameter
    as its last value. In the API these are mistakes and answer 400: a parameter given twice
    (unless the filter takes several values), a blank value for anything but free text, and a
    boolean other than `true` or `false`.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {name: [message] for name, message in _strict_errors(filterset, request.query_params)}
            if errors:
                raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


def _strict_errors(filterset, params):
    for name, filter_ in filterset.filters.items():
        values = params.getlist(name)
        if not values:
            continue
        takes_many = isinstance(filter_, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter)
        if len(values) > 1 and not takes_many:
            yield name, _("Give this parameter at most once.")
        elif "" in values and not isinstance(filter_, django_filters.CharFilter):
            yield name, _("This value may not be blank.")
        elif isinstance(filter_, django_filters.BooleanFilter) and not set(values) <= {"true", "false"}:
            yield name, _("Enter true or false.")
