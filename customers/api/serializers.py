from rest_framework import serializers

from teams.models import User

from ..models import Account, Contact, Interaction


class AccountSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)

    class Meta:
        model = Account
        fields = ["id", "name", "industry", "employees", "region", "owner", "external_ref", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class ContactSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())

    class Meta:
        model = Contact
        fields = ["id", "account", "name", "email", "phone", "title", "created_at"]
        read_only_fields = ["created_at"]


class InteractionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = ["id", "account", "contact", "kind", "occurred_at", "logged_at", "summary", "owner"]
        read_only_fields = ["logged_at", "owner"]
