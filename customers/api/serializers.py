from rest_framework import serializers

from teams.models import User

from ..models import Account, Contact, Activity


class AccountSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    success_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Account
        fields = ["id", "name", "domain", "industry", "employees", "region", "owner", "success_owner", "external_ref",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class ContactSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())

    class Meta:
        model = Contact
        fields = ["id", "account", "name", "email", "phone", "title", "created_at"]
        read_only_fields = ["created_at"]


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "account", "contact", "kind", "occurred_at", "logged_at", "summary", "owner"]
        read_only_fields = ["logged_at", "owner"]
        extra_kwargs = {"account": {"required": True, "allow_null": False}}
