from rest_framework import serializers

from ..models import Quota, Team, Territory, User


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["id", "name", "regions"]


class UserSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True, default=None,
                                           allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "team", "team_name",
                  "territory", "territory_name", "is_active", "is_away"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    manager_name = serializers.CharField(source="manager", read_only=True, allow_null=True)  # str(manager)

    class Meta:
        model = Team
        fields = ["id", "name", "manager", "manager_name"]


class QuotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quota
        fields = ["id", "user", "period_start", "period_end", "amount", "currency"]
        read_only_fields = fields


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                           help_text="When the token stops working; null: no expiry.")
