from django.utils.translation import gettext as _
from rest_framework import serializers

from salesops.api import QuerySerializer

from leads.models import Lead
from leads.selectors import lead_queryset_for
from teams.models import User

from ..models import Account, Contact, Activity
from ..selectors import account_queryset_for, activity_is_late, contact_queryset_for, task_status

TIMELINE_PAGE_SIZE = 50
TIMELINE_MAX_PAGES = 20  # a timeline is read from its newest end: 1,000 entries at most


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
    """A call, meeting, email, note or task on an account (optionally one of its contacts) or a lead.
    `occurred_at` defaults to now and may not be in the future; `late` is true when it was logged more
    than 24 h after it happened. Only a task has `due_at` (required for one) and `done_at`."""

    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none(), required=False, allow_null=True)
    lead = serializers.PrimaryKeyRelatedField(queryset=Lead.objects.none(), required=False, allow_null=True)
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none(), required=False, allow_null=True)
    occurred_at = serializers.DateTimeField(required=False)
    summary = serializers.CharField(max_length=5000)
    late = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "account", "lead", "contact", "kind", "occurred_at", "logged_at", "summary", "owner",
                  "due_at", "done_at", "late"]
        read_only_fields = ["logged_at", "owner", "done_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:  # only what the caller may see is a valid id
            for name, queryset in (("account", account_queryset_for), ("lead", lead_queryset_for),
                                   ("contact", contact_queryset_for)):
                if not self.fields[name].read_only:
                    self.fields[name].queryset = queryset(user=user)

    def get_late(self, activity) -> bool:
        return activity_is_late(activity)


class ActivityUpdateSerializer(ActivitySerializer):
    """Changing an activity: what it is about (account, lead) stays."""

    account = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    lead = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)


class TaskSerializer(ActivitySerializer):
    """A task: what is to be done (`summary`), by when (`due_at`), about an account or a lead; its owner
    is whoever creates it. `status` is open, overdue or done."""

    kind = serializers.CharField(read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    due_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField()

    class Meta(ActivitySerializer.Meta):
        fields = ["id", "account", "lead", "contact", "kind", "summary", "owner", "due_at", "done_at", "status",
                  "occurred_at", "logged_at"]

    def get_status(self, task) -> str:
        return task_status(task)


class TimelineItemSerializer(serializers.Serializer):
    """One entry of a timeline (salesops.timeline.TimelineItem)."""

    when = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    by = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())


class TimelinePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = TimelineItemSerializer(many=True)


class TimelineQuerySerializer(QuerySerializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=TIMELINE_MAX_PAGES, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=TIMELINE_PAGE_SIZE,
                                         default=TIMELINE_PAGE_SIZE)
