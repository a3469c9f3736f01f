"""Filter building blocks shared by the apps' FilterSets."""
import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework.filters import OrderingFilter

from .api import query_param_errors, raise_query_param_errors

MAX_ID = 2**63 - 1  # PostgreSQL bigint


class _IntegerRangeFilter(django_filters.Filter):
    """An integer in [min_value, max_value]; the OpenAPI schema states this range (not the model
    field's, which drf-spectacular would otherwise copy)."""

    field_class = forms.IntegerField
    default_range = (None, None)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", self.default_range[0])
        kwargs.setdefault("max_value", self.default_range[1])
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "integer", "minimum": kwargs["min_value"],
                                     "maximum": kwargs["max_value"]})


class IdFilter(_IntegerRangeFilter):
    """An integer id (e.g. `owner=12`) without a <select> listing every row; bad values are a 400."""

    default_range = (1, MAX_ID)


class BoundedIntegerFilter(_IntegerRangeFilter):
    """An integer bound (e.g. company size at least N) limited to what the database can compare."""

    default_range = (0, 2**31 - 1)


class StrictFilterBackend(DjangoFilterBackend):
    """The API's filter backend: query parameters are checked as strictly as the schema states them.

    A FilterSet serves the HTML list too, where a blank field of the filter form is "no filter", and
    django-filter reads an unknown boolean (`is_open=-1`) as "no filter" and a repeated parameter
    as its last value. In the API these are mistakes and answer 400: a parameter given twice
    (unless the filter takes several values), a blank value for anything but free text, and a
    boolean other than `true` or `false`.
    """

    def filter_queryset(self, request, queryset, view):
        from .sync import check_query_params  # (salesops.sync imports DRF's views, which import this)

        check_query_params(request, view)  # an unknown parameter is a 400, not "no filter"
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            filters, params = filterset.filters, request.query_params
            raise_query_param_errors(query_param_errors(
                params, names=filters,
                blank_ok={name for name, f in filters.items() if isinstance(f, django_filters.CharFilter)},
                many_ok={name for name, f in filters.items()
                         if isinstance(f, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter)}))
            raise_query_param_errors((name, _("Enter true or false.")) for name, f in filters.items()
                                     if isinstance(f, django_filters.BooleanFilter)
                                     and not set(params.getlist(name)) <= {"true", "false"})
        return super().filter_queryset(request, queryset, view)


class TieBreakOrderingFilter(OrderingFilter):
    """DRF's `?ordering=`, plus the id as the last key, so equal values (`created_at` of a bulk
    import) come in a stable order and page boundaries neither repeat nor skip rows; `id` and
    `updated_at` may be asked for wherever the model has them."""

    def get_valid_fields(self, queryset, view, context={}):  # noqa: B006 (DRF's signature)
        fields = super().get_valid_fields(queryset, view, context)
        names = {name for name, _label in fields}
        model_fields = {f.name for f in queryset.model._meta.get_fields()}
        extra = [name for name in ("id", "updated_at") if name in model_fields and name not in names]
        return [*fields, *((name, name) for name in extra)]

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        keys = [key.lstrip("-") for key in ordering]
        if "id" not in keys and "pk" not in keys:
            ordering = [*ordering, "-id" if ordering[-1].startswith("-") else "id"]
        return queryset.order_by(*ordering)
