from django.utils.translation import gettext as _
from rest_framework import serializers

from salesops.api import QuerySerializer

from teams.models import User

from ..models import Account, Contact, Activity


class AccountSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False,
                                               help_text="Sales owner (user id); default: you.")
    success_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True,
                                                       help_text="Customer-success owner (user id).")
    owner_name = serializers.SerializerMethodField(help_text="The sales owner's name.")
    success_owner_name = serializers.SerializerMethodField(help_text="The success owner's name (blank if none).")
    page_url = serializers.SerializerMethodField(help_text="Path of the account's customer-360 page.")

    class Meta:
        model = Account
        fields = ["id", "name", "domain", "industry", "employees", "region", "owner", "owner_name", "success_owner",
                  "success_owner_name", "external_ref", "page_url", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"domain": {"help_text": "Web domain, e.g. example.com (stored without scheme and www.)."}}

    def get_owner_name(self, obj) -> str:
        return str(obj.owner) if obj.owner_id else ""

    def get_success_owner_name(self, obj) -> str:
        return str(obj.success_owner) if obj.success_owner_id else ""

    def get_page_url(self, obj) -> str:
        return obj.get_absolute_url()


class AccountDuplicatesQuerySerializer(QuerySerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                 help_text="Account name (compared ignoring case).")
    domain = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="Web domain (compared after removing scheme, www. and path).")
    exclude = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                       help_text="Leave out this account id (the one being edited).")

    def validate(self, attrs):
        if not (attrs.get("name") or "").strip() and not (attrs.get("domain") or "").strip():
            raise serializers.ValidationError(_("Give a name or a web domain."))
        return attrs


class AccountDuplicatesSerializer(serializers.Serializer):
    results = AccountSerializer(many=True, help_text="Possible duplicates you may see (at most 10).")
    hidden_count = serializers.IntegerField(help_text="How many more possible duplicates exist that you may not see.")


class ContactSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    account_name = serializers.CharField(source="account.name", read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "account", "account_name", "name", "email", "phone", "title", "created_at"]
        read_only_fields = ["created_at"]


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "account", "contact", "kind", "occurred_at", "logged_at", "summary", "owner"]
        read_only_fields = ["logged_at", "owner"]
        extra_kwargs = {"account": {"required": True, "allow_null": False}}
