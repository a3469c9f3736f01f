"""`/api/v1/onboarding/templates/` and `/api/v1/onboarding/plans/` (h10).

Templates: readable by every signed-in user; created, changed (phases and steps replaced as a whole)
and deleted by managers and admins through teams.services.onboarding.
Plans: read by the hire, their mentor, the hire's manager and admins (others: 404); made and changed
(mentor, closed) by the hire's manager and admins; `POST …/{id}/tasks/{task_id}/tick/` (the hire
their own steps, the mentor the mentor's) and `…/sign-off/` (the mentor or the manager, never the hire).
"""
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import onboarding as rules
from ..filters import OnboardingPlanFilterSet
from ..models import OnboardingPhase, OnboardingPlan, OnboardingStep, OnboardingTask, OnboardingTemplate, User
from ..models.onboarding import MAX_DAY, MAX_DURATION, Performer, StepKind
from ..selectors import onboarding as selectors
from ..services import onboarding as services

THRESHOLD = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "max_value": 9_999_999_999}


class StepSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    day_offset = serializers.IntegerField(min_value=0, max_value=MAX_DAY, default=0)
    duration_days = serializers.IntegerField(min_value=1, max_value=MAX_DURATION, default=7)
    performer = serializers.ChoiceField(choices=Performer.choices, default=Performer.HIRE)
    kind = serializers.ChoiceField(choices=StepKind.choices, default=StepKind.DOING)
    milestone_metric = serializers.CharField(max_length=50, required=False, allow_blank=True, default="",
                                             help_text="A registered metric code (GET /api/v1/metrics/); empty: "
                                                       "ticked by hand.")
    milestone_threshold = serializers.DecimalField(**THRESHOLD, required=False, allow_null=True, default=None)


class PhaseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    steps = StepSerializer(many=True, max_length=services.MAX_STEPS, required=False, default=list)


class StepReadSerializer(serializers.ModelSerializer):
    class Meta:
        model = OnboardingStep
        fields = ["id", "title", "description", "day_offset", "duration_days", "performer", "kind", "milestone_metric",
                  "milestone_threshold"]
        read_only_fields = fields


class PhaseReadSerializer(serializers.ModelSerializer):
    steps = StepReadSerializer(many=True, read_only=True)

    class Meta:
        model = OnboardingPhase
        fields = ["title", "steps"]
        read_only_fields = fields


class OnboardingTemplateSerializer(serializers.ModelSerializer):
    phases = PhaseReadSerializer(many=True, read_only=True)

    class Meta:
        model = OnboardingTemplate
        fields = ["id", "name", "description", "is_default", "created_at", "phases"]
        read_only_fields = fields


class OnboardingTemplateWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False)
    phases = PhaseSerializer(many=True, max_length=services.MAX_PHASES, required=False)


class OnboardingTemplateViewSet(viewsets.ModelViewSet):
    """Onboarding plan templates: phases of dated steps (who does it, doing or knowing, optional milestone)."""

    queryset = OnboardingTemplate.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.onboarding_template_queryset()

    def get_serializer_class(self):
        return OnboardingTemplateWriteSerializer if self.action in ("create", "partial_update") \
            else OnboardingTemplateSerializer

    @extend_schema(request=OnboardingTemplateWriteSerializer, responses={201: OnboardingTemplateSerializer})
    def create(self, request, *args, **kwargs):
        serializer = OnboardingTemplateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.onboarding_template_create(by=request.user, **serializer.validated_data)
        return Response(OnboardingTemplateSerializer(self.get_queryset().get(pk=template.pk)).data, status=201)

    @extend_schema(request=OnboardingTemplateWriteSerializer, responses={200: OnboardingTemplateSerializer})
    def partial_update(self, request, *args, **kwargs):
        template = self.get_object()
        serializer = OnboardingTemplateWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.onboarding_template_update(template=template, by=request.user, **serializer.validated_data)
        return Response(OnboardingTemplateSerializer(self.get_queryset().get(pk=template.pk)).data)

    def perform_destroy(self, instance):
        services.onboarding_template_delete(template=instance, by=self.request.user)


class OnboardingTaskSerializer(serializers.ModelSerializer):
    title_display = serializers.SerializerMethodField(help_text="The title in the request's language (defaults).")
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingTask
        fields = ["id", "phase_title", "title", "title_display", "description", "performer", "kind",
                  "milestone_metric", "milestone_threshold", "starts_on", "due_on", "done_at", "done_by",
                  "reached_on", "signed_off_at", "signed_off_by", "is_overdue"]
        read_only_fields = fields

    def get_title_display(self, task) -> str:
        return selectors.display_text(task.title)

    def get_is_overdue(self, task) -> bool:
        return task.is_overdue(timezone.localdate())


