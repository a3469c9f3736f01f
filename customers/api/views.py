from dataclasses import asdict

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from salesops.timeline import timeline
from teams.predicates import can_change_customer_records
from teams.selectors import CHANGE, VIEW

from .. import services
from salesops.sync import SyncViewSetMixin

from ..filters import AccountApiFilterSet, ActivityApiFilterSet, ContactApiFilterSet, TaskFilterSet
from ..models import Account, Activity, Contact
from ..selectors import account_duplicates_for, account_queryset_for, activity_queryset_for, contact_queryset_for
from .serializers import (
    TIMELINE_MAX_PAGES, AccountDuplicatesQuerySerializer, AccountDuplicatesSerializer, AccountSerializer,
    ActivitySerializer, ActivityUpdateSerializer, ContactSerializer, TaskSerializer, TimelinePageSerializer,
    TimelineQuerySerializer,
)


class CustomerRecordsWritePermission(permissions.IsAuthenticated):
    """Reads for everyone signed in (scoped by the selectors); writes are refused with 403 to the
    roles that only read customers (support, product: teams.predicates.can_change_customer_records)."""

    message = gettext_lazy("Your role reads customers but does not change them.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or can_change_customer_records(request.user)


class AccountViewSet(SyncViewSetMixin, viewsets.ModelViewSet):
    """Accounts (companies). Reps see and change their own, customer success the accounts it is
    success owner of, managers their teams', admins all; support and product read every account and
    change nothing (403). Only admins delete (with the contacts and activity log; never an account
    with deals). Filters: `q` (name or web domain), `industry`, `region`, `owner`, `success_owner`
    (user ids), `mine` (you are its sales or success owner)."""

    serializer_class = AccountSerializer
    filterset_class = AccountApiFilterSet
    permission_classes = [CustomerRecordsWritePermission]
    queryset = Account.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["name", "created_at", "employees", "updated_at", "id"]

    @extend_schema(parameters=[AccountDuplicatesQuerySerializer], responses={200: AccountDuplicatesSerializer},
                   summary="Possible duplicates of an account (same name ignoring case, or same web domain)")
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request):
        params = AccountDuplicatesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = account_duplicates_for(user=request.user, name=params.validated_data.get("name", ""),
                                       domain=params.validated_data.get("domain", ""),
                                       exclude_pk=params.validated_data.get("exclude"))
        return Response(AccountDuplicatesSerializer(
            {"results": found["visible"], "hidden_count": found["hidden"]}).data)

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return account_queryset_for(user=self.request.user, action=action)

    def perform_create(self, serializer):
        serializer.instance = services.account_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.account_update(account=serializer.instance, by=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.account_delete(account=instance, by=self.request.user)


class ContactViewSet(SyncViewSetMixin, viewsets.ModelViewSet):
    """Contacts of the accounts you can see (changed by whoever may change the account)."""

    serializer_class = ContactSerializer
    filterset_class = ContactApiFilterSet
    permission_classes = [CustomerRecordsWritePermission]
    queryset = Contact.objects.none()  # for the schema; requests read get_queryset()

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return contact_queryset_for(user=self.request.user, action=action)

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(contact=serializer.instance, by=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance, by=self.request.user)


def scoped_activities(request):
    """The activities the caller may read (safe methods) or change."""
    action = VIEW if request.method in SAFE_METHODS else CHANGE
    return activity_queryset_for(user=request.user, action=action)


class ActivityViewSet(SyncViewSetMixin, viewsets.ModelViewSet):
    """The activity log: calls, meetings, emails, notes and tasks on accounts, contacts and leads.

    Lists your own entries plus (read) those on accounts and leads you can see; filter by account,
    lead, contact, owner, kind, `late` (logged more than 24 h after happening) and the occurred range.
    Create on an account or a lead (one of them): `occurred_at` defaults to now and may not be in the
    future (400); late entries are accepted and flagged. Change and delete: the person who logged it,
    their manager, admins. Deals' activities are logged with `POST /api/v1/opportunities/{id}/activities/`.
    """

    serializer_class = ActivitySerializer
    filterset_class = ActivityApiFilterSet
    queryset = Activity.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["occurred_at", "logged_at", "updated_at", "id"]

    def get_queryset(self):
        return scoped_activities(self.request).order_by("-occurred_at", "-id")

    def get_serializer_class(self):
        return ActivityUpdateSerializer if self.action in ("update", "partial_update") else ActivitySerializer

    def perform_create(self, serializer):
        serializer.instance = services.activity_log(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.activity_update(activity=serializer.instance, by=self.request.user,
                                                       **serializer.validated_data)

    def perform_destroy(self, instance):
        services.activity_delete(activity=instance, by=self.request.user)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Tasks: open, overdue or done (`status`), by due range, account, lead, owner. Create one on an
    account or a lead with a due date (its owner: you); `POST …/{id}/complete/` marks it done (its
    owner, their manager, admins; again: no change). Change or delete a task as an activity."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    queryset = Activity.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["due_at", "occurred_at"]

    def get_queryset(self):
        return scoped_activities(self.request).filter(kind=Activity.Kind.TASK).order_by(
            F("due_at").asc(nulls_last=True), "id")

    def perform_create(self, serializer):
        serializer.instance = services.activity_log(by=self.request.user, kind=Activity.Kind.TASK,
                                                    **serializer.validated_data)

    @extend_schema(request=None, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the task done (done_at: now); completing a done task changes nothing."""
        task = services.task_complete(task=self.get_object(), by=request.user)
        return Response(self.get_serializer(task).data)


class AccountTimelineView(APIView):
    """`GET /api/v1/accounts/{id}/timeline/`: the account's timeline (every registered source: activities,
    and what other areas add), newest first, `page_size` entries a page (≤ 50), up to 20 pages."""

    @extend_schema(parameters=[TimelineQuerySerializer], responses={200: TimelinePageSerializer})
    def get(self, request, pk: int):
        account = get_object_or_404(account_queryset_for(user=request.user), pk=pk)
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page, size = query.validated_data["page"], query.validated_data["page_size"]
        items = timeline("account", account, request.user, limit=page * size + 1)
        shown = items[(page - 1) * size:page * size]
        if page > 1 and not shown:
            raise NotFound(_("No such page."))

        def link(number: int) -> str:
            return replace_query_param(request.build_absolute_uri(), "page", number)

        more = len(items) > page * size and page < TIMELINE_MAX_PAGES
        return Response(TimelinePageSerializer({
            "next": link(page + 1) if more else None, "previous": link(page - 1) if page > 1 else None,
            "results": [{**asdict(item), "flags": list(item.flags)} for item in shown]}).data)
