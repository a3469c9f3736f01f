from rest_framework import serializers

from leads.models import Lead
from leads.selectors import lead_queryset_for
from salesops.api import QuerySerializer
from teams.models import User

from ..models import Account, Contact, Activity
from ..selectors import account_queryset_for, activity_is_late, contact_queryset_for, task_status

TIMELINE_PAGE_SIZE = 50
TIMELINE_MAX_PAGES = 20  # a timeline is read from its newest end: 1,000 entries at most


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