class OnboardingPlanSerializer(serializers.ModelSerializer):
    hire_name = serializers.CharField(source="hire", read_only=True)
    mentor_name = serializers.CharField(source="mentor", read_only=True, allow_null=True, default=None)
    progress = serializers.SerializerMethodField(help_text="Percent of the tasks done (0–100).")
    overdue = serializers.SerializerMethodField(help_text="Open tasks past their due date.")
    time_to_first_deal_days = serializers.IntegerField(read_only=True, allow_null=True)
    tasks = OnboardingTaskSerializer(many=True, read_only=True)

    class Meta:
        model = OnboardingPlan
        fields = ["id", "hire", "hire_name", "mentor", "mentor_name", "template", "start_date", "closed_at",
                  "progress", "overdue", "first_deal_on", "time_to_first_deal_days", "ramped_month", "ramp_months",
                  "tasks"]
        read_only_fields = fields

    def get_progress(self, plan) -> int:
        return rules.progress_percent(plan.done_count, plan.task_count)

    def get_overdue(self, plan) -> int:
        return plan.overdue_count


class OnboardingPlanCreateSerializer(serializers.Serializer):
    hire = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    mentor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                allow_null=True)
    template = serializers.PrimaryKeyRelatedField(queryset=OnboardingTemplate.objects.all(), required=False,
                                                  allow_null=True, help_text="Empty: the default template.")
    start_date = serializers.DateField(required=False, allow_null=True, help_text="Empty: the hire date, or today.")

    def validate_start_date(self, value):
        if value is not None and not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Enter a date between 2000 and 2100."))
        return value


class OnboardingPlanUpdateSerializer(serializers.Serializer):
    mentor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                allow_null=True)
    closed = serializers.BooleanField(required=False)


class TickSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True)


TASK_ID = OpenApiParameter("task_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The task's id.")


class OnboardingPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Onboarding plans with their tasks, progress and overdue count."""

    queryset = OnboardingPlan.objects.none()
    serializer_class = OnboardingPlanSerializer
    filterset_class = OnboardingPlanFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["start_date"]

    def get_queryset(self):
        plans = selectors.onboarding_plan_queryset_for(user=self.request.user)
        return selectors.with_progress(plans, timezone.localdate()).prefetch_related("tasks").order_by("-start_date", "pk")

    def _answer(self, plan, status=200):
        return Response(OnboardingPlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=status)

    @extend_schema(request=OnboardingPlanCreateSerializer, responses={201: OnboardingPlanSerializer})
    def create(self, request, *args, **kwargs):
        serializer = OnboardingPlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.onboarding_plan_create(by=request.user, **serializer.validated_data)
        return self._answer(plan, status=201)

    @extend_schema(request=OnboardingPlanUpdateSerializer, responses={200: OnboardingPlanSerializer})
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = OnboardingPlanUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.onboarding_plan_update(plan=plan, by=request.user, mentor=data.get("mentor", ...),
                                        closed=data.get("closed"))
        return self._answer(plan)

    def _task(self, task_id) -> OnboardingTask:
        plan = self.get_object()
        return get_object_or_404(OnboardingTask.objects.select_related("plan__hire__team"), pk=task_id, plan=plan)

    @extend_schema(parameters=[TASK_ID], request=TickSerializer, responses={200: OnboardingTaskSerializer})
    @action(detail=True, methods=["post"], url_path=r"tasks/(?P<task_id>[0-9]{1,18})/tick")
    def tick(self, request, pk=None, task_id=None):
        """Tick (`done: true`, the default) or untick a task by hand. Milestones tick themselves: 400."""
        serializer = TickSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.onboarding_task_tick(task=self._task(task_id), by=request.user,
                                             done=serializer.validated_data["done"])
        return Response(OnboardingTaskSerializer(task).data)

    @extend_schema(parameters=[TASK_ID], request=None, responses={200: OnboardingTaskSerializer})
    @action(detail=True, methods=["post"], url_path=r"tasks/(?P<task_id>[0-9]{1,18})/sign-off")
    def sign_off(self, request, pk=None, task_id=None):
        """The mentor (or the hire's manager) signs off a done task; the hire may not (403)."""
        task = services.onboarding_task_sign_off(task=self._task(task_id), by=request.user)
        return Response(OnboardingTaskSerializer(task).data)
