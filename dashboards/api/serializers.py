from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from salesops.api import QuerySerializer
from salesops.metrics import UNITS

ID = {"min_value": 1, "max_value": 2**63 - 1}


class MetricQuerySerializer(QuerySerializer):
    """Blank or repeated parameters are refused by QuerySerializer, dates outside 1900–2100 by the
    shared date bounds (salesops.dates) every DateField carries."""

    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); default: 3 months before end.")
    end = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive; default: today.")
    period = serializers.ChoiceField(choices=["all"], required=False,
                                     help_text="`all`: every record, whatever its date (no start / end).")
    team = serializers.IntegerField(required=False, help_text="Narrow to this team (inside what you may see).", **ID)
    owner = serializers.IntegerField(required=False, help_text="Narrow to this rep (inside what you may see).", **ID)
    group_by = serializers.CharField(required=False, max_length=30,
                                     help_text="One of the metric's `group_by` keys: rows per stage, owner, team…")

    def validate(self, attrs):
        from pipeline.forecasting import default_funnel_period

        if attrs.get("period") == "all":
            if "start" in attrs or "end" in attrs:
                raise serializers.ValidationError({"period": _("Give either period=all or start / end, not both.")})
            return {**attrs, "start": None, "end": None}
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or default_funnel_period(end)[0]
        if start > end:
            raise serializers.ValidationError({"start": _("The start must be on or before the end.")})
        return {**attrs, "start": start, "end": end}


class MetricSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")
    unit = serializers.ChoiceField(choices=UNITS)
    better = serializers.ChoiceField(choices=["up", "down"], help_text="Which direction is an improvement.")
    group_by = serializers.ListField(child=serializers.CharField(), help_text="Breakdown keys `group_by` accepts.")
    description = serializers.CharField(help_text="How it is computed.")
    app = serializers.CharField(help_text="The app that defines it.")


def per_currency_field():
    return serializers.DictField(child=serializers.DecimalField(max_digits=24, decimal_places=4), allow_null=True,
                                 help_text="Money: total per currency code (never added across currencies); "
                                           "null otherwise.")


class MetricRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True, help_text="Stage code, source code, user or team id… "
                                "(empty: records without one).")
    label = serializers.CharField(allow_blank=True)
    value = serializers.FloatField(allow_null=True, help_text="Null for money (see per_currency) or no data.")
    count = serializers.IntegerField(allow_null=True)
    per_currency = per_currency_field()
    drilldown = serializers.CharField(allow_blank=True, help_text="The list page of this row's records.")


class MetricValueSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=UNITS)
    start = serializers.DateField(allow_null=True, help_text="Null with period=all.")
    end = serializers.DateField(allow_null=True, help_text="Null with period=all.")
    value = serializers.FloatField(allow_null=True, help_text="Null for money (see per_currency) or no data.")
    count = serializers.IntegerField(allow_null=True, help_text="How many records the value was computed from.")
    per_currency = per_currency_field()
    extra = serializers.DictField(help_text="Further figures of the metric (e.g. the median of the sales cycle).")
    group_by = serializers.CharField(allow_blank=True)
    rows = serializers.ListField(child=MetricRowSerializer(), required=False,
                                 help_text="With group_by: one row per group.")
    drilldown = serializers.CharField(allow_blank=True, help_text="The list page of the records behind the value.")
